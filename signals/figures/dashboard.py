"""The dashboard (``/overzicht``) and the periodic report: every figure of a span of months.

*Leren, niet afrekenen*: figures per place, regulation, month and kind of reporter, never per
person. Which signals count is :mod:`.access`'s; the whole municipality's months come from
the monthly figures the sweep keeps (:mod:`.rollups`), anything narrower (a manager's nodes,
one node) is counted live by :mod:`.measures`; both are read through :class:`.cube.Cube`.

The trust pulse's answers (:mod:`signals.trust`) are the same for every reader: anonymous,
per round and kind of organisation, none over fewer than five.

Besides the counts the dashboard lists a few things by name, each only where the reader may
see them in full: the open signals that waited longest, the reasons given for "niet
mogelijk", and the kwesties decided in the period.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validates, validates_schema
from sqlalchemy import ColumnElement, and_, func, select, true

from signals.auth.models import User
from signals.clock import now
from signals.extensions import db
from signals.figures.access import figure_scope, sees_whole_municipality
from signals.figures.cube import Cube
from signals.figures.measures import (
    Row,
    in_period,
    local_start,
    measure,
    month_end,
    months_from,
    next_month,
)
from signals.figures.rollups import month_population, stored_rows
from signals.figures.stats import at_or_through, population
from signals.kwesties.models import Kwestie, KwestieStatus
from signals.kwesties.services import visible_kwestie_clause
from signals.routing.services import active_graph, business_calendar
from signals.trust.services import RoundFigures, pulse_figures
from signals.validation import FIELD_MESSAGES, InputSchema, load
from signals.workflow.access import fully_visible_clause
from signals.workflow.models import OPEN_STATUSES, Signal
from signals.workflow.signal_lists import check_known_node

LISTED = 10  # signals that waited longest, reasons, kwesties: the first this many
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MONTH_MESSAGES = {**FIELD_MESSAGES, "invalid": "Verwacht een maand als JJJJ-MM (bijv. 2026-03)."}
DEFAULT_MONTHS = 12


class MonthField(fields.Field[date]):
    """A calendar month written ``JJJJ-MM``; loads as the first day of that month."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not MONTH.match(value.strip()):
            raise self.make_error("invalid")
        return date(int(value.strip()[:4]), int(value.strip()[5:]), 1)


class DashboardQuery(InputSchema):
    """The months (``van`` up to and including ``tot``) and optionally one node (``plek``)."""

    first = MonthField(data_key="van", error_messages=MONTH_MESSAGES)
    last = MonthField(data_key="tot", error_messages=MONTH_MESSAGES)
    node = fields.String(
        data_key="plek",
        error_messages={**FIELD_MESSAGES, "invalid": "Kies een plek uit de lijst."},
    )

    @validates("node")
    def _known_node(self, value: str, **_kwargs: Any) -> None:
        check_known_node(value)

    @validates_schema
    def _order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        first, last = data.get("first"), data.get("last")
        if isinstance(first, date) and isinstance(last, date) and last < first:
            raise ValidationError("Kies een maand op of na de eerste maand.", "tot")


@dataclass(frozen=True)
class Waiting:
    """An open signal that has waited long: since when, and where it is now."""

    reference: str
    node: str
    submitted: datetime
    working_days: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard and the report show for one span of months."""

    first: date
    last: date
    node: str | None
    whole_municipality: bool
    cube: Cube
    months: tuple[date, ...]
    computed_at: datetime | None  # when the kept monthly figures were made; None: just now
    waited_longest: list[Waiting] = field(default_factory=list)
    not_possible: list[tuple[str, str]] = field(default_factory=list)  # (reference, rationale)
    kwesties_decided: list[Kwestie] = field(default_factory=list)
    kwesties_decided_count: int = 0
    trust: list[RoundFigures] = field(default_factory=list)  # the trust pulse's rounds


def default_span(moment: datetime) -> tuple[date, date]:
    """The twelve months up to and including the current one."""
    last = business_calendar().local_date(moment).replace(day=1)
    months = last.year * 12 + last.month - 1 - (DEFAULT_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1), last


def dashboard(user: User, data: Mapping[str, Any]) -> Dashboard:
    """The dashboard of ``user`` for the months and node in ``data`` (raises InputInvalid)."""
    first, last, node = _span(data)
    return build(user, first, last, node)


def dashboard_filters(data: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """SQL: the signals of the dashboard's months and node (for its CSV; raises InputInvalid)."""
    return _signals_of(*_span(data))


