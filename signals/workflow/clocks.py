"""The clocks of a signal: what falls due when, the pause for the reporter, and the bookkeeping.

Each visit to a node starts the node's clocks (PRODUCT: Clocks): accept within N working days
(while ``new``), first feedback to the reporter within N, and a status update at least every
N. A reminder goes to the owner some working days before the accept and feedback deadlines;
a deadline that passes is a breach, recorded once per clock per visit. While the signal waits
for the reporter every clock stands still, and the working days it stood still are added back
when the reporter answers. After resolution the reporter is asked how it went, and months
later the resolving owner whether the solution held (reminded once after four weeks without an
answer). Information the reporter adds on their
own changes no clock; a signal the reporter withdraws has no clocks any more.

This module only decides. :func:`pending` lists everything still to come with its moment;
:func:`on_event` keeps the clock fields right after every recorded event, including
``next_clock_at``, the earliest pending moment that the scheduler's sweep looks for
(:mod:`signals.scheduler.clock_sweep` carries the work out).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from signals.routing.graph import Node
from signals.routing.services import Deadlines, active_graph, business_calendar, deadlines_at
from signals.settings import settings
from signals.workflow.models import Signal, SignalStatus


class Work(StrEnum):
    """What a clock can ask the sweep to do."""

    BREACH = "breach"
    REMINDER = "reminder"
    STATUS_UPDATE = "status_update"
    SURVEY = "survey"
    FOLLOWUP = "followup"
    FOLLOWUP_REMINDER = "followup_reminder"


class Clock(StrEnum):
    """The two deadlines an owner is held to."""

    ACCEPT = "accept"
    FEEDBACK = "feedback"


@dataclass(frozen=True)
class Due:
    """One piece of clock work, the moment it falls due, and the deadline it is about."""

    work: Work
    at: datetime
    clock: Clock | None = None
    deadline: datetime | None = None  # reminders and breaches: the clock's deadline


# Without an answer to the six-month question this long after it, its one reminder.
FOLLOWUP_REMINDER_AFTER = timedelta(weeks=4)

# Events that tell the reporter something: each restarts the status-update clock.
REPORTER_CONTACT = frozenset(
    {
        "forwarded",
        "escalated_overdue",
        "accepted",
        "info_requested",
        "feedback_sent",
        "resolved",
        "reopened",
        "linked",
        "status_update_sent",
        "agendered",
        "discussed",
        "action_item_done",
    }
)


def node_of(signal: Signal) -> Node | None:
    """The signal's node in the active route file (None if the file no longer has it)."""
    return active_graph().nodes.get(signal.node)


def start_visit(signal: Signal, deadlines: Deadlines, moment: datetime) -> None:
    """A signal arrives at a node (or is reopened there): fresh clocks, nothing done yet."""
    signal.node_visit = (signal.node_visit or 0) + 1
    signal.node_entered_at = moment
    signal.accept_due = deadlines.accept_due
    signal.feedback_due = deadlines.feedback_due
    signal.update_due = deadlines.update_due
    signal.paused_at = None
    signal.feedback_sent_at = None
    signal.accept_reminded_at = signal.feedback_reminded_at = None
    signal.accept_breached_at = signal.feedback_breached_at = None


def on_event(signal: Signal, event_type: str, moment: datetime) -> None:
    """Bring the clock fields up to date after ``event_type`` happened at ``moment``."""
    if event_type == "info_requested":
        signal.paused_at = moment
    elif event_type == "reporter_replied":
        _resume(signal, moment)
    elif event_type == "resolved":
        signal.paused_at = None
        signal.feedback_sent_at = signal.feedback_sent_at or moment
        signal.survey_sent_at = signal.followup_sent_at = None
        signal.followup_reminded_at = signal.followup_answered_at = None
        months = settings().followup_months
        signal.followup_due = moment + relativedelta(months=months)
    elif event_type == "reopened":
        node = node_of(signal)
        if node is not None:
            start_visit(signal, deadlines_at(node, moment), moment)
    elif event_type == "withdrawn":
        signal.paused_at = None  # every clock stops for good (see pending)
    if event_type in ("feedback_sent", "discussed"):  # a meeting's conclusion is feedback
        signal.feedback_sent_at = signal.feedback_sent_at or moment
    if event_type in REPORTER_CONTACT and signal.is_open:
        _restart_update_clock(signal, moment)
    signal.next_clock_at = next_moment(signal)


def _restart_update_clock(signal: Signal, moment: datetime) -> None:
    node = node_of(signal)
    if node is not None:
        signal.update_due = business_calendar().add_working_days(moment, node.clocks.update_every)


