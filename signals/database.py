"""Declarative base, constraint naming convention and the column types shared by all models.

Also the Alembic hook that leaves hand-written expression indexes out of autogenerate.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

MAX_ID = 2**31 - 1  # the largest id an integer key column holds
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model; carries the naming convention Alembic relies on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


NOT_COMPARED = "alembic_not_compared"


def compared_by_alembic(
    item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic ``include_object`` hook: leaves out what no model describes.

    Indexes marked ``info={NOT_COMPARED: True}``, and SQLite's full-text tables.

    Alembic cannot compare expression indexes reliably (PostgreSQL hands back its own
    rewriting of the expression); those indexes are made by a hand-written migration and a
    test asks the query planner whether it uses them.
    """
    if type_ == "table":
        # SQLite's full-text index (FTS5 and its shadow tables) has no model: the migration
        # makes it and triggers keep it (see signals.search.models).
        return not (reflected and (name or "").startswith("search_fts"))
    if type_ != "index":
        return True
    return not any(
        candidate is not None and candidate.info.get(NOT_COMPARED)
        for candidate in (item, compare_to)
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every database.

    SQLite keeps no offset, so values are normalised to UTC on the way in and marked UTC on the
    way out; PostgreSQL stores ``timestamptz`` natively.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
