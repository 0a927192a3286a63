"""The unit of work: one commit for a change, its events and its outbox e-mails, or none."""

from collections.abc import Iterator
from contextlib import contextmanager

from signals.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit everything done inside the block at its end; roll all of it back on any error."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
