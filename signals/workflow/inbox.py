"""The triage inbox: what a person owns, filtered, counted and sorted by the nearest due date.

Owners see only what they own — signals whose owner is the person, or a group the person is a
member of. Administrators get no "see all" here: their inbox is their own ownership too. The
counts per status are computed over the same owner scope and the same non-status filters, so
they never include signals of someone else.

Sorting is by the deadline that matters now (:func:`due_expression`): the accept deadline of a
new signal, otherwise the feedback deadline, then the next status update; ties go by id. Pages
are cut with a keyset condition ``(due, id) > (cursor_due, cursor_id)`` so that page 1,000 costs
what page 1 costs; the cursor is opaque to the browser.

The page is one query and the counts are one query; the template needs nothing more. Within
the page query each way of owning (the person, each of their groups) gets its own ordered,
limited subquery, so that PostgreSQL can walk a partial index on ``(owner, due, id)`` (see
:mod:`signals.workflow.models`) and stop after a page instead of sorting everything the person
owns. Counts stop at :data:`COUNT_CAP` ("meer dan 1.000") for the same reason.

The cursor format, the overdue rule and the node check are the API list's too
(:mod:`signals.workflow.signal_lists`).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from marshmallow import fields
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from signals import codes
from signals.auth.models import Organisation, Role, User
from signals.database import UTCDateTime
from signals.extensions import db
from signals.routing.services import active_graph, independent_nodes
from signals.validation import FIELD_MESSAGES, FormSchema, choice_field, load, query_args
from signals.workflow.models import (
    FAR_FUTURE,
    OPEN_STATUSES,
    Signal,
    SignalParticipant,
    SignalStatus,
    due_expression,
    open_status_clause,
    sql_constant,
)
from signals.workflow.signal_lists import (
    DUE_CURSOR,
    CursorField,
    DueCursor,
    check_known_node,
    is_overdue,
    overdue_filter,
)

# Counts per status stop here: "meer dan 1.000" tells a triager as much as 174.312 does, and
# counting a large group's signals exactly would cost a pass over all of them per page view.
COUNT_CAP = 1000
REPORTER_KINDS: Mapping[str, str] = {
    "staff": "Medewerker van de gemeente",
    "partner": "Medewerker van een partner",
    "anonymous": "Anonieme melder",
}
# The filters that are not the status: the counts per status use exactly these.
NON_STATUS_FILTERS = ("node", "regulation", "urgency", "scope", "reporter_kind", "overdue")


class InboxFilters(FormSchema):
    """The inbox's query string: every filter is optional; no status means the open ones."""

    status = choice_field(codes.STATUSES, required=False)
    node = fields.String(
        validate=check_known_node,
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een code."},
    )
    regulation = choice_field(codes.REGULATIONS, required=False)
    urgency = choice_field(codes.URGENCIES, required=False)
    scope = choice_field(codes.SCOPES, required=False)
    reporter_kind = choice_field(REPORTER_KINDS, required=False)
    overdue = fields.Boolean(error_messages={**FIELD_MESSAGES, "invalid": "Kies ja of nee."})
    cursor = CursorField(DUE_CURSOR)


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox and what the template needs to show it."""

    signals: list[Signal]
    # Per status code (all of them), over the owner scope with the non-status filters; at
    # most the cap, and the statuses that have more are in ``counts_over_cap``.
    counts: dict[str, int]
    counts_over_cap: frozenset[str]
    next_cursor: str | None
    # The validated filters that were applied, without the cursor (absent: not filtered).
    filters: dict[str, Any]
    # The date each signal is sorted by (None: it has no deadline), by reference.
    due: dict[str, datetime | None]
    # References of the signals whose accept or feedback deadline has passed.
    overdue: frozenset[str]
    # Whether this is a later page (a cursor was given).
    continued: bool = False

    @property
    def is_filtered(self) -> bool:
        return bool(self.filters)

    def query_args(self, **changes: str | int | None) -> dict[str, str]:
        """The page's filters as query string values, with ``changes`` (None drops one)."""
        return query_args(self.filters, **changes)


# SQL and its Python mirror -------------------------------------------------------------------


