"""The signals a person may see as CSV: codes and dates, one row per signal, streamed.

The filters are the signal list's (``status``, ``node``, ``overdue``, ``mine``; see
:mod:`.listing`) for the API, the inbox's for the inbox's button
(:func:`signals.workflow.inbox.inbox_conditions`), without the page. Rows are read in
batches by id, newest first, so an export of 100,000 signals holds one batch in memory, not
the whole list. Only signals the person may see in full are exported
(:func:`~signals.workflow.access.fully_visible_clause`); no names. The one free text, the
title, is left empty for a signal at a node that hides its reporter (``shows_reporter:
false``), where a title could give away who reported it. A cell that a spreadsheet would read
as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading apostrophe.
"""

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from signals.audit.services import Subject, log_access
from signals.auth.models import Organisation, User
from signals.clock import now
from signals.extensions import db
from signals.routing.services import active_graph
from signals.validation import load
from signals.workflow.access import fully_visible_clause
from signals.workflow.listing import SignalListSchema
from signals.workflow.models import Signal
from signals.workflow.signal_lists import overdue_filter

BATCH = 1000
COLUMNS = (
    "reference",
    "title",
    "status",
    "node",
    "submitted_at",
    "reporter_kind",
    "urgency",
    "scope",
    "level",
    "regulations",
    "source_organisation",
    "maatwerk",
    "accept_due",
    "feedback_due",
    "feedback_sent_at",
    "resolved_at",
    "outcome",
    "kwestie",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportFilters(SignalListSchema):
    """The signal list's filters; a CSV has no pages."""

    class Meta(SignalListSchema.Meta):  # noqa: D106
        exclude = ("cursor", "limit")


def list_conditions(user: User, data: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """The API's list filters as SQL conditions, validated before the first byte is sent.

    Raises :class:`signals.errors.InputInvalid` (422, messages per field).
    """
    filters = load(ExportFilters(), data)
    conditions: list[ColumnElement[bool]] = []
    if "status" in filters:
        conditions.append(Signal.status == filters["status"])
    if "node" in filters:
        conditions.append(Signal.node == filters["node"])
    if "overdue" in filters:
        conditions.append(overdue_filter(filters["overdue"], now()))
    if filters.get("mine"):
        conditions.append((Signal.reporter_id == user.id) | Signal.is_owned_by(user))
    return conditions


def csv_lines(
    user: User, conditions: list[ColumnElement[bool]], name: str, filters: str = ""
) -> Iterator[str]:
    """The header and one line per signal ``user`` may see in full that meets ``conditions``.

    Who ``user`` is and what they may see is settled here, before the first line: the lines
    are written while the response streams, when the person's row may no longer be loadable.
    The export (file ``name``, its ``filters`` as a query string) is access-logged first.
    """
    log_access(user, "signals_exported", Subject("export", name), detail=filters[:1000] or None)
    visible = fully_visible_clause(user)
    hides_reporter = {key for key, node in active_graph().nodes.items() if not node.shows_reporter}
    return _lines([visible, *conditions], hides_reporter)


def _lines(conditions: list[ColumnElement[bool]], hides_reporter: set[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: list[str]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(list(COLUMNS))  # a byte-order mark: spreadsheets then read UTF-8
    for signal, reporter_kind in _rows(conditions):
        yield line(_cells(signal, reporter_kind, signal.node in hides_reporter))


def _rows(conditions: list[ColumnElement[bool]]) -> Iterator[tuple[Signal, str]]:
    query = (
        select(Signal, Organisation.kind)
        .join(Organisation, Organisation.id == Signal.organisation_id)
        .where(*conditions)
    )
    last: int | None = None
    while True:
        batch = query if last is None else query.where(Signal.id < last)
        result = db.session.execute(batch.order_by(Signal.id.desc()).limit(BATCH))
        rows = [(signal, kind) for signal, kind in result]
        if not rows:
            return
        yield from rows
        last = rows[-1][0].id  # the session's identity map holds rows weakly: one batch stays


def _cells(signal: Signal, reporter_kind: str, hides_reporter: bool) -> list[str]:
    values: list[Any] = [
        signal.reference,
        "" if hides_reporter else signal.title,
        signal.status,
        signal.node,
        signal.created_at,
        reporter_kind,
        signal.urgency,
        signal.scope,
        signal.level,
        ";".join(code for code in signal.regulation_codes.split("|") if code),
        signal.source_organisation,
        signal.maatwerk,
        signal.accept_due,
        signal.feedback_due,
        signal.feedback_sent_at,
        signal.resolved_at,
        signal.outcome,
        signal.kwestie_id,
    ]
    return [_cell(value) for value in values]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
