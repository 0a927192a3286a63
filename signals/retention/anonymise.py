"""Anonymising a closed signal once its retention period has passed.

``SIGNALS_RETENTION_MONTHS`` after a signal was closed (resolved, or withdrawn by its
reporter) it is anonymised, once: its free text is removed (the title becomes
:data:`PLACEHOLDER_TITLE`; situation, resident experience and rationale become empty), as are
the link to its reporter (and the idempotency key that named them), its sent and given-up
e-mail in the outbox and, in its history, every text and every name (each event's actor).
What the figures count stays: the codes (level, scope, urgency, impact, maatwerk and its
grounds, regulations, source organisation), the dates, the outcome, and the route it took
(each event's type and its node, from, to, clock and due) and the coded answers (the survey's
score, whether the solution held). An ``anonymised`` event says
what was removed. A signal under a legal hold (:mod:`signals.retention.services`) is not
anonymised until the hold is released.

The period ends on a day, in the business time zone: a signal closed on 15 March is
anonymised from the first moment of 15 March, ``SIGNALS_RETENTION_MONTHS`` months later
(from the last day of a shorter month when that month has no 31st).

The changes go through the ORM, so the search index forgets the old words in the same
transaction (:mod:`signals.search.indexing`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, Select, and_, delete, false, select

from signals.anonymous.models import AnonymousContact, AnonymousReceipt
from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.retention.audit import allow_anonymising
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.workflow import lifecycle
from signals.workflow.models import Signal, SignalStatus, SubmissionKey

PLACEHOLDER_TITLE = "Geanonimiseerd signaal"
# The signal's own free text; each becomes empty (the title: the placeholder).
FREE_TEXT_FIELDS = ("title", "situation", "resident_experience", "rationale")
# The texts in an event's data that are kept: where the signal went and when, and codes
# (the figures count ``held``, the answer to the six-month question).
KEPT_EVENT_TEXTS = frozenset({"node", "from", "to", "clock", "due", "outcome", "held", "starts_at"})
# Signals anonymised per round at most: a large backlog (the first run after an upgrade)
# is worked off over several sweeps.
BATCH = 200
CLOSED = (SignalStatus.RESOLVED.value, SignalStatus.WITHDRAWN.value)


def last_closed_day(today: date, months: int) -> date:
    """The last day a signal may have been closed on to be anonymised ``today``.

    That is the last day ``d`` with ``d + months ≤ today``; adding months keeps the day of
    the month where the month has it and takes the month's last day where not.
    """
    day = today - relativedelta(months=months)
    while (day + timedelta(days=1)) + relativedelta(months=months) <= today:
        day += timedelta(days=1)
    return day


def retention_cutoff(moment: datetime) -> datetime:
    """Signals closed before this moment are due for anonymisation at ``moment``."""
    zone = settings().zone
    today = moment.astimezone(zone).date()
    first_kept = last_closed_day(today, settings().retention_months) + timedelta(days=1)
    return datetime.combine(first_kept, time(), tzinfo=zone)


def due_clause(moment: datetime) -> ColumnElement[bool]:
    """SQL: the signals to anonymise at ``moment`` (walks ``ix_signals_retention``)."""
    return and_(
        Signal.anonymised_at.is_(None),
        Signal.closed_at < retention_cutoff(moment),
        Signal.status.in_(CLOSED),
        Signal.legal_hold == false(),
    )


def due_signals(moment: datetime, limit: int | None = BATCH) -> Select[int, str]:
    """The ids and references of the signals due at ``moment``, the longest closed first."""
    query = (
        select(Signal.id, Signal.reference)
        .where(due_clause(moment))
        .order_by(Signal.closed_at, Signal.id)
    )
    return query.limit(limit) if limit is not None else query


def anonymise_due(moment: datetime, limit: int = BATCH) -> list[str]:
    """Anonymise up to ``limit`` due signals, each in a transaction of its own; their references.

    A signal another process has locked is left for the next round (PostgreSQL); a signal
    that is no longer due once locked (reopened, put on hold meanwhile) is skipped.
    """
    done = []
    for signal_id, reference in db.session.execute(due_signals(moment, limit)).all():
        with unit_of_work():
            locked = (
                select(Signal)
                .where(Signal.id == signal_id, due_clause(moment))
                .with_for_update(of=Signal, skip_locked=True)
                .execution_options(populate_existing=True)
            )
            signal = db.session.scalar(locked)
            if signal is None:
                continue
            anonymise_signal(signal, moment)
            done.append(reference)
    return done


@dataclass(frozen=True)
class Blanked:
    """What anonymising one signal removed."""

    fields: list[str]
    event_fields: list[str]
    events: int
    actors: int
    reporter: bool
    mails: int


def anonymise_signal(signal: Signal, moment: datetime) -> Blanked:
    """Remove ``signal``'s free text and names and record that (inside the caller's unit)."""
    allow_anonymising()
    fields = [name for name in FREE_TEXT_FIELDS if getattr(signal, name)]
    signal.title = PLACEHOLDER_TITLE
    signal.situation = ""
    signal.resident_experience = ""
    if signal.rationale is not None:
        signal.rationale = ""
    had_reporter = signal.reporter_id is not None
    signal.reporter = None
    signal.anonymised_at = moment
    db.session.execute(delete(SubmissionKey).where(SubmissionKey.signal_id == signal.id))
    # An anonymous reporter's receipt and any address left (normally gone at the close):
    # there is nothing left for them to read.
    for kept_apart in (AnonymousReceipt, AnonymousContact):
        db.session.execute(delete(kept_apart).where(kept_apart.signal_id == signal.id))
    # Its sent and given-up e-mail (names, addresses, its texts); what is pending still goes.
    mails = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.signal_id == signal.id,
            OutboxMessage.status.in_([OutboxStatus.SENT.value, OutboxStatus.DEAD.value]),
        )
    )
    event_fields: set[str] = set()
    actors = 0
    for event in signal.events:
        data, removed = blank_texts(event.data or {})
        if removed:
            event.data = data
            event_fields |= removed
        if event.actor_id is not None:
            event.actor = None
            actors += 1
    blanked = Blanked(
        fields=fields,
        event_fields=sorted(event_fields),
        events=len(signal.events),
        actors=actors,
        reporter=had_reporter,
        mails=int(getattr(mails, "rowcount", 0) or 0),
    )
    lifecycle.record(
        signal,
        "anonymised",
        None,
        by="retention",
        months=settings().retention_months,
        fields=blanked.fields,
        event_fields=blanked.event_fields,
        events=blanked.events,
        actors=blanked.actors,
        reporter=blanked.reporter,
        mails=blanked.mails,
    )
    return blanked


def blank_texts(data: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, Any], set[str]]:
    """``data`` with every text emptied but those in :data:`KEPT_EVENT_TEXTS`; what was.

    Nested objects are blanked the same way (``previous.rationale``); numbers, yes/no and
    empty values stay as they are.
    """
    result: dict[str, Any] = {}
    removed: set[str] = set()
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key in KEPT_EVENT_TEXTS:
            result[key] = value
        elif isinstance(value, Mapping):
            result[key], inner = blank_texts(value, f"{name}.")
            removed |= inner
        elif isinstance(value, str) and value:
            result[key] = ""
            removed.add(name)
        elif isinstance(value, list) and any(isinstance(item, str) and item for item in value):
            result[key] = ["" if isinstance(item, str) else item for item in value]
            removed.add(name)
        else:
            result[key] = value
    return result, removed