def due_of(signal: Signal) -> datetime:
    """What :func:`due_expression` gives for ``signal``."""
    running: datetime | None = None
    if signal.status == SignalStatus.NEW:
        running = signal.accept_due
    elif signal.status == SignalStatus.IN_PROGRESS and signal.feedback_sent_at is None:
        running = signal.feedback_due
    return running if running is not None else FAR_FUTURE


def owner_branches(user: User) -> list[ColumnElement[bool]]:
    """SQL: one condition per way ``user`` can own a signal — as a person, or per group.

    Together they are the owner scope (administrators alike: no "see all"). An open signal has
    exactly one owner, so the branches never overlap. Each branch is queried on its own so
    that PostgreSQL can walk an index on ``(owner, due, id)`` in order and stop after a page.
    """
    return [
        Signal.owner_user_id == user.id,
        *(Signal.owner_group == group for group in user.groups),
    ]


def _non_status_conditions(filters: Mapping[str, Any], now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for name, column in (
        ("node", Signal.node),
        ("urgency", Signal.urgency),
        ("scope", Signal.scope),
    ):
        if name in filters:
            conditions.append(column == filters[name])
    if "regulation" in filters:
        pattern = Signal.regulation_code_pattern(filters["regulation"])
        conditions.append(Signal.regulation_codes.contains(pattern, autoescape=True))
    if "reporter_kind" in filters:
        conditions.append(Organisation.kind == filters["reporter_kind"])
    if "overdue" in filters:
        conditions.append(overdue_filter(filters["overdue"], now))
    return conditions


def _open_range(filters: Mapping[str, Any], now: datetime) -> list[ColumnElement[bool]]:
    """Conditions implied by the filters for open signals only, as ranges on the sort key.

    "Not late" implies ``due >= now`` for an open signal: a new one's accept deadline has not
    passed (deadlines are never empty: a check constraint), nor the pending feedback deadline
    of one in progress, and otherwise the sort key is the far future. As a range it lets the
    index skip every late signal instead of reading them all. Resolved and withdrawn signals
    are never late, and their sort key says nothing about it, so it must not touch them.
    """
    if filters.get("overdue") is False:
        return [due_expression() >= literal(now, UTCDateTime())]
    return []


def _is_closed(status: str | None) -> bool:
    """Resolved or withdrawn: never late, and its sort key says nothing about lateness."""
    return status is not None and status not in OPEN_STATUSES


def _cannot_match(status: str | None, filters: Mapping[str, Any]) -> bool:
    """Whether no signal can have ``status`` under ``filters``: closed ones are never late.

    Asking the database anyway would walk every resolved signal of a large group.
    """
    return _is_closed(status) and filters.get("overdue") is True


def _page_range(filters: Mapping[str, Any], now: datetime) -> list[ColumnElement[bool]]:
    """:func:`_open_range` when the page shows open signals only."""
    if _is_closed(filters.get("status")):
        return []
    return _open_range(filters, now)


def _status_condition(filters: Mapping[str, Any]) -> ColumnElement[bool]:
    """The status filter, its codes written into the SQL (see :func:`sql_constant`)."""
    if "status" in filters:
        status: str = filters["status"]
        return Signal.status == sql_constant(status)
    return open_status_clause()


# The page ------------------------------------------------------------------------------------


def inbox_page(
    user: User,
    filters: Mapping[str, Any],
    now: datetime,
    limit: int = 50,
    count_cap: int | None = None,
) -> InboxPage:
    """One page of ``user``'s inbox for the raw ``filters`` (a query string's values).

    Raises :class:`signals.errors.InputInvalid` with Dutch per-field messages for a filter
    value that is not allowed, including a malformed ``cursor``.
    """
    count_cap = COUNT_CAP if count_cap is None else count_cap
    if limit < 1 or count_cap < 1:
        raise ValueError("limit and count_cap must be positive")
    request = _parse(filters, now)
    values, cursor = request.values, request.cursor
    branches = owner_branches(user)
    found: list[Signal] = []
    if not _cannot_match(values.get("status"), values):
        query = _page_statement(branches, values, request.page_conditions, cursor, limit)
        found = list(db.session.scalars(query))
    signals = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last = signals[-1]
        next_cursor = DUE_CURSOR.encode(DueCursor(due_of(last), last.id))

    counts, counts_over_cap = _counts(
        branches, values, request.conditions, _open_range(values, now), count_cap
    )
    return InboxPage(
        signals=signals,
        counts=counts,
        counts_over_cap=counts_over_cap,
        next_cursor=next_cursor,
        filters=values,
        due={
            signal.reference: (None if due_of(signal) == FAR_FUTURE else due_of(signal))
            for signal in signals
        },
        overdue=frozenset(signal.reference for signal in signals if is_overdue(signal, now)),
        continued=cursor is not None,
    )


class _Request(NamedTuple):
    """The raw filters, validated and turned into SQL conditions."""

    values: dict[str, Any]  # without the cursor
    cursor: DueCursor | None
    conditions: list[ColumnElement[bool]]  # the non-status filters
    page_conditions: list[ColumnElement[bool]]  # the same, plus the page's sort-key range


def _parse(filters: Mapping[str, Any], now: datetime) -> _Request:
    """Raises :class:`signals.errors.InputInvalid` for a filter value that is not allowed."""
    values = load(InboxFilters(), filters)
    cursor: DueCursor | None = values.pop("cursor", None)
    conditions = _non_status_conditions(values, now)
    return _Request(values, cursor, conditions, conditions + _page_range(values, now))


def inbox_conditions(
    user: User, filters: Mapping[str, Any], now: datetime
) -> list[ColumnElement[bool]]:
    """The whole inbox for ``filters`` (any page cursor ignored) as SQL conditions.

    What ``user`` owns, the status (the open ones without a status filter) and the other
    filters; ``reporter_kind`` needs :class:`Organisation` joined. For the inbox's CSV.
    Raises :class:`signals.errors.InputInvalid` like :func:`inbox_page`.
    """
    request = _parse(filters, now)
    return [or_(*owner_branches(user)), _status_condition(request.values), *request.conditions]


def branch_queries(
    user: User, filters: Mapping[str, Any], now: datetime, limit: int = 50
) -> list[Select[int]]:
    """The ordered per-owner statements inside the page query (for EXPLAIN)."""
    request = _parse(filters, now)
    return [
        _branch_ids(owner, request.values, request.page_conditions, request.cursor, limit)
        for owner in owner_branches(user)
    ]


def page_query(
    user: User, filters: Mapping[str, Any], now: datetime, limit: int = 50
) -> Select[Signal]:
    """The statement :func:`inbox_page` runs for the page (for EXPLAIN in the benchmark)."""
    request = _parse(filters, now)
    return _page_statement(
        owner_branches(user), request.values, request.page_conditions, request.cursor, limit
    )


def _branch_ids(
    owner: ColumnElement[bool],
    values: Mapping[str, Any],
    conditions: list[ColumnElement[bool]],
    cursor: DueCursor | None,
    limit: int,
) -> Select[int]:
    """The ids of the first ``limit + 1`` signals of one way of owning, after ``cursor``."""
    due = due_expression()
    ids = select(Signal.id).where(owner, _status_condition(values), *conditions)
    if "reporter_kind" in values:
        ids = ids.join(Organisation, Organisation.id == Signal.organisation_id)
    if cursor is not None:
        ids = ids.where(
            tuple_(due, Signal.id)
            > tuple_(literal(cursor.due, UTCDateTime()), literal(cursor.id, Integer()))
        )
    return ids.order_by(due, Signal.id).limit(limit + 1).correlate(None)


def _page_statement(
    branches: list[ColumnElement[bool]],
    values: Mapping[str, Any],
    conditions: list[ColumnElement[bool]],
    cursor: DueCursor | None,
    limit: int,
) -> Select[Signal]:
    """The first ``limit + 1`` signals after ``cursor``, with what the template shows.

    Per owner branch, the ids of its first ``limit + 1`` signals; the page is the first
    ``limit + 1`` of those together — one statement.
    """
    candidates = [_branch_ids(owner, values, conditions, cursor, limit) for owner in branches]
    page_ids = (
        candidates[0]
        if len(candidates) == 1
        else union_all(*(select(part.subquery().c.id) for part in candidates))
    )
    due = due_expression()
    return (
        select(Signal)
        .join(Organisation, Organisation.id == Signal.organisation_id)
        .where(Signal.id.in_(page_ids))
        .options(
            contains_eager(Signal.organisation),
            joinedload(Signal.reporter).options(
                lazyload(User.organisation), lazyload(User.group_memberships)
            ),
            lazyload(Signal.owner_user),
            lazyload(Signal.regulation_rows),
        )
        .order_by(due, Signal.id)
        .limit(limit + 1)
    )


def _counts(
    branches: list[ColumnElement[bool]],
    filters: Mapping[str, Any],
    conditions: list[ColumnElement[bool]],
    open_range: list[ColumnElement[bool]],
    cap: int,
) -> tuple[dict[str, int], frozenset[str]]:
    """Signals per status over the owner scope with the non-status filters, in one statement.

    Each (status, owner branch) pair counts at most ``cap + 1`` rows of its own index range,
    so a view costs the same for a group sharing 250,000 signals as for one sharing 250.
    ``open_range`` applies to the open statuses only. Returns the counts (at most ``cap``)
    and the statuses that have more than ``cap``.
    """
    parts = []
    for status in codes.STATUSES:
        if _cannot_match(status, filters):
            continue
        for owner in branches:
            ids = select(Signal.id).where(owner, Signal.status == sql_constant(status), *conditions)
            if not _is_closed(status):
                ids = ids.where(*open_range)
            if "reporter_kind" in filters:
                ids = ids.join(Organisation, Organisation.id == Signal.organisation_id)
            limited = ids.limit(cap + 1).subquery()
            parts.append(
                select(
                    literal(status, String()).label("status"), func.count().label("number")
                ).select_from(limited)
            )
    counts = dict.fromkeys(codes.STATUSES, 0)
    for status, number in db.session.execute(union_all(*parts)).all():
        counts[status] += int(number)
    over_cap = frozenset(status for status, number in counts.items() if number > cap)
    return {status: min(number, cap) for status, number in counts.items()}, over_cap


def reporters_shown(user: User, signals: Iterable[Signal]) -> set[str]:
    """References of ``signals`` whose reporter ``user`` may see, in at most one query.

    The same rule as :func:`signals.workflow.access.shows_reporter` (which asks the database
    once per signal): the reporter always, administrators outside the closed rooms; otherwise
    only when a node at which the user owns or owned the signal shows the reporter.
    """
    graph = active_graph()

    def any_node_shows(keys: Iterable[str]) -> bool:
        return any(graph.nodes[key].shows_reporter for key in keys if key in graph.nodes)

    shown: set[str] = set()
    undecided: dict[int, Signal] = {}
    independent = set(independent_nodes())
    for signal in signals:
        at_open_place = signal.node not in independent
        if signal.reporter_id == user.id or (user.role == Role.ADMIN and at_open_place):
            shown.add(signal.reference)
        elif signal.is_owned_by(user) and any_node_shows([signal.node]):
            shown.add(signal.reference)
        else:
            undecided[signal.id] = signal
    if not undecided:
        return shown
    participation: list[ColumnElement[bool]] = [SignalParticipant.user_id == user.id]
    if user.groups:
        participation.append(SignalParticipant.group.in_(user.groups))
    if user.role == Role.OMBUDSMAN_ADMIN and independent:  # sees as the ombudsman does
        participation.append(SignalParticipant.node.in_(sorted(independent)))
    rows = db.session.execute(
        select(SignalParticipant.signal_id, SignalParticipant.node).where(
            SignalParticipant.signal_id.in_(list(undecided)), or_(*participation)
        )
    ).all()
    nodes: dict[int, set[str]] = {}
    for signal_id, node in rows:
        nodes.setdefault(signal_id, set()).add(node)
    for signal_id, signal in undecided.items():
        if any_node_shows(nodes.get(signal_id, set())):
            shown.add(signal.reference)
    return shown
