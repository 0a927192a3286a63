"""What the PostgreSQL benchmarks share: their own database, vacuuming it after seeding, and
timing the SQL statements a piece of work runs."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import event, text

from signals.extensions import db


def ensure_database(url: str) -> None:
    """Create the database of SQLAlchemy ``url`` on its server if it does not exist."""
    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0].replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def vacuum() -> None:
    """What autovacuum does on a live system after seeding or a migration: statistics, and
    the visibility map that index-only scans rely on (inside an app context). Then a
    checkpoint, so that writing out the setup's changes does not fall inside a measurement."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(text("VACUUM ANALYZE"))
        autocommit.execute(text("CHECKPOINT"))


@dataclass
class Statement:
    """One SQL statement as it ran, and how long it took."""

    sql: str
    parameters: Any
    seconds: float


@dataclass
class Statements:
    """The SQL statements the engine runs while listened to, with their time."""

    ran: list[Statement] = field(default_factory=list)
    _started: list[float] = field(default_factory=list)

    def _before(self, *_: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _c: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        self.ran.append(Statement(sql, parameters, time.perf_counter() - self._started.pop()))

    @property
    def seconds(self) -> float:
        return sum(statement.seconds for statement in self.ran)


@contextmanager
def statements() -> Iterator[Statements]:
    """Listen to the engine while the block runs: every statement with its time."""
    seen = Statements()
    event.listen(db.engine, "before_cursor_execute", seen._before)
    event.listen(db.engine, "after_cursor_execute", seen._after)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", seen._before)
        event.remove(db.engine, "after_cursor_execute", seen._after)
