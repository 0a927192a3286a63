"""The access log's one table: an entry per view, export or administrative action."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from signals.database import Base, UTCDateTime


class AccessLogEntry(Base):
    """Who (``actor_id``; None: the command line) did what (``action``) to what, and when.

    The subject is a kind (``signal``, ``user``, ``group``, ``export`` …) and a reference (a
    signal's reference, a person's e-mail address, a group's key, a file name); ``person_id``
    is the person the entry is about, if any. No foreign keys: the log outlives what it names.
    """

    __tablename__ = "access_log_entries"
    __table_args__ = (
        Index("ix_access_log_entries_actor_id_at", "actor_id", "at"),
        Index("ix_access_log_entries_subject", "subject_kind", "subject_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(40))
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_reference: Mapped[str] = mapped_column(String(254))
    person_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[str | None] = mapped_column(Text)
