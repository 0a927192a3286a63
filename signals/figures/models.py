"""What the figures keep: the whole municipality's monthly measure rows, and the reports sent.

The monthly rows are derived data: every row can be computed again from the signals and
their events (:mod:`.rollups` does so for a month whenever something in it changed).
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from signals.database import Base, UTCDateTime


class MonthlyFigure(Base):
    """One measure (see :mod:`.measures`) of the signals submitted in one month."""

    __tablename__ = "monthly_figures"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    reporter_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    measure: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class FigureMonth(Base):
    """A month whose figures are kept, and the moment they were computed."""

    __tablename__ = "figure_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PeriodicReport(Base):
    """A quarter's report for bestuur and raad, sent once (see :mod:`.report`)."""

    __tablename__ = "periodic_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_day: Mapped[date] = mapped_column(Date, unique=True)
    last_day: Mapped[date] = mapped_column(Date)
    # How many people it was mailed to (0: nobody to send it to).
    recipients: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
