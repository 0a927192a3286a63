"""The monthly figures of the whole municipality, kept up to date by the scheduler's sweep.

A year's dashboard for the whole municipality adds up stored :class:`.models.MonthlyFigure`
rows instead of counting a million signals. The sweep recomputes a month (all its measure
rows, in one transaction) when it has none yet or when a signal submitted in it got an event
since the last refresh, at most every ``SIGNALS_FIGURES_REFRESH_MINUTES``. Every change to a
signal is an event (the sweep's own deadline breaches too), so an unchanged month stays right.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select

from signals.extensions import db
from signals.figures.measures import Population, Row, in_period, measure, month_end, months_from
from signals.figures.models import FigureMonth, MonthlyFigure
from signals.routing.services import business_calendar
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.workflow.models import Signal, SignalEvent

# Events are stamped before their transaction commits: look back this far past the last
# refresh so that one committed late is not missed.
OVERLAP = timedelta(minutes=5)


def refresh_monthly_figures(moment: datetime, *, now_anyway: bool = False) -> int:
    """Recompute the months that need it (see the module's description); how many.

    ``now_anyway``: also within the refresh interval (the demo, right after its load).
    """
    last = db.session.scalar(select(func.max(FigureMonth.computed_at)))
    interval = timedelta(minutes=settings().figures_refresh_minutes)
    if last is not None and moment - last < interval and not now_anyway:
        return 0
    months = sorted(_missing_months(moment) | _changed_months(last))
    for month in months:
        with unit_of_work():
            _compute(month, moment)
    return len(months)


def stored_rows(months: tuple[date, ...]) -> tuple[list[Row], tuple[date, ...], datetime | None]:
    """The kept rows of ``months``, the months not kept (yet), and when the oldest was made."""
    kept = dict(
        db.session.execute(
            select(FigureMonth.month, FigureMonth.computed_at).where(FigureMonth.month.in_(months))
        ).all()
    )
    query = select(
        MonthlyFigure.month,
        MonthlyFigure.reporter_kind,
        MonthlyFigure.measure,
        MonthlyFigure.key,
        MonthlyFigure.value,
    ).where(MonthlyFigure.month.in_(sorted(kept)))
    rows = [Row(*row) for row in db.session.execute(query)]
    missing = tuple(month for month in months if month not in kept)
    return rows, missing, min(kept.values(), default=None)


def month_population(months: tuple[date, ...]) -> Population:
    """Every signal submitted in ``months`` (consecutive), whoever may see it."""
    ids = select(Signal.id).where(in_period(months[0], month_end(months[-1])))
    return Population(ids, months)


def _compute(month: date, moment: datetime) -> None:
    rows = measure(month_population((month,)))
    db.session.execute(delete(MonthlyFigure).where(MonthlyFigure.month == month))
    if rows:
        db.session.execute(insert(MonthlyFigure), [row._asdict() for row in rows])
    db.session.merge(FigureMonth(month=month, computed_at=moment))


def _missing_months(moment: datetime) -> set[date]:
    first = db.session.scalar(select(func.min(Signal.created_at)))
    if first is None:
        return set()
    calendar = business_calendar()
    months = months_from(calendar.local_date(first), calendar.local_date(moment))
    kept = set(db.session.scalars(select(FigureMonth.month)))
    return {month for month in months if month not in kept}


def _changed_months(last: datetime | None) -> set[date]:
    if last is None:
        return set()
    touched = (
        select(Signal.created_at)
        .join(SignalEvent, SignalEvent.signal_id == Signal.id)
        .where(SignalEvent.at >= last - OVERLAP)
        .distinct()
    )
    calendar = business_calendar()
    return {calendar.local_date(moment).replace(day=1) for moment in db.session.scalars(touched)}
