"""One sweeper at a time: a PostgreSQL advisory lock, or a lease row on SQLite.

Two scheduler processes against one database must never both act. On PostgreSQL the sweep
holds a session-level advisory lock on a connection of its own for its whole length; the
lock goes away with the connection if the process dies. SQLite has no such locks, so a row
in ``scheduler_leases`` says who sweeps until when; a crashed holder's lease simply runs out.

Every action of a sweep is also idempotent on its own (see
:mod:`signals.scheduler.clock_sweep`), so the lock saves work and mail noise; it is not the
only thing that stands between a deadline and a second breach.
"""

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from signals.extensions import db
from signals.scheduler.models import SchedulerLease

# pg_advisory_lock takes a bigint; this one is "signals" in ASCII.
ADVISORY_KEY = 0x7369676E616C73
LEASE_NAME = "sweep"
LEASE_LENGTH = timedelta(minutes=10)
# A given-up lease runs out before any moment a sweep can be at, so that whoever sweeps next
# may take it, also at a moment earlier than the one it was released at (a ``tick --now`` in
# the future must not keep the wall-clock scheduler out until then).
RELEASED = datetime(1970, 1, 1, tzinfo=UTC)
# Who this process is, in the lease row.
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def leadership(moment: datetime) -> Iterator[bool]:
    """Yield True while this process may sweep, False when another one is sweeping."""
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock() as held:
            yield held
    else:
        held = _take_lease(moment)
        try:
            yield held
        finally:
            if held:
                _release_lease()


@contextmanager
def _advisory_lock() -> Iterator[bool]:
    with db.engine.connect() as connection:
        held = bool(
            connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            ).scalar_one()
        )
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                connection.commit()


def _take_lease(moment: datetime) -> bool:
    """Take the lease if it is free, ours, or run out; in a transaction of its own."""
    expires = moment + LEASE_LENGTH
    taken = db.session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        update(SchedulerLease)
        .where(
            SchedulerLease.name == LEASE_NAME,
            (SchedulerLease.holder == HOLDER) | (SchedulerLease.expires_at <= moment),
        )
        .values(holder=HOLDER, expires_at=expires)
    ).rowcount
    if taken:
        db.session.commit()
        return True
    if db.session.get(SchedulerLease, LEASE_NAME) is not None:
        db.session.rollback()
        return False
    db.session.add(SchedulerLease(name=LEASE_NAME, holder=HOLDER, expires_at=expires))
    try:
        db.session.commit()
    except IntegrityError:  # another process created it first
        db.session.rollback()
        return False
    return True


def _release_lease() -> None:
    """Give the lease up: the next sweeper, at whatever moment, may take it."""
    db.session.rollback()  # whatever the sweep left open is not ours to commit here
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == HOLDER)
        .values(expires_at=RELEASED)
    )
    db.session.commit()
