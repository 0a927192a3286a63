"""The unit of work: one commit for a change, its events and its outbox e-mails, or none."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from signals.errors import StaleVersion
from signals.extensions import db

_DEPTH = "signals.unit_of_work_depth"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit everything done inside the block at its end; roll all of it back on any error.

    A concurrent change to a versioned row (another owner acting at the same moment) ends in
    :class:`StaleVersion` and leaves the database as the other change left it.

    Units nest: a service that runs other services inside its own unit (a meeting's
    conclusions that forward or resolve signals) commits once, at the end of the outermost
    unit, and an error anywhere rolls back all of it.
    """
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            db.session.commit()
    except StaleDataError as error:
        if depth == 0:
            db.session.rollback()
        raise StaleVersion() from error
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        info[_DEPTH] = depth
