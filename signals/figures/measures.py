"""What every figure is made of: counts the database computes, per month and kind of reporter.

A measure row is ``(month, reporter kind, measure, key, value)``, for example
``(2026-11-01, "partner", "regulation", "participatiewet", 7)``: seven signals submitted by
partners in November 2026 concern the Participatiewet. :func:`measure` computes the rows of
any set of signals with ``count``/``sum`` and ``group by`` in the database; the month is the
local calendar month the signal was submitted in. The only figure that reads one row per
signal is the time to first feedback, because working days follow the business calendar: it
is kept as a histogram (``feedback_days``, key = working days), from which a median is exact.

:mod:`.rollups` keeps the rows of every month for the whole municipality, so that a year's
dashboard reads a few thousand small rows instead of a million signals; live figures (the
API, a manager's dashboard, a node filter) compute the same rows over their own signals. Both
are read through :class:`.cube.Cube`, so the two cannot disagree.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select
from sqlalchemy.sql.expression import FromClause

from signals.auth.models import Organisation
from signals.clock import now
from signals.extensions import db
from signals.routing.services import business_calendar
from signals.settings import settings
from signals.workflow.clocks import REPORTER_CONTACT
from signals.workflow.models import OPEN_STATUSES, Signal, SignalEvent, SignalRegulation

ARRIVALS = ("submitted", "forwarded", "escalated_overdue", "reopened")
FIRST_FEEDBACK = ("feedback_sent", "discussed", "resolved")
PERSONAL_CONTACT = tuple(sorted(REPORTER_CONTACT - {"status_update_sent"}))


class Row(NamedTuple):
    """One measure of the signals of one month and kind of reporter."""

    month: date
    reporter_kind: str
    measure: str
    key: str
    value: int


@dataclass(frozen=True)
class Population:
    """Which signals: ``ids`` selects their ids; ``months`` are the months they fall in."""

    ids: Select[Any]
    months: tuple[date, ...]


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_end(month: date) -> date:
    """The last day of ``month``."""
    return next_month(month) - timedelta(days=1)


def months_from(first: date, last: date) -> tuple[date, ...]:
    """The first days of the months from ``first``'s up to and including ``last``'s."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return tuple(months)


def local_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the business time zone."""
    return datetime.combine(day, time(0, 0), tzinfo=settings().zone)


def month_of(column: Any, months: Sequence[date]) -> ColumnElement[Any]:
    """SQL: the first day (ISO text) of the local month ``column`` falls in, among ``months``.

    A chain of range comparisons rather than a date function, so that it means the same on
    every database and in the business time zone (moments are stored in UTC).
    """
    whens = [(column < local_start(next_month(month)), month.isoformat()) for month in months]
    return case(*whens, else_=None)


def measure(population: Population) -> list[Row]:
    """Every measure of ``population``; see the module's description."""
    if not population.months:
        return []
    return [
        *_signal_measures(population),
        *_event_measures(population),
        *_feedback_days(population),
    ]


def _tallied(
    population: Population,
    source: FromClause,
    columns: Mapping[str, Any],
    *conditions: ColumnElement[bool],
) -> list[tuple[Any, ...]]:
    """One pass over ``source``: its rows counted per month, kind of reporter and ``columns``.

    A column named ``score`` is summed instead of grouped by. Grouped in an outer query over
    labelled columns, because PostgreSQL does not treat the month expression's bound
    parameters in ``group by`` as the same expression.
    """
    grouped = {name: column for name, column in columns.items() if name != "score"}
    inner = (
        select(
            month_of(Signal.created_at, population.months).label("month"),
            Organisation.kind.label("kind"),
            *(column.label(name) for name, column in grouped.items()),
            columns.get("score", literal(0)).label("score"),
        )
        .select_from(source)
        .where(Signal.id.in_(population.ids), *conditions)
        .subquery()
    )
    keys = [inner.c.month, inner.c.kind, *(inner.c[name] for name in grouped)]
    query = select(*keys, func.count(), func.sum(inner.c.score)).group_by(*keys)
    return [row for row in db.session.execute(query) if row[0] is not None]


class _Tally:
    """Measure rows added up per (month, kind, measure, key) while reading grouped rows."""

    def __init__(self) -> None:
        self.values: Counter[tuple[str, str, str, str]] = Counter()

    def add(self, month: str, kind: str, measure_name: str, key: str | None, value: int) -> None:
        self.values[month, kind, measure_name, key or ""] += value

    def rows(self) -> list[Row]:
        return [
            Row(date.fromisoformat(month), kind, measure_name, key, value)
            for (month, kind, measure_name, key), value in self.values.items()
            if value
        ]


def _signals() -> FromClause:
    return Signal.__table__.join(Organisation.__table__, Organisation.id == Signal.organisation_id)


def _events() -> FromClause:
    return SignalEvent.__table__.join(Signal.__table__, Signal.id == SignalEvent.signal_id).join(
        Organisation.__table__, Organisation.id == Signal.organisation_id
    )


