"""The triage inbox: what a person owns, filtered, counted and sorted by the nearest due date.

Owners see only what they own — signals whose owner is the person, or a group the person is a
member of. Administrators get no "see all" here: their inbox is their own ownership too. The
counts per status are computed over the same owner scope and the same non-status filters, so
they never include signals of someone else.

Sorting is by the deadline that matters now (:func:`due_expression`): the accept deadline of a
new signal, otherwise the feedback deadline, then the next status update; ties go by id. Pages
are cut with a keyset condition ``(due, id) > (cursor_due, cursor_id)`` so that page 1,000 costs
what page 1 costs; the cursor is opaque to the browser.

The page is one query and the counts are one grouped query; the template needs nothing more.
"""

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from marshmallow import ValidationError, fields
from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from signals import codes
from signals.auth.models import Organisation, Role, User
from signals.database import UTCDateTime
from signals.extensions import db
from signals.routing.services import active_graph
from signals.validation import FIELD_MESSAGES, FormSchema, choice_field, load
from signals.workflow.access import is_owner
from signals.workflow.models import (
    OPEN_STATUSES,
    Signal,
    SignalParticipant,
    SignalRegulation,
    SignalStatus,
)

CURSOR_MESSAGE = "Ongeldige paginaverwijzing."
# Sorts after every real deadline; stands in for "no deadline at all".
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
REPORTER_KINDS: Mapping[str, str] = {
    "staff": "Medewerker van de gemeente",
    "partner": "Medewerker van een partner",
}
# The filters that are not the status: the counts per status use exactly these.
NON_STATUS_FILTERS = ("node", "regulation", "urgency", "scope", "reporter_kind", "overdue")


class Cursor(NamedTuple):
    """Where a page ends: the due date and id of its last signal."""

    due: datetime
    id: int


