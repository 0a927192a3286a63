"""SearchEntry: one row per searchable thing (a signal, kwestie, meeting or knowledge article).

On PostgreSQL ``vector`` is a ``tsvector`` made with the ``dutch`` configuration (the title
weighted above the body) under a GIN index per kind. On SQLite it holds the Python-made
stems, and an FTS5 table made by the migration (``search_fts``, kept by triggers) indexes it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, literal
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from signals.database import NOT_COMPARED, Base, UTCDateTime

# The FTS5 table over ``search_entries.vector`` on SQLite (and its shadow tables).
SQLITE_FTS_TABLE = "search_fts"


class SearchEntry(Base):
    """The words of one searchable thing, kept in step with it on every flush."""

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", name="uq_search_entries_kind_object"),
        # Signals are searched newest first among the matches (see signals.search.services).
        Index("ix_search_entries_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    vector: Mapped[Any] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))


# The kinds that are searched, each with a full-text index of its own (partial, on its kind):
# a word in 200,000 signals does not make the search of 3,000 kwesties read those signals.
KINDS = ("signal", "kwestie", "meeting", "article")
for _kind in KINDS:
    Index(
        f"ix_search_entries_{_kind}_vector",
        SearchEntry.vector,
        postgresql_using="gin",
        postgresql_where=SearchEntry.kind == literal(_kind, literal_execute=True),
        info={NOT_COMPARED: True},
    ).ddl_if(dialect="postgresql")
