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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
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


def _grouped(
    population: Population,
    measure_name: str,
    source: FromClause,
    key: ColumnElement[Any] | None,
    conditions: Iterable[ColumnElement[bool]],
    summed: ColumnElement[Any] | None = None,
) -> list[Row]:
    """Count (or sum ``summed``) per month, kind of reporter and ``key``.

    Grouped in an outer query over labelled columns, because PostgreSQL does not treat the
    month expression's bound parameters in ``group by`` as the same expression.
    """
    inner = (
        select(
            month_of(Signal.created_at, population.months).label("month"),
            Organisation.kind.label("kind"),
            (key if key is not None else literal("")).label("key"),
            (summed if summed is not None else literal(1)).label("value"),
        )
        .select_from(source)
        .where(Signal.id.in_(population.ids), *conditions)
        .subquery()
    )
    query = select(inner.c.month, inner.c.kind, inner.c.key, func.sum(inner.c.value)).group_by(
        inner.c.month, inner.c.kind, inner.c.key
    )
    return [
        Row(date.fromisoformat(month), kind, measure_name, str(key or ""), int(value or 0))
        for month, kind, key, value in db.session.execute(query)
        if month is not None
    ]


def _signals() -> FromClause:
    return Signal.__table__.join(Organisation.__table__, Organisation.id == Signal.organisation_id)


def _events() -> FromClause:
    return SignalEvent.__table__.join(Signal.__table__, Signal.id == SignalEvent.signal_id).join(
        Organisation.__table__, Organisation.id == Signal.organisation_id
    )


def _signal_measures(population: Population) -> list[Row]:
    moment = now()
    is_open = Signal.status.in_(OPEN_STATUSES)
    regulations = _signals().join(
        SignalRegulation.__table__, SignalRegulation.signal_id == Signal.id
    )
    plans: list[tuple[str, FromClause, Any, list[ColumnElement[bool]]]] = [
        ("submitted", _signals(), None, []),
        ("open", _signals(), None, [is_open]),
        ("resolved", _signals(), None, [Signal.status == "resolved"]),
        ("node_open", _signals(), Signal.node, [is_open]),
        ("node_closed", _signals(), Signal.node, [~is_open]),
        ("node_resolved", _signals(), Signal.node, [Signal.status == "resolved"]),
        ("level", _signals(), Signal.level, []),
        ("outcome", _signals(), Signal.outcome, [Signal.outcome.is_not(None)]),
        ("regulation", regulations, SignalRegulation.code, []),
        (
            "accept_undecided",
            _signals(),
            Signal.node,
            [
                Signal.status == "new",
                Signal.accept_due > moment,
                Signal.accept_breached_at.is_(None),
            ],
        ),
        (
            "feedback_undecided",
            _signals(),
            Signal.node,
            [
                is_open,
                Signal.feedback_sent_at.is_(None),
                Signal.feedback_due > moment,
                Signal.feedback_breached_at.is_(None),
            ],
        ),
    ]
    rows: list[Row] = []
    for name, source, key, conditions in plans:
        rows += _grouped(population, name, source, key, conditions)
    return rows


def _event_measures(population: Population) -> list[Row]:
    data = SignalEvent.data
    breached = SignalEvent.type == "deadline_breached"
    held = data["held"].as_string()
    plans: list[
        tuple[str, ColumnElement[Any] | None, list[ColumnElement[bool]], ColumnElement[Any] | None]
    ] = [
        (
            "arrival",
            func.coalesce(data["to"].as_string(), data["node"].as_string()),
            [SignalEvent.type.in_(ARRIVALS)],
            None,
        ),
        ("entry", data["node"].as_string(), [SignalEvent.type == "submitted"], None),
        (
            "accept_breached",
            data["node"].as_string(),
            [breached, data["clock"].as_string() == "accept"],
            None,
        ),
        (
            "feedback_breached",
            data["node"].as_string(),
            [breached, data["clock"].as_string() == "feedback"],
            None,
        ),
        (
            "told",
            None,
            [SignalEvent.type.in_(PERSONAL_CONTACT), SignalEvent.actor_id.is_not(None)],
            None,
        ),
        ("by_system", None, [SignalEvent.type == "status_update_sent"], None),
        ("satisfaction_answers", None, [SignalEvent.type == "survey_answered"], None),
        (
            "satisfaction_sum",
            None,
            [SignalEvent.type == "survey_answered"],
            data["score"].as_integer(),
        ),
        ("followup_asked", None, [SignalEvent.type == "followup_sent"], None),
        (
            "followup_held",
            None,
            [SignalEvent.type == "followup_answered", held.in_(["yes", "partly"])],
            None,
        ),
        (
            "followup_not_held",
            None,
            [SignalEvent.type == "followup_answered", held == "no"],
            None,
        ),
    ]
    rows: list[Row] = []
    for name, key, conditions, summed in plans:
        rows += _grouped(population, name, _events(), key, conditions, summed)
    return rows


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
        Signal.created_at < local_start(date.fromordinal(end.toordinal() + 1)),
    )
