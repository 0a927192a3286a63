"""Human references for signals, ``KM-<year>-<6 digits>``, numbered per year."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from signals.extensions import db
from signals.workflow.models import ReferenceCounter


def next_reference(year: int) -> str:
    """Hand out the next reference of ``year`` with one atomic upsert (safe under concurrency)."""
    dialect = db.session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ReferenceCounter)
        .values(year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.year],
            set_={"last_number": ReferenceCounter.last_number + 1},
        )
        .returning(ReferenceCounter.last_number)
    )
    number = db.session.execute(statement).scalar_one()
    return f"KM-{year}-{number:06d}"
