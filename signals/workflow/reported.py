"""A reporter's own signals (*Mijn signalen*): search, status filter, sort and pages, in SQL.

Also the count behind *Wacht op u* in every page's navigation: the person's signals waiting
for their answer. Both read only signals the person reported, which they may always see in
full (:mod:`signals.workflow.access`), through the index on ``(reporter_id, …)``: a reporter
with hundreds of signals gets a page of them, never all of them into Python.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from signals import codes
from signals.auth.models import User
from signals.database import UTCDateTime
from signals.extensions import db
from signals.validation import (
    FIELD_MESSAGES,
    FormSchema,
    WholeNumber,
    choice_field,
    load,
    query_args,
)
from signals.workflow.models import (
    FAR_FUTURE,
    OPEN_STATUSES,
    Signal,
    SignalStatus,
    sql_constant,
)

PAGE_SIZE = 50
QUERY_MAX = 200
MAX_WORDS = 10
MAX_PAGE = 10_000
OPEN = "open"
# The statuses as the reporter reads them: a signal waiting for the reporter waits for "u".
STATUS_CHOICES: Mapping[str, str] = {
    OPEN: "Alle open signalen",
    **codes.STATUSES,
    SignalStatus.AWAITING_REPORTER.value: "Wacht op u",
}
SORTS: Mapping[str, str] = {
    "newest": "Nieuwste eerst",
    "oldest": "Oudste eerst",
    "deadline": "Eerstvolgende termijn",
}
DEFAULT_SORT = "newest"
# Statuses in which the owner still owes the reporter a message by a date.
_RUNNING = (SignalStatus.NEW, SignalStatus.IN_PROGRESS)


class MySignalsFilters(FormSchema):
    """The query string of *Mijn signalen*: every part optional."""

    q = fields.String(
        validate=validate.Length(max=QUERY_MAX, error=f"Maximaal {QUERY_MAX} tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht tekst."},
    )
    status = choice_field(STATUS_CHOICES, required=False)
    sort = choice_field(SORTS, required=False)
    page = WholeNumber(
        validate=validate.Range(min=1, max=MAX_PAGE, error="Ongeldig paginanummer."),
        error_messages={**FIELD_MESSAGES, "invalid": "Ongeldig paginanummer."},
    )


@dataclass(frozen=True)
class MySignalsPage:
    """One page of the reporter's signals and what the page needs to show and link it."""

    signals: list[Signal]
    total: int  # matching signals, over all pages
    page: int
    pages: int
    filters: dict[str, Any]  # the validated filters, without the page

    @property
    def is_filtered(self) -> bool:
        return bool(self.filters.get("q") or self.filters.get("status"))

    def query_args(self, **changes: str | int | None) -> dict[str, str]:
        """The page's filters as query string values, with ``changes`` (None drops one)."""
        return query_args(self.filters, **changes)


def my_signals_page(user: User, data: Mapping[str, Any], size: int = PAGE_SIZE) -> MySignalsPage:
    """One page of the signals ``user`` reported that match ``data`` (a query string's values).

    ``q``: every word must occur in the reference, the title, the situation or the resident's
    experience (case-insensitive); ``status``: one status or ``open``; ``sort``: ``newest``
    (default), ``oldest`` or ``deadline`` (what waits for the reporter first, then the open
    signals by the date they hear from the owner, then the closed ones, newest first).
    Raises :class:`signals.errors.InputInvalid` with Dutch per-field messages.
    """
    filters = load(MySignalsFilters(), data)
    wanted = filters.pop("page", 1)
    conditions = [Signal.reporter_id == user.id, *_conditions(filters)]
    total = db.session.scalar(select(func.count()).select_from(Signal).where(*conditions)) or 0
    pages = max(1, -(-total // size))
    page = min(wanted, pages)
    query: Select[Signal] = (
        select(Signal)
        .where(*conditions)
        .order_by(*_order(filters.get("sort", DEFAULT_SORT)))
        .limit(size)
        .offset((page - 1) * size)
    )
    return MySignalsPage(list(db.session.scalars(query)), total, page, pages, filters)


def _conditions(filters: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    status = filters.get("status")
    if status == OPEN:
        conditions.append(Signal.status.in_([status.value for status in OPEN_STATUSES]))
    elif status:
        conditions.append(Signal.status == status)
    for word in search_words(filters.get("q", "")):
        conditions.append(
            or_(
                *(
                    column.icontains(word, autoescape=True)
                    for column in (
                        Signal.reference,
                        Signal.title,
                        Signal.situation,
                        Signal.resident_experience,
                    )
                )
            )
        )
    return conditions


def search_words(text: str) -> list[str]:
    """The distinct words of a search, at most :data:`MAX_WORDS` (the rest is ignored)."""
    return list(dict.fromkeys(text.split()))[:MAX_WORDS]


def _order(sort: str) -> list[ColumnElement[Any]]:
    if sort == "oldest":
        return [Signal.created_at.asc(), Signal.id.asc()]
    newest: list[ColumnElement[Any]] = [Signal.created_at.desc(), Signal.id.desc()]
    if sort == "deadline":
        rank = case(
            (Signal.status == sql_constant(SignalStatus.AWAITING_REPORTER.value), 0),
            (Signal.status.in_([sql_constant(status.value) for status in _RUNNING]), 1),
            else_=2,
        )
        due = func.coalesce(reporter_due_expression(), sql_constant(FAR_FUTURE, UTCDateTime()))
        return [rank, due, *newest]
    return newest


def reporter_due_expression() -> ColumnElement[datetime]:
    """SQL: the date by which the reporter hears from the owner (NULL: no such date).

    The first feedback while the owner has not given it at this node, then the next status
    update; nothing while the signal waits for the reporter, nor once it is closed.
    :func:`reporter_due` computes the same for a loaded signal.
    """
    running = Signal.status.in_([sql_constant(status.value) for status in _RUNNING])
    return case(
        (and_(running, Signal.feedback_sent_at.is_(None)), Signal.feedback_due),
        (running, Signal.update_due),
    )


def reporter_due(signal: Signal) -> datetime | None:
    """What :func:`reporter_due_expression` gives for ``signal``."""
    if signal.status not in _RUNNING:
        return None
    if signal.feedback_sent_at is None:
        return signal.feedback_due
    return signal.update_due


def awaiting_count(user: User) -> int:
    """How many of ``user``'s signals wait for their answer (one index-only count)."""
    query = (
        select(func.count())
        .select_from(Signal)
        .where(
            Signal.reporter_id == user.id,
            Signal.status == SignalStatus.AWAITING_REPORTER.value,
        )
    )
    return db.session.scalar(query) or 0