def encode_cursor(cursor: Cursor) -> str:
    """``isoformat|id`` in URL-safe base64 (without padding)."""
    raw = f"{cursor.due.astimezone(UTC).isoformat()}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(text: str) -> Cursor:
    """The cursor in ``text``; :class:`ValueError` when it is not one this module made."""
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        due_text, id_text = raw.decode("ascii").split("|")
        due = datetime.fromisoformat(due_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError("malformed cursor") from error
    if due.tzinfo is None or not id_text.isdigit() or int(id_text) < 1:
        raise ValueError("malformed cursor")
    return Cursor(due.astimezone(UTC), int(id_text))


class _CursorField(fields.Field[Cursor]):
    """An opaque page cursor; loads as a :class:`Cursor`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Cursor:
        if not isinstance(value, str):
            raise ValidationError(CURSOR_MESSAGE)
        try:
            return decode_cursor(value)
        except ValueError as error:
            raise ValidationError(CURSOR_MESSAGE) from error


def _known_node(value: str) -> None:
    if value not in active_graph().nodes:
        raise ValidationError(f"Onbekende keuze: {value}.")


class InboxFilters(FormSchema):
    """The inbox's query string: every filter is optional; no status means the open ones."""

    status = choice_field(codes.STATUSES, required=False)
    node = fields.String(
        validate=_known_node, error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een code."}
    )
    regulation = choice_field(codes.REGULATIONS, required=False)
    urgency = choice_field(codes.URGENCIES, required=False)
    scope = choice_field(codes.SCOPES, required=False)
    reporter_kind = choice_field(REPORTER_KINDS, required=False)
    overdue = fields.Boolean(error_messages={**FIELD_MESSAGES, "invalid": "Kies ja of nee."})
    cursor = _CursorField(error_messages={**FIELD_MESSAGES, "invalid": CURSOR_MESSAGE})


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox and what the template needs to show it."""

    signals: list[Signal]
    # Per status code (all of them), over the owner scope with the non-status filters.
    counts: dict[str, int]
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

    def query_args(self, **changes: str | None) -> dict[str, str]:
        """The query string of this inbox's filters with ``changes``; ``None`` drops a key."""
        args: dict[str, str] = {}
        for name, value in self.filters.items():
            args[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        for name, change in changes.items():
            if change is None:
                args.pop(name, None)
            else:
                args[name] = change
        return args


# SQL and its Python mirror -------------------------------------------------------------------


def due_expression() -> ColumnElement[datetime]:
    """The deadline a signal is sorted by, as SQL.

    ``coalesce(accept_due if status = 'new' else feedback_due, update_due, FAR_FUTURE)``;
    :func:`due_of` computes the same in Python for a loaded signal.
    """
    first = case(
        (Signal.status == SignalStatus.NEW.value, Signal.accept_due), else_=Signal.feedback_due
    )
    return func.coalesce(first, Signal.update_due, literal(FAR_FUTURE, UTCDateTime()))


def due_of(signal: Signal) -> datetime:
    """What :func:`due_expression` gives for ``signal``."""
    first = signal.accept_due if signal.status == SignalStatus.NEW else signal.feedback_due
    for moment in (first, signal.update_due):
        if moment is not None:
            return moment
    return FAR_FUTURE


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """SQL: an open signal whose feedback deadline, or (while new) accept deadline, has passed.

    Every comparison is guarded against NULL so that ``NOT`` of it is exact too.
    """
    moment = literal(now, UTCDateTime())
    feedback_late = and_(Signal.feedback_due.is_not(None), Signal.feedback_due < moment)
    accept_late = and_(
        Signal.status == SignalStatus.NEW.value,
        Signal.accept_due.is_not(None),
        Signal.accept_due < moment,
    )
    return and_(Signal.status.in_(OPEN_STATUSES), or_(feedback_late, accept_late))


def is_overdue(signal: Signal, now: datetime) -> bool:
    """What :func:`overdue_clause` says about a loaded ``signal``."""
    if signal.status not in OPEN_STATUSES:
        return False
    if signal.feedback_due is not None and signal.feedback_due < now:
        return True
    return (
        signal.status == SignalStatus.NEW
        and signal.accept_due is not None
        and signal.accept_due < now
    )


def owner_scope(user: User) -> ColumnElement[bool]:
    """SQL: signals owned by ``user`` or by a group ``user`` is a member of (admins alike)."""
    clauses: list[ColumnElement[bool]] = [Signal.owner_user_id == user.id]
    if user.groups:
        clauses.append(Signal.owner_group.in_(user.groups))
    return or_(*clauses)


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
        conditions.append(
            exists().where(
                SignalRegulation.signal_id == Signal.id,
                SignalRegulation.code == filters["regulation"],
            )
        )
    if "reporter_kind" in filters:
        conditions.append(Organisation.kind == filters["reporter_kind"])
    if "overdue" in filters:
        late = overdue_clause(now)
        conditions.append(late if filters["overdue"] else not_(late))
    return conditions


def _status_condition(filters: Mapping[str, Any]) -> ColumnElement[bool]:
    if "status" in filters:
        status: str = filters["status"]
        return Signal.status == status
    return Signal.status.in_(OPEN_STATUSES)


# The page ------------------------------------------------------------------------------------


def inbox_page(user: User, filters: Mapping[str, Any], now: datetime, limit: int = 50) -> InboxPage:
    """One page of ``user``'s inbox for the raw ``filters`` (a query string's values).

    Raises :class:`signals.errors.InputInvalid` with Dutch per-field messages for a filter
    value that is not allowed, including a malformed ``cursor``.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    values = load(InboxFilters(), filters)
    cursor: Cursor | None = values.pop("cursor", None)
    scope = owner_scope(user)
    conditions = _non_status_conditions(values, now)

    due = due_expression()
    query = (
        select(Signal)
        .join(Organisation, Organisation.id == Signal.organisation_id)
        .where(scope, _status_condition(values), *conditions)
        .options(
            contains_eager(Signal.organisation),
            joinedload(Signal.reporter, innerjoin=True).options(
                lazyload(User.organisation), lazyload(User.group_memberships)
            ),
            lazyload(Signal.owner_user),
            lazyload(Signal.regulation_rows),
        )
        .order_by(due, Signal.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(
            tuple_(due, Signal.id)
            > tuple_(literal(cursor.due, UTCDateTime()), literal(cursor.id, Integer()))
        )
    found = list(db.session.scalars(query))
    signals = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last = signals[-1]
        next_cursor = encode_cursor(Cursor(due_of(last), last.id))

    return InboxPage(
        signals=signals,
        counts=_counts(scope, values, conditions),
        next_cursor=next_cursor,
        filters=values,
        due={
            signal.reference: (None if due_of(signal) == FAR_FUTURE else due_of(signal))
            for signal in signals
        },
        overdue=frozenset(signal.reference for signal in signals if is_overdue(signal, now)),
        continued=cursor is not None,
    )


def _counts(
    scope: ColumnElement[bool],
    filters: Mapping[str, Any],
    conditions: list[ColumnElement[bool]],
) -> dict[str, int]:
    query = select(Signal.status, func.count()).where(scope, *conditions)
    if "reporter_kind" in filters:
        query = query.join(Organisation, Organisation.id == Signal.organisation_id)
    counts = dict.fromkeys(codes.STATUSES, 0)
    for status, number in db.session.execute(query.group_by(Signal.status)).all():
        counts[status] = number
    return counts


def reporters_shown(user: User, signals: Iterable[Signal]) -> set[str]:
    """References of ``signals`` whose reporter ``user`` may see, in at most one query.

    The same rule as :func:`signals.workflow.access.shows_reporter` (which asks the database
    once per signal): administrators and the reporter always; otherwise only when a node at
    which the user owns or owned the signal shows the reporter.
    """
    graph = active_graph()

    def any_node_shows(keys: Iterable[str]) -> bool:
        return any(graph.nodes[key].shows_reporter for key in keys if key in graph.nodes)

    shown: set[str] = set()
    undecided: dict[int, Signal] = {}
    for signal in signals:
        if user.role == Role.ADMIN or signal.reporter_id == user.id:
            shown.add(signal.reference)
        elif is_owner(user, signal) and any_node_shows([signal.node]):
            shown.add(signal.reference)
        else:
            undecided[signal.id] = signal
    if not undecided:
        return shown
    participation: list[ColumnElement[bool]] = [SignalParticipant.user_id == user.id]
    if user.groups:
        participation.append(SignalParticipant.group.in_(user.groups))
    rows = db.session.execute(
        select(SignalParticipant.signal_id, SignalParticipant.node).where(
            SignalParticipant.signal_id.in_(list(undecided)), or_(*participation)
        )
    ).tuples()
    nodes: dict[int, set[str]] = {}
    for signal_id, node in rows:
        nodes.setdefault(signal_id, set()).add(node)
    for signal_id, signal in undecided.items():
        if any_node_shows(nodes.get(signal_id, set())):
            shown.add(signal.reference)
    return shown
