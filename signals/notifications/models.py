"""OutboxMessage: an e-mail written in the same transaction as the change that caused it."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from signals.database import Base, UTCDateTime


class OutboxStatus(StrEnum):
    """``pending`` (waiting or retrying), ``sent``, or ``dead`` after too many failed attempts."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class OutboxMessage(Base):
    """One e-mail to one recipient, delivered later by the outbox sender."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status"),
        Index("ix_outbox_messages_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # An iCalendar invitation sent along as an attachment (a meeting's), or None.
    calendar: Mapped[str | None] = mapped_column(Text)
    # A document sent along (the quarterly report's PDF): its file name and content. Deferred:
    # lists of the outbox do not load it.
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    kind: Mapped[str] = mapped_column(String(40))
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Pending: when to try (again); dead: when it was given up (retention counts from it).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
