"""What the scheduler keeps: the leader lease (SQLite) and the managers' daily digests."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from signals.database import Base, UTCDateTime


class SchedulerLease(Base):
    """Who may sweep until when, where the database has no advisory locks (SQLite)."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ManagerDigest(Base):
    """One manager's digest of late signals for one working day: at most one per day."""

    __tablename__ = "manager_digests"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    # How many late signals it listed (0: nothing was late, so no mail went out).
    items: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