def _span(data: Mapping[str, Any]) -> tuple[date, date, str | None]:
    query = load(DashboardQuery(), data)
    first, last = default_span(now())
    first, last = query.get("first", first), query.get("last", last)
    if "first" in query and "last" not in query and first > last:
        last = first
    if "last" in query and "first" not in query and first > last:
        first = last
    return first, last, query.get("node")


def _signals_of(first: date, last: date, node: str | None) -> list[ColumnElement[bool]]:
    """SQL: submitted in the months ``first`` to ``last``, and at or through ``node`` if given."""
    return [in_period(first, month_end(last)), *([] if node is None else [at_or_through(node)])]


def build(user: User, first: date, last: date, node: str | None = None) -> Dashboard:
    """The figures of the months ``first`` to ``last`` (at ``node``) for ``user``."""
    months = months_from(first, last)
    since, until = local_start(first), local_start(next_month(last))
    whole = sees_whole_municipality(user)
    rows, computed_at = _rows(user, months, node, whole)
    signals = _signals_of(first, last, node)
    return Dashboard(
        first=first,
        last=last,
        node=node,
        whole_municipality=whole,
        cube=Cube(rows),
        months=months,
        computed_at=computed_at,
        trust=pulse_figures(first, month_end(last)),
        waited_longest=_waited_longest(user, signals),
        not_possible=_not_possible(user, signals),
        **decided_kwesties(
            true() if whole else visible_kwestie_clause(user),
            since,
            until,
            listed=visible_kwestie_clause(user),
        ),
    )


def _rows(
    user: User, months: tuple[date, ...], node: str | None, whole: bool
) -> tuple[list[Row], datetime | None]:
    if whole and node is None:
        rows, missing, computed_at = stored_rows(months)
        if missing:
            rows += _live_whole(missing)
        return rows, computed_at
    scope = figure_scope(user)
    return measure(population(scope, months[0], month_end(months[-1]), node)), None


def _live_whole(months: tuple[date, ...]) -> list[Row]:
    rows: list[Row] = []
    for run in _consecutive(months):
        rows += measure(month_population(run))
    return rows


def _consecutive(months: tuple[date, ...]) -> list[tuple[date, ...]]:
    runs: list[list[date]] = []
    for month in months:
        if runs and next_month(runs[-1][-1]) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return [tuple(run) for run in runs]


def _waited_longest(user: User, signals: list[ColumnElement[bool]]) -> list[Waiting]:
    query = (
        select(Signal.reference, Signal.node, Signal.created_at)
        .where(fully_visible_clause(user), *signals, Signal.status.in_(OPEN_STATUSES))
        .order_by(Signal.created_at, Signal.id)
        .limit(LISTED)
    )
    calendar, moment = business_calendar(), now()
    return [
        Waiting(reference, at, submitted, calendar.working_days_between(submitted, moment))
        for reference, at, submitted in db.session.execute(query)
    ]


def _not_possible(user: User, signals: list[ColumnElement[bool]]) -> list[tuple[str, str]]:
    """The latest reasons given for "niet mogelijk".

    Only where the reader may see the signal in full and its node shows who reported
    (elsewhere a reason could point to the reporter).
    """
    hidden = [key for key, spec in active_graph().nodes.items() if not spec.shows_reporter]
    query = (
        select(Signal.reference, Signal.rationale)
        .where(
            fully_visible_clause(user),
            *signals,
            Signal.outcome == "not_possible",
            Signal.node.not_in(hidden) if hidden else true(),
        )
        .order_by(Signal.resolved_at.desc(), Signal.id.desc())
        .limit(LISTED)
    )
    return [(reference, rationale or "") for reference, rationale in db.session.execute(query)]


def decided_kwesties(
    counted: ColumnElement[bool],
    since: datetime,
    until: datetime,
    listed: ColumnElement[bool] | None = None,
) -> dict[str, Any]:
    """The kwesties decided from ``since`` until (not including) ``until``.

    How many of ``counted``, and the latest of ``listed`` (by default the same).
    """
    decided = and_(
        Kwestie.status == KwestieStatus.DECIDED,
        Kwestie.decided_at >= since,
        Kwestie.decided_at < until,
    )
    count = db.session.scalar(select(func.count()).select_from(Kwestie).where(decided, counted))
    latest = db.session.scalars(
        select(Kwestie)
        .where(decided, counted if listed is None else listed)
        .order_by(Kwestie.decided_at.desc(), Kwestie.id.desc())
        .limit(LISTED)
    )
    return {"kwesties_decided": list(latest), "kwesties_decided_count": count or 0}
