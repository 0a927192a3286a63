"""Rows gathered during a block and written with one executemany per table at its end.

The scheduler writes thousands of events and e-mails in one sweep; an ORM object for each
costs more than the row itself, and on PostgreSQL a COPY costs the server less than as many
INSERTs. The services write such rows with :func:`add_row`: inside :func:`gathered_rows` it
gathers them, still inside the caller's transaction (they commit with the change that caused
them, or not at all); outside the block it adds an ORM object as usual.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from psycopg import sql
from sqlalchemy import JSON, Column, Connection, Dialect, Table, insert

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
            _write(model, values)
    finally:
        _gathered.reset(token)


def gather(model: type[Base], values: dict[str, Any]) -> bool:
    """Add a row for ``model`` to the current block; False when no block is gathering."""
    rows = _gathered.get()
    if rows is None:
        return False
    rows.setdefault(model, []).append(values)
    return True


def add_row(
    model: type[Base], values: dict[str, Any] | None, add: Callable[[], object] | None = None
) -> None:
    """A new row of ``model`` in the current transaction: gathered, or added as an ORM object.

    Inside :func:`gathered_rows` its ``values`` (columns by name, parents by id) are gathered.
    Otherwise, and when ``values`` is None (a row whose parent has no id yet), ``add`` adds it
    as an ORM object; without ``add``, ``model(**values)`` is added to the session.
    """
    if values is not None and gather(model, values):
        return
    if add is not None:
        add()
    elif values is not None:
        db.session.add(model(**values))
    else:
        raise ValueError(f"a row of {model.__name__} needs its values or a way to add it")


def _write(model: type[Base], values: list[dict[str, Any]]) -> None:
    table = cast(Table, model.__table__)
    # every column but a serial key, which the database numbers
    columns = [column for column in table.columns if column is not table.autoincrement_column]
    rows = [row if len(row) == len(columns) else _completed(row, columns) for row in values]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, rows)
    else:
        # On the connection: a plain executemany, not the ORM's bulk INSERT … RETURNING.
        connection.execute(insert(model), rows)


def _completed(row: dict[str, Any], columns: list[Column[Any]]) -> dict[str, Any]:
    """``row`` with a value for every column: left-out ones get their Python default."""
    completed = dict(row)
    for column in columns:
        if column.name not in completed:
            completed[column.name] = _default(column)
    return completed


def _default(column: Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)  # type: ignore[attr-defined]
    return default.arg  # type: ignore[attr-defined]


def _copy(
    connection: Connection, table: Table, columns: list[Column[Any]], rows: list[dict[str, Any]]
) -> None:
    """PostgreSQL: the rows through ``COPY … FROM STDIN``, in the caller's transaction.

    For thousands of rows a COPY costs the server a fraction of as many INSERTs.
    """
    converters = [_converter(column, connection.dialect) for column in columns]
    names = [column.name for column in columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    value if value is None or convert is None else convert(value)
                    for value, convert in zip(
                        (row[name] for name in names), converters, strict=True
                    )
                ]
            )


def _converter(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What turns a Python value into what COPY writes: the column type's own conversion."""
    if isinstance(column.type, JSON):
        return json.dumps
    return column.type.bind_processor(dialect)
