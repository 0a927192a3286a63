"""The unit of work: one commit for a change, its events and its outbox e-mails, or none."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from signals.errors import StaleVersion
from signals.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit everything done inside the block at its end; roll all of it back on any error.

    A concurrent change to a versioned row (another owner acting at the same moment) ends in
    :class:`StaleVersion` and leaves the database as the other change left it.
    """
    try:
        yield
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise StaleVersion() from error
    except BaseException:
        db.session.rollback()
        raise
