"""What the two lists of signals share: their page cursors, the overdue rule, the node filter.

The web inbox (:mod:`signals.workflow.inbox`) is sorted by due date and continues after a
``(due, id)`` cursor; the API's list (:mod:`signals.workflow.listing`) is sorted newest first
and continues after an id. Each cursor format is written and read here (:data:`DUE_CURSOR`,
:data:`ID_CURSOR`), and :class:`CursorField` is the one place that answers a cursor that does
not read: a 422 with the format's Dutch message for the ``cursor`` field, whatever was wrong.

Both lists call a signal late by one rule, :func:`overdue_clause` in SQL and its twin
:func:`is_overdue` in Python, and refuse a node outside the active route with one message
(:func:`check_known_node`).
"""

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, NamedTuple, TypeVar

from marshmallow import ValidationError, fields
from sqlalchemy import ColumnElement, and_, literal, not_, or_

from signals.database import MAX_ID, UTCDateTime
from signals.routing.services import active_graph
from signals.validation import FIELD_MESSAGES
from signals.workflow.models import FAR_FUTURE, Signal, SignalStatus

T = TypeVar("T")

# No signal's sort key lies before this (nor after FAR_FUTURE): a cursor outside is made up.
EARLIEST_DUE = datetime(1970, 1, 1, tzinfo=UTC)
# An id cursor: digits, as many as a key can have (also the OpenAPI document's pattern).
ID_CURSOR_PATTERN = r"^[0-9]{1,19}$"
UNKNOWN_NODE_MESSAGE = "Onbekende keuze: {node}."


# Page cursors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CursorFormat(Generic[T]):
    """How a list writes where a page ends, reads it back, and answers what it cannot read."""

    encode: Callable[[T], str]
    # Raises ValueError for text this format did not write (crafted, cut off, out of range).
    decode: Callable[[str], T]
    message: str  # the Dutch message for the ``cursor`` field
    pattern: str | None = None  # what the OpenAPI document says the text looks like


class DueCursor(NamedTuple):
    """Where an inbox page ends: the due date and id of its last signal."""

    due: datetime
    id: int


def _encode_due(cursor: DueCursor) -> str:
    """``isoformat|id`` in URL-safe base64 (without padding): opaque to the browser."""
    raw = f"{cursor.due.astimezone(UTC).isoformat()}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode_due(text: str) -> DueCursor:
    if len(text) > 200:
        raise ValueError("cursor too long")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        due_text, id_text = raw.decode("ascii").split("|")
        due = datetime.fromisoformat(due_text)
        if due.tzinfo is None:
            raise ValueError("cursor without offset")
        due = due.astimezone(UTC)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
        raise ValueError("malformed cursor") from error
    id_ok = id_text.isascii() and id_text.isdigit() and len(id_text) <= len(str(MAX_ID))
    if not id_ok or not 1 <= int(id_text) <= MAX_ID or not EARLIEST_DUE <= due <= FAR_FUTURE:
        raise ValueError("malformed cursor")
    return DueCursor(due, int(id_text))


def _decode_id(text: str) -> int:
    """The id; it may lie past every id a key can hold (the list reads that as its top)."""
    if re.match(ID_CURSOR_PATTERN, text) is None:
        raise ValueError("not an id")
    return int(text)


DUE_CURSOR = CursorFormat[DueCursor](_encode_due, _decode_due, "Ongeldige paginaverwijzing.")
ID_CURSOR = CursorFormat[int](str, _decode_id, "Ongeldige cursor.", ID_CURSOR_PATTERN)


class CursorField(fields.Field[T]):
    """A page cursor in ``cursor_format``, loaded as what it decodes to; text, for the API."""

    def __init__(self, cursor_format: CursorFormat[T], **kwargs: Any) -> None:
        pattern = {"pattern": cursor_format.pattern} if cursor_format.pattern else {}
        kwargs["metadata"] = {"type": "string", **pattern, **kwargs.get("metadata", {})}
        messages = {**FIELD_MESSAGES, "invalid": cursor_format.message}
        super().__init__(error_messages=messages, **kwargs)
        self.cursor_format = cursor_format

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> T:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return self.cursor_format.decode(value)
        except ValueError as error:
            raise self.make_error("invalid") from error


# Overdue -------------------------------------------------------------------------------------


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """SQL: a signal whose running clock has passed: accept or (pending) feedback.

    A paused signal (waiting for the reporter) is never late, nor is one whose reporter has
    had feedback at this node. Every comparison is guarded against NULL so that ``NOT`` of it
    is exact too.
    """
    moment = literal(now, UTCDateTime())
    feedback_late = and_(
        Signal.feedback_sent_at.is_(None),
        Signal.feedback_due.is_not(None),
        Signal.feedback_due < moment,
    )
    accept_late = and_(Signal.accept_due.is_not(None), Signal.accept_due < moment)
    return or_(
        and_(Signal.status == SignalStatus.NEW.value, or_(accept_late, feedback_late)),
        and_(Signal.status == SignalStatus.IN_PROGRESS.value, feedback_late),
    )


def is_overdue(signal: Signal, now: datetime) -> bool:
    """What :func:`overdue_clause` says about a loaded ``signal``."""
    feedback_late = (
        signal.feedback_sent_at is None
        and signal.feedback_due is not None
        and signal.feedback_due < now
    )
    if signal.status == SignalStatus.NEW:
        accept_late = signal.accept_due is not None and signal.accept_due < now
        return accept_late or feedback_late
    return signal.status == SignalStatus.IN_PROGRESS and feedback_late


def overdue_filter(overdue: bool, now: datetime) -> ColumnElement[bool]:
    """SQL: a list's ``overdue`` filter: the late signals (True), or every other one (False)."""
    late = overdue_clause(now)
    return late if overdue else not_(late)


# Node ----------------------------------------------------------------------------------------


def check_known_node(value: str) -> None:
    """Refuse (422) a node filter that names no node of the active route."""
    if value not in active_graph().nodes:
        raise ValidationError(UNKNOWN_NODE_MESSAGE.format(node=value))