def _signal_measures(population: Population) -> list[Row]:
    """Signals by status, node, level, outcome and deadlines not decided yet; regulations.

    One pass over the signals, a second over their regulations.
    """
    moment = now()
    is_open = Signal.status.in_(OPEN_STATUSES)
    accept_undecided = and_(
        Signal.status == "new", Signal.accept_due > moment, Signal.accept_breached_at.is_(None)
    )
    feedback_undecided = and_(
        is_open,
        Signal.feedback_sent_at.is_(None),
        Signal.feedback_due > moment,
        Signal.feedback_breached_at.is_(None),
    )
    tally = _Tally()
    columns = {
        "status": Signal.status,
        "node": Signal.node,
        "level": Signal.level,
        "outcome": Signal.outcome,
        "accept_undecided": case((accept_undecided, 1), else_=0),
        "feedback_undecided": case((feedback_undecided, 1), else_=0),
    }
    for month, kind, status, node, level, outcome, accept, feedback, count, _score in _tallied(
        population, _signals(), columns
    ):
        counted = [("submitted", ""), ("level", level)]
        counted.append(("node_open", node) if status in OPEN_STATUSES else ("node_closed", node))
        if status in OPEN_STATUSES:
            counted.append(("open", ""))
        if status == "resolved":
            counted += [("resolved", ""), ("node_resolved", node)]
        if outcome is not None:
            counted.append(("outcome", outcome))
        if accept:
            counted.append(("accept_undecided", node))
        if feedback:
            counted.append(("feedback_undecided", node))
        for name, key in counted:
            tally.add(month, kind, name, key, count)
    regulations = _signals().join(
        SignalRegulation.__table__, SignalRegulation.signal_id == Signal.id
    )
    for month, kind, code, count, _score in _tallied(
        population, regulations, {"code": SignalRegulation.code}
    ):
        tally.add(month, kind, "regulation", code, count)
    return tally.rows()


def _event_measures(population: Population) -> list[Row]:
    """Arrivals, breaches, who told the reporter, survey and six-month answers.

    One pass over the population's events.
    """
    data = SignalEvent.data
    types = sorted(
        {*ARRIVALS, "deadline_breached", *PERSONAL_CONTACT, "status_update_sent"}
        | {"survey_answered", "followup_sent", "followup_answered"}
    )
    columns = {
        "type": SignalEvent.type,
        "arrived_at": func.coalesce(data["to"].as_string(), data["node"].as_string()),
        "node": data["node"].as_string(),
        "clock": data["clock"].as_string(),
        "held": data["held"].as_string(),
        "by_person": case((SignalEvent.actor_id.is_not(None), 1), else_=0),
        "score": case((SignalEvent.type == "survey_answered", data["score"].as_integer()), else_=0),
    }
    tally = _Tally()
    events = _tallied(population, _events(), columns, SignalEvent.type.in_(types))
    for month, kind, event, arrived_at, node, clock, held, by_person, count, score in events:
        for name, key, value in _event_counts(
            event, arrived_at, node, clock, held, by_person, count, score
        ):
            tally.add(month, kind, name, key, value)
    return tally.rows()


def _event_counts(
    event: str,
    arrived_at: str | None,
    node: str | None,
    clock: str | None,
    held: str | None,
    by_person: int,
    count: int,
    score: int | None,
) -> list[tuple[str, str | None, int]]:
    """The measures a group of ``count`` events of type ``event`` adds to."""
    counted: list[tuple[str, str | None, int]] = []
    if event in ARRIVALS:
        counted.append(("arrival", arrived_at, count))
    if event == "submitted":
        counted.append(("entry", node, count))
    if event == "deadline_breached" and clock in ("accept", "feedback"):
        counted.append((f"{clock}_breached", node, count))
    if event in PERSONAL_CONTACT and by_person:
        counted.append(("told", None, count))
    if event == "status_update_sent":
        counted.append(("by_system", None, count))
    if event == "survey_answered":
        counted += [("satisfaction_answers", None, count), ("satisfaction_sum", None, score or 0)]
    if event == "followup_sent":
        counted.append(("followup_asked", None, count))
    if event == "followup_answered" and held in ("yes", "partly"):
        counted.append(("followup_held", None, count))
    if event == "followup_answered" and held == "no":
        counted.append(("followup_not_held", None, count))
    return counted


def _feedback_days(population: Population) -> list[Row]:
    """The histogram of working days from submission to the reporter's first feedback."""
    first = (
        select(Signal.created_at, Organisation.kind, func.min(SignalEvent.at))
        .select_from(_events())
        .where(Signal.id.in_(population.ids), SignalEvent.type.in_(FIRST_FEEDBACK))
        .group_by(Signal.id, Signal.created_at, Organisation.kind)
    )
    calendar = business_calendar()
    months = population.months
    histogram: Counter[tuple[date, str, int]] = Counter()
    for submitted, kind, answered in db.session.execute(first):
        month = _month_containing(months, calendar.local_date(submitted))
        if month is not None:
            histogram[month, kind, calendar.working_days_between(submitted, answered)] += 1
    return [
        Row(month, kind, "feedback_days", str(days), count)
        for (month, kind, days), count in histogram.items()
    ]


def _month_containing(months: Sequence[date], day: date) -> date | None:
    month = day.replace(day=1)
    return month if month in months else None


def in_period(start: date, end: date) -> ColumnElement[bool]:
    """SQL: the signal was submitted from ``start`` up to and including ``end`` (local days)."""
    return and_(
        Signal.created_at >= local_start(start),
        Signal.created_at < local_start(end + timedelta(days=1)),
    )
