"""One sweep: everything the scheduler does, at a moment given as an argument.

The moment is injected (``signals scheduler tick --now``, tests, the runner passing the
wall clock), and the application clock is pinned to it for the sweep's length, so every
service it calls sees the same "now". Only the leader sweeps (:mod:`.leader`).
"""

from datetime import datetime
from time import perf_counter

from signals.audit.services import forget_old_access_log, retention_cutoff
from signals.clock import get_clock
from signals.figures.report import send_due_report
from signals.figures.rollups import refresh_monthly_figures
from signals.meetings.leerdialoog import prepare_due_meetings
from signals.meetings.sweep import run_action_items
from signals.notifications.delivery import deliver_pending, smtp_configured
from signals.operations.metrics import record_sweep
from signals.retention.purge import run_retention
from signals.scheduler.clock_sweep import describe, run_clock_work
from signals.scheduler.digest import send_digests
from signals.scheduler.leader import leadership
from signals.settings import settings
from signals.trust.pulse import open_pulse_round

NOT_LEADER = "een andere planner is bezig; deze ronde doet niets"


def sweep(now: datetime) -> list[str]:
    """One sweep at ``now``; returns a Dutch line per kind of thing it did."""
    started = perf_counter()
    with get_clock().frozen_at(now), leadership(now) as leading:
        if not leading:
            return [NOT_LEADER]
        lines = _swept(now)
    record_sweep(perf_counter() - started)
    return lines


def _swept(now: datetime) -> list[str]:
    """The leader's sweep: due work, retention, the access log's age, then the outbox."""
    lines = due_work(now)
    lines += run_retention(now).lines()
    forget_old_access_log(retention_cutoff(now, settings().access_log_retention_months))
    if not smtp_configured():
        lines.append("e-mail: SIGNALS_SMTP_HOST niet ingesteld, outbox blijft staan")
    else:
        lines.append(f"e-mail: {deliver_pending(now).summary()}")
    return lines


def due_work(now: datetime) -> list[str]:
    """What a sweep at ``now`` does: clock work, digests, leerdialogen, the trust pulse, figures.

    Its e-mail is written to the outbox, not sent. :func:`sweep` calls it as the leader; the
    demo calls it on its own to let the clocks run through the demo's past (its e-mail is
    history, never sent), which is safe beside a sweeper because each piece of work is
    claimed and recorded once (:mod:`.clock_sweep`, :mod:`.digest`,
    :mod:`signals.trust.pulse`).
    """
    with get_clock().frozen_at(now):
        lines = describe(run_clock_work(now) + run_action_items(now))
        digests = send_digests(now)
        prepared = prepare_due_meetings(now)
        invited = open_pulse_round(now)
        months = refresh_monthly_figures(now)
        reports = send_due_report(now)
    if reports:
        lines.append(f"kwartaalrapportage verstuurd aan: {reports}")
    if months:
        lines.append(f"maandcijfers bijgewerkt: {months}")
    if prepared:
        lines.append(f"leerdialogen voorbereid (rolinstructies verstuurd): {prepared}")
    if digests:
        lines.append(f"overzichten aan leidinggevenden: {digests}")
    if invited:
        lines.append(f"uitnodigingen voor de vertrouwenspeiling: {invited}")
    return lines
