"""The figures of ``GET /api/v1/stats``.

Over the signals submitted in a period whose figures the caller sees (:mod:`.access`),
optionally only those that are or were at one node.

Computed live by :mod:`.measures` and read through :class:`.cube.Cube`, like the dashboard's,
so both always say the same; :mod:`.cube` explains the shares and the small numbers hidden.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validates, validates_schema
from sqlalchemy import ColumnElement, and_, exists, or_, select

from signals.auth.models import User
from signals.figures.access import figure_scope
from signals.figures.cube import REPORTER_KINDS, Cube, suppressed
from signals.figures.measures import Population, in_period, measure, months_from
from signals.validation import FIELD_MESSAGES, InputSchema, load
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.signal_lists import check_known_node

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


def figures(user: User, data: Mapping[str, Any]) -> dict[str, Any]:
    """Every figure of the period for ``user``; see the module's description."""
    query = load(StatsQuery(), data)
    start, end, node = query["start"], query["end"], query.get("node")
    cube = Cube(measure(population(figure_scope(user), start, end, node)))
    return {"from": start, "to": end, "node": node, **summary(cube)}


def summary(cube: Cube) -> dict[str, Any]:
    """The figures of the API from ``cube``."""
    return {
        "totals": totals(cube),
        "on_time": {clock: cube.on_time(clock) for clock in ("accept", "feedback", "update")},
        "by_node": {
            node: {
                "open": suppressed(cube.total("node_open", node)),
                "closed": suppressed(cube.total("node_closed", node)),
            }
            for node in cube.keys("node_open", "node_closed")
        },
        "by_reporter_kind": {
            kind: {
                "submitted": suppressed(cube.total("submitted", kind=kind)),
                "resolved": suppressed(cube.total("resolved", kind=kind)),
                "median_days_to_feedback": cube.median_days_to_feedback(kind=kind),
                "satisfaction": cube.satisfaction(kind=kind),
            }
            for kind in REPORTER_KINDS
        },
        "by_regulation": cube.counted("regulation"),
        "outcomes": cube.counted("outcome"),
        "satisfaction": cube.satisfaction(),
        "effectiveness": cube.effectiveness(),
    }


def totals(cube: Cube, *, kind: str | None = None) -> dict[str, int | None]:
    return {
        name: suppressed(cube.total(name, kind=kind)) for name in ("submitted", "open", "resolved")
    }


def population(
    scope: ColumnElement[bool], start: date, end: date, node: str | None = None
) -> Population:
    """The signals in ``scope`` submitted from ``start`` to ``end``.

    With ``node``: only those that are or were at it.
    """
    ids = select(Signal.id).where(scope, in_period(start, end))
    if node is not None:
        ids = ids.where(at_or_through(node))
    return Population(ids, months_from(start, end))


def at_or_through(node: str) -> ColumnElement[bool]:
    """SQL: the signal is at ``node`` now or has been there."""
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
    return or_(Signal.node == node, arrived)
