"""Rows gathered during a block and written with one executemany per table at its end.

The scheduler writes thousands of events and e-mails in one sweep; an ORM object for each
costs more than the row itself. Inside :func:`gathered_rows` the services hand such rows to
:func:`gather` instead, still inside the caller's transaction: they commit with the change
that caused them, or not at all. Outside the block :func:`gather` says no and the caller adds
an ORM object as usual.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import insert

from signals.database import Base
from signals.extensions import db

_gathered: ContextVar[dict[type[Base], list[dict[str, Any]]] | None] = ContextVar(
    "gathered_rows", default=None
)


@contextmanager
def gathered_rows() -> Iterator[None]:
    """Gather rows during the block; write them, table by table, when it ends without error."""
    rows: dict[type[Base], list[dict[str, Any]]] = {}
    token = _gathered.set(rows)
    try:
        yield
        for model, values in rows.items():
            # On the connection: a plain executemany, not the ORM's bulk INSERT … RETURNING.
            db.session.connection().execute(insert(model), values)
    finally:
        _gathered.reset(token)


def gather(model: type[Base], values: dict[str, Any]) -> bool:
    """Add a row for ``model`` to the current block; False when no block is gathering."""
    rows = _gathered.get()
    if rows is None:
        return False
    rows.setdefault(model, []).append(values)
    return True
