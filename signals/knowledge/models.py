"""KnowledgeArticle: the lesson of one resolved signal or decided kwestie, in its owner's words.

An article holds codes copied from its source (regulations, level, organisation, outcome,
maatwerk and its grounds) and the texts its publisher wrote; never the situation, the
resident's experience, the rationale or the reporter. Where it came from is private: one of
``signal_id`` and ``source_kwestie_id`` is set, each unique, so the database keeps one article
per source. Nothing outside :mod:`signals.knowledge.services` reads them; the public link of
an article is its kwestie (``kwestie_id``), shown only to those who may see that kwestie.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signals.auth.models import User
from signals.clock import now
from signals.database import Base, UTCDateTime

if TYPE_CHECKING:
    from signals.kwesties.models import Kwestie


class KnowledgeArticle(Base):
    """A published lesson: the mechanism, what was done and the room the law gave (or not)."""

    __tablename__ = "knowledge_articles"
    __table_args__ = (
        CheckConstraint("(signal_id IS NULL) <> (source_kwestie_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    what_was_done: Mapped[str] = mapped_column(Text, default="")
    regulations: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The regulations once more as "|code|code|" (like a signal's): filtered with LIKE on every
    # database, where a JSON list would need each database's own JSON functions.
    regulation_codes: Mapped[str] = mapped_column(String(1000), default="")
    level: Mapped[str | None] = mapped_column(String(32))
    source_organisation: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32), index=True)
    maatwerk: Mapped[str | None] = mapped_column(String(16))
    maatwerk_grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    kwestie_id: Mapped[int | None] = mapped_column(ForeignKey("kwesties.id"), index=True)

    # Provenance: private (see the module's docstring).
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"), unique=True)
    source_kwestie_id: Mapped[int | None] = mapped_column(ForeignKey("kwesties.id"), unique=True)

    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    published_by: Mapped[User] = relationship(lazy="joined")
    kwestie: Mapped["Kwestie | None"] = relationship(foreign_keys=[kwestie_id])

    def set_regulations(self, codes: list[str]) -> None:
        """The article's regulations, kept in both forms."""
        self.regulations = list(codes)
        self.regulation_codes = "".join(f"|{code}" for code in codes) + "|" if codes else ""

    @staticmethod
    def regulation_code_pattern(code: str) -> str:
        """What ``regulation_codes`` contains when ``code`` is one of the regulations."""
        return f"|{code}|"

    @property
    def maatwerk_applied(self) -> bool:
        return self.maatwerk == "applied"