def _resume(signal: Signal, moment: datetime) -> None:
    """The reporter answered: every deadline moves on by the working days it stood still."""
    if signal.paused_at is None:
        return
    calendar = business_calendar()
    days = calendar.working_days_between(signal.paused_at, moment)
    if signal.accept_due is not None:
        signal.accept_due = calendar.extend(signal.accept_due, days)
    if signal.feedback_due is not None:
        signal.feedback_due = calendar.extend(signal.feedback_due, days)
    if signal.update_due is not None:
        signal.update_due = calendar.extend(signal.update_due, days)
    signal.paused_at = None


def pending(signal: Signal) -> list[Due]:
    """Everything the clocks still have to do for ``signal``, each with its moment.

    A withdrawn signal has nothing: no deadline, no status update, and, not being resolved,
    no survey and no follow-up.
    """
    if signal.status == SignalStatus.WITHDRAWN:
        return []
    if signal.status == SignalStatus.RESOLVED:
        return _after_resolution(signal)
    if signal.status == SignalStatus.AWAITING_REPORTER or signal.paused_at is not None:
        return []
    work: list[Due] = []
    if signal.status == SignalStatus.NEW:
        work += _deadline_work(
            signal, Clock.ACCEPT, signal.accept_due, signal.accept_reminded_at,
            signal.accept_breached_at,
        )  # fmt: skip
    if signal.feedback_sent_at is None:
        work += _deadline_work(
            signal, Clock.FEEDBACK, signal.feedback_due, signal.feedback_reminded_at,
            signal.feedback_breached_at,
        )  # fmt: skip
    if signal.update_due is not None:
        work.append(Due(Work.STATUS_UPDATE, signal.update_due))
    return work


def _deadline_work(
    signal: Signal,
    clock: Clock,
    deadline: datetime | None,
    reminded_at: datetime | None,
    breached_at: datetime | None,
) -> list[Due]:
    if deadline is None or breached_at is not None:
        return []
    # Late once the deadline's last second has passed, as the inbox counts it.
    work = [Due(Work.BREACH, deadline + timedelta(seconds=1), clock, deadline)]
    if reminded_at is None:
        days = settings().reminder_working_days
        remind_at = business_calendar().working_days_before(deadline, days)
        # A reminder that would fall before the signal arrived is no reminder at all: the
        # owner was told the deadline when it arrived.
        if days > 0 and remind_at > signal.node_entered_at:
            work.append(Due(Work.REMINDER, remind_at, clock, deadline))
    return work


def _after_resolution(signal: Signal) -> list[Due]:
    work: list[Due] = []
    if signal.survey_sent_at is None and signal.resolved_at is not None:
        work.append(Due(Work.SURVEY, signal.resolved_at))
    if signal.followup_sent_at is None and signal.followup_due is not None:
        work.append(Due(Work.FOLLOWUP, signal.followup_due))
    unanswered = signal.followup_answered_at is None and signal.followup_reminded_at is None
    if signal.followup_sent_at is not None and unanswered:
        work.append(Due(Work.FOLLOWUP_REMINDER, signal.followup_sent_at + FOLLOWUP_REMINDER_AFTER))
    return work


def next_moment(signal: Signal) -> datetime | None:
    """The earliest moment a clock of ``signal`` has something to do (None: nothing)."""
    return min((due.at for due in pending(signal)), default=None)


def due_now(signal: Signal, moment: datetime) -> list[Due]:
    """The clock work of ``signal`` whose moment has come, breaches before reminders.

    A reminder for a deadline that has already passed is dropped: the breach says more.
    """
    work = [due for due in pending(signal) if due.at <= moment]
    breached = {due.clock for due in work if due.work == Work.BREACH}
    work = [due for due in work if not (due.work == Work.REMINDER and due.clock in breached)]
    order = list(Work)
    return sorted(work, key=lambda due: (order.index(due.work), due.at))


def working_days_late(signal: Signal, moment: datetime) -> dict[Clock, int]:
    """Per running deadline of ``signal`` that has passed at ``moment``: how many working days.

    The deadlines the signal lists call late (:func:`signals.workflow.signal_lists.is_overdue`):
    accepting while the signal is new, and the first feedback until it is given; none while the
    clocks stand still for the reporter. A deadline falls at the end of its day, so the count is
    the working days after that day up to and including ``moment``'s (0: passed, but no
    working day since — over a weekend, say).
    """
    late: dict[Clock, int] = {}
    if signal.status not in (SignalStatus.NEW, SignalStatus.IN_PROGRESS) or signal.paused_at:
        return late
    running = [(Clock.FEEDBACK, signal.feedback_due if signal.feedback_sent_at is None else None)]
    if signal.status == SignalStatus.NEW:
        running.insert(0, (Clock.ACCEPT, signal.accept_due))
    calendar = business_calendar()
    for clock, deadline in running:
        if deadline is not None and deadline < moment:
            late[clock] = calendar.working_days_between(deadline, moment)
    return late
