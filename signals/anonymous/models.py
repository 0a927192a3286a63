"""What the anonymous channel keeps, apart from the signal: the receipt, an address, a quota.

Nothing here names a person. The receipt is kept only as a hash; the optional e-mail address
lives in a table of its own, read only to send a notice and deleted once the signal is
closed; the quota counts requests per keyed hash of the client's network that changes every
day, so yesterday's counts cannot be linked to today's, nor either to an address.
"""

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from signals.database import Base


class AnonymousReceipt(Base):
    """The hash of the receipt code that opens one anonymous signal to its reporter."""

    __tablename__ = "anonymous_receipts"

    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), primary_key=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AnonymousContact(Base):
    """The address an anonymous reporter left for notices; deleted when the signal closes."""

    __tablename__ = "anonymous_contacts"

    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))


class AnonymousQuota(Base):
    """How often one (daily re-keyed) client network did ``purpose`` on ``day``."""

    __tablename__ = "anonymous_quotas"

    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
