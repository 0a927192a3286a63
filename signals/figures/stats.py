"""The figures of ``GET /api/v1/stats``.

Over the signals submitted in a period that the caller may see in full, optionally only those
that are or were at one node.

Counting and averaging are the database's (``count``, ``avg``, ``group by``); only the median
time to first feedback reads two moments per signal. No figure is computed over fewer than
:data:`SMALL` signals: a count from 1 to 4 is ``None`` ("fewer than 5"), and so is a share,
mean or median over fewer than 5, so that no reporter can be recognised in a small number.

The promise (``on_time``), per clock, counted per visit to a node (each arrival starts the
node's clocks): ``accept`` and ``feedback`` are the share of visits whose deadline was not
breached, among the visits whose deadline is decided (a visit still before its deadline, with
nothing done, is left out). ``update``: of the moments a reporter had to hear something, the
share where a person told them (an action the reporter is told of) rather than the system's
status update, which goes out exactly when the owner stayed silent too long.
"""

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from marshmallow import ValidationError, fields, validates, validates_schema
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from signals.auth.models import Organisation, User
from signals.clock import now
from signals.extensions import db
from signals.routing.services import business_calendar
from signals.settings import settings
from signals.validation import FIELD_MESSAGES, InputSchema, load
from signals.workflow.access import fully_visible_clause
from signals.workflow.clocks import REPORTER_CONTACT
from signals.workflow.models import OPEN_STATUSES, Signal, SignalEvent, SignalRegulation
from signals.workflow.signal_lists import check_known_node

SMALL = 5
ARRIVALS = ("submitted", "forwarded", "escalated_overdue", "reopened")
FIRST_FEEDBACK = ("feedback_sent", "discussed", "resolved")
DATE_MESSAGES = {**FIELD_MESSAGES, "invalid": "Verwacht een datum (JJJJ-MM-DD)."}


