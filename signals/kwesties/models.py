"""Kwestie, KwestieEvent and PatternAlert."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signals.auth.models import User
from signals.database import Base, UTCDateTime
from signals.ownership.models import OwnerMixin, exactly_one_owner


class KwestieStatus(StrEnum):
    """A kwestie is open until a decision with outcome and rationale closes it."""

    OPEN = "open"
    DECIDED = "decided"


class Kwestie(OwnerMixin, Base):
    """A structural issue: one mechanism behind many signals, with its own place in the route."""

    __tablename__ = "kwesties"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'decided')", name="status"),
        exactly_one_owner(),
        CheckConstraint(
            "status <> 'decided' OR (outcome IS NOT NULL AND rationale IS NOT NULL)",
            name="decided_has_outcome",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    regulation: Mapped[str | None] = mapped_column(String(64), index=True)
    level: Mapped[str | None] = mapped_column(String(32))
    source_organisation: Mapped[str | None] = mapped_column(String(64))
    node: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=KwestieStatus.OPEN)
    outcome: Mapped[str | None] = mapped_column(String(32))
    rationale: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    # Append-only, as a signal's (signals.retention.audit): never deleted through the ORM.
    events: Mapped[list["KwestieEvent"]] = relationship(
        back_populates="kwestie", order_by="KwestieEvent.id", passive_deletes="all"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status == KwestieStatus.OPEN

    @property
    def reference(self) -> str:
        """How people name the kwestie (``Kwestie 12``): on its page and in e-mail subjects."""
        return f"Kwestie {self.id}"


class KwestieEvent(Base):
    """An append-only entry in a kwestie's history (created, message, decided …)."""

    __tablename__ = "kwestie_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kwestie_id: Mapped[int] = mapped_column(ForeignKey("kwesties.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    kwestie: Mapped[Kwestie] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")


class PatternAlert(Base):
    """One "zien we dit vaker?" alert about a set of similar unlinked signals; never repeated."""

    __tablename__ = "pattern_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation: Mapped[str] = mapped_column(String(64))
    source_organisation: Mapped[str] = mapped_column(String(64))
    # sha256 of the sorted signal ids: the same set never alerts twice
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    signal_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
