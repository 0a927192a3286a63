"""The list of signals a person may see, filtered, a page at a time (the API's signal list).

Newest first, with cursor pagination: the cursor is the id of the last signal of a page, so
a page stays right while new signals arrive (an offset would shift). Only signals the person may see
in full are listed (:func:`signals.workflow.access.fully_visible_clause`). The cursor format,
the overdue rule and the node check are the inbox's too (:mod:`signals.workflow.signal_lists`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import fields, validate, validates
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from signals import codes
from signals.auth.models import User
from signals.clock import now
from signals.database import MAX_ID
from signals.extensions import db
from signals.routing.services import active_graph
from signals.validation import FIELD_MESSAGES, InputSchema, WholeNumber, choice_field, load
from signals.workflow.access import fully_visible_clause
from signals.workflow.models import Signal
from signals.workflow.signal_lists import (
    ID_CURSOR,
    CursorField,
    check_known_node,
    overdue_filter,
)

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
BOOLEAN_MESSAGES = {**FIELD_MESSAGES, "invalid": "Verwacht true of false."}


class SignalListSchema(InputSchema):
    """The filters and the page of ``GET /api/v1/signals``."""

    empty_means_absent = False  # query parameters: "?overdue=" is a mistake, not "no filter"

    status = choice_field(codes.STATUSES, required=False)
    node = fields.String(
        validate=validate.Length(max=64, error="Maximaal 64 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een plek in de route."},
        metadata={"choices": lambda: list(active_graph().nodes)},
    )
    overdue = fields.Boolean(error_messages=BOOLEAN_MESSAGES)
    mine = fields.Boolean(error_messages=BOOLEAN_MESSAGES)
    cursor = CursorField(
        ID_CURSOR,
        metadata={
            "description": "De `next_cursor` van de vorige pagina: de lijst gaat verder met "
            "oudere signalen"
        },
    )
    limit = WholeNumber(
        validate=validate.Range(
            min=1, max=MAX_LIMIT, error=f"Kies een aantal van 1 tot en met {MAX_LIMIT}."
        ),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een getal."},
    )

    @validates("node")  # after the length check, and only when that passed
    def _known_node(self, value: str, **_kwargs: Any) -> None:
        check_known_node(value)


@dataclass(frozen=True)
class SignalPage:
    """One page of the list, and the cursor of the next one (None: this was the last)."""

    signals: list[Signal]
    next_cursor: str | None


def list_signals(user: User, data: Mapping[str, Any]) -> SignalPage:
    """The signals ``user`` may see in full that match the filters in ``data``, newest first.

    ``overdue``: open, with the running deadline (accepting, first feedback) passed.
    ``mine``: reported by ``user``, or theirs (or their group's) to handle now.
    """
    filters = load(SignalListSchema(), data)
    limit = filters.get("limit", DEFAULT_LIMIT)
    query = select(Signal).where(fully_visible_clause(user))
    if "status" in filters:
        query = query.where(Signal.status == filters["status"])
    if "node" in filters:
        query = query.where(Signal.node == filters["node"])
    if "overdue" in filters:
        query = query.where(overdue_filter(filters["overdue"], now()))
    if filters.get("mine"):
        query = query.where((Signal.reporter_id == user.id) | Signal.is_owned_by(user))
    if "cursor" in filters and filters["cursor"] <= MAX_ID:
        # (a cursor past every id a key can hold is the top of the list: no condition)
        query = query.where(Signal.id < filters["cursor"])
    query = (
        query.order_by(Signal.id.desc())
        .limit(limit + 1)
        .options(selectinload(Signal.kwestie), selectinload(Signal.regulation_rows))
    )
    signals = list(db.session.scalars(query).unique())
    more = len(signals) > limit
    signals = signals[:limit]
    return SignalPage(signals, ID_CURSOR.encode(signals[-1].id) if more else None)