class StatsQuery(InputSchema):
    """The period (``from`` and ``to``, both included) and optionally a node."""

    empty_means_absent = False

    start = fields.Date(required=True, data_key="from", error_messages=DATE_MESSAGES)
    end = fields.Date(required=True, data_key="to", error_messages=DATE_MESSAGES)
    node = fields.String(
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een plek in de route."},
        metadata={"description": "Alleen signalen die op deze plek liggen of lagen"},
    )

    @validates("node")
    def _known_node(self, value: str, **_kwargs: Any) -> None:
        check_known_node(value)

    @validates_schema
    def _period(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            raise ValidationError("De einddatum ligt op of na de begindatum.", "to")


@dataclass(frozen=True)
class Population:
    """Which signals the figures are about, as a subquery of their ids."""

    ids: Select[Any]

    def of(self, column: Any) -> ColumnElement[bool]:
        clause: ColumnElement[bool] = column.in_(self.ids)
        return clause


def figures(user: User, data: Mapping[str, Any]) -> dict[str, Any]:
    """Every figure of the period for ``user``; see the module's description."""
    query = load(StatsQuery(), data)
    population = _population(user, query["start"], query["end"], query.get("node"))
    return {
        "from": query["start"],
        "to": query["end"],
        "node": query.get("node"),
        "totals": _totals(population),
        "on_time": _on_time(population),
        "by_node": _by_node(population),
        "by_reporter_kind": _by_reporter_kind(population),
        "by_regulation": _counted(
            select(SignalRegulation.code, func.count())
            .where(population.of(SignalRegulation.signal_id))
            .group_by(SignalRegulation.code)
        ),
        "outcomes": _counted(
            select(Signal.outcome, func.count())
            .where(population.of(Signal.id), Signal.outcome.is_not(None))
            .group_by(Signal.outcome)
        ),
        "satisfaction": _satisfaction(population),
        "effectiveness": _effectiveness(population),
    }


def suppressed(count: int) -> int | None:
    """A count as it may be shown: 0 or 5 and more; 1 to 4 is None ("fewer than 5")."""
    return count if count == 0 or count >= SMALL else None


def _population(user: User, start: date, end: date, node: str | None) -> Population:
    zone = settings().zone
    since = datetime.combine(start, time(0, 0), tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=zone)
    ids = select(Signal.id).where(
        fully_visible_clause(user), Signal.created_at >= since, Signal.created_at < until
    )
    if node is not None:
        arrived = exists().where(
            SignalEvent.signal_id == Signal.id,
            or_(
                and_(SignalEvent.type == "submitted", SignalEvent.data["node"].as_string() == node),
                and_(
                    SignalEvent.type.in_(["forwarded", "escalated_overdue"]),
                    SignalEvent.data["to"].as_string() == node,
                ),
            ),
        )
        ids = ids.where(or_(Signal.node == node, arrived))
    return Population(ids)


def _count(query: Select[Any]) -> int:
    return db.session.scalar(query) or 0


def _totals(population: Population) -> dict[str, int | None]:
    base = select(func.count()).select_from(Signal).where(population.of(Signal.id))
    return {
        "submitted": suppressed(_count(base)),
        "open": suppressed(_count(base.where(Signal.status.in_(OPEN_STATUSES)))),
        "resolved": suppressed(_count(base.where(Signal.status == "resolved"))),
    }


def _events(population: Population, *types: str) -> Select[Any]:
    return (
        select(func.count())
        .select_from(SignalEvent)
        .where(population.of(SignalEvent.signal_id), SignalEvent.type.in_(types))
    )


def _on_time(population: Population) -> dict[str, float | None]:
    moment = now()
    arrivals = _count(_events(population, *ARRIVALS))
    breached = (
        select(func.count())
        .select_from(SignalEvent)
        .where(population.of(SignalEvent.signal_id), SignalEvent.type == "deadline_breached")
    )
    open_now = (
        select(func.count())
        .select_from(Signal)
        .where(population.of(Signal.id), Signal.status.in_(OPEN_STATUSES))
    )
    accept_undecided = _count(
        open_now.where(
            Signal.status == "new", Signal.accept_due > moment, Signal.accept_breached_at.is_(None)
        )
    )
    feedback_undecided = _count(
        open_now.where(
            Signal.feedback_sent_at.is_(None),
            Signal.feedback_due > moment,
            Signal.feedback_breached_at.is_(None),
        )
    )
    by_person = (
        select(func.count())
        .select_from(SignalEvent)
        .where(
            population.of(SignalEvent.signal_id),
            SignalEvent.type.in_(sorted(REPORTER_CONTACT - {"status_update_sent"})),
            SignalEvent.actor_id.is_not(None),
        )
    )
    told = _count(by_person)
    by_system = _count(_events(population, "status_update_sent"))
    return {
        "accept": _share_met(
            arrivals - accept_undecided,
            _count(breached.where(SignalEvent.data["clock"].as_string() == "accept")),
        ),
        "feedback": _share_met(
            arrivals - feedback_undecided,
            _count(breached.where(SignalEvent.data["clock"].as_string() == "feedback")),
        ),
        "update": _share_met(told + by_system, by_system),
    }


def _share_met(decided: int, missed: int) -> float | None:
    if decided < SMALL:
        return None
    return round((decided - missed) / decided, 3)


def _by_node(population: Population) -> dict[str, dict[str, int | None]]:
    query = (
        select(Signal.node, Signal.status, func.count())
        .where(population.of(Signal.id))
        .group_by(Signal.node, Signal.status)
    )
    nodes: dict[str, dict[str, int]] = {}
    for node, status, count in db.session.execute(query):
        counts = nodes.setdefault(node, {"open": 0, "closed": 0})
        counts["open" if status in OPEN_STATUSES else "closed"] += count
    return {
        node: {name: suppressed(count) for name, count in counts.items()}
        for node, counts in sorted(nodes.items())
    }


def _by_reporter_kind(population: Population) -> dict[str, dict[str, Any]]:
    kinds: dict[str, dict[str, Any]] = {}
    for kind in ("staff", "partner"):
        of_kind = Population(
            population.ids.join(Organisation, Organisation.id == Signal.organisation_id).where(
                Organisation.kind == kind
            )
        )
        totals = _totals(of_kind)
        kinds[kind] = {
            "submitted": totals["submitted"],
            "resolved": totals["resolved"],
            "median_days_to_feedback": _median_days_to_feedback(of_kind),
            "satisfaction": _satisfaction(of_kind),
        }
    return kinds


def _median_days_to_feedback(population: Population) -> float | None:
    """The median of the working days from submission to the reporter's first feedback."""
    first = (
        select(Signal.created_at, func.min(SignalEvent.at))
        .join(SignalEvent, SignalEvent.signal_id == Signal.id)
        .where(population.of(Signal.id), SignalEvent.type.in_(FIRST_FEEDBACK))
        .group_by(Signal.id, Signal.created_at)
    )
    calendar = business_calendar()
    days = [calendar.working_days_between(start, end) for start, end in db.session.execute(first)]
    return float(statistics.median(days)) if len(days) >= SMALL else None


def _satisfaction(population: Population) -> dict[str, Any]:
    """How many reporters answered the survey, and their mean score (1–5)."""
    score = SignalEvent.data["score"].as_integer()
    answers, mean = db.session.execute(
        select(func.count(), func.avg(score)).where(
            population.of(SignalEvent.signal_id), SignalEvent.type == "survey_answered"
        )
    ).one()
    return {
        "answers": suppressed(answers),
        "mean": round(float(mean), 2) if answers >= SMALL and mean is not None else None,
    }


def _effectiveness(population: Population) -> dict[str, int | None]:
    held = SignalEvent.data["held"].as_string()
    answers: dict[str, int] = dict(
        db.session.execute(
            select(held, func.count())
            .where(population.of(SignalEvent.signal_id), SignalEvent.type == "followup_answered")
            .group_by(held)
        ).all()
    )
    return {
        "asked": suppressed(_count(_events(population, "followup_sent"))),
        "held": suppressed(answers.get("yes", 0) + answers.get("partly", 0)),
        "not_held": suppressed(answers.get("no", 0)),
    }


def _counted(query: Select[Any, int]) -> dict[str, int | None]:
    return {str(key): suppressed(count) for key, count in db.session.execute(query)}
