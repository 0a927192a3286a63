"""The business calendar: Dutch working days in the municipality's time zone.

A working day is Monday to Friday that is neither a generally recognised holiday of the
Algemene termijnenwet (art. 3: New Year's Day, Easter and Whit Monday, King's Day, Ascension
Day, 5 May, Christmas and Boxing Day) nor a closed day of the route file. "N working days"
counts from the next working day after the start, and a deadline falls at the end of its day
(23:59:59 local time), so it never lands on a closed day.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

END_OF_DAY = time(23, 59, 59)
# Reminders go out at the start of an office day, not at midnight.
OFFICE_MORNING = time(8, 0)


@lru_cache(maxsize=64)
def _dutch_holidays(year: int) -> frozenset[date]:
    # The holidays package also lists Good Friday, which the Algemene termijnenwet does not,
    # and lists 5 May only in lustrum years, where the law counts it every year.
    public = holidays.country_holidays("NL", years=year, language="en_US")
    days = {day for day, name in public.items() if name != "Good Friday"}
    return frozenset(days | {date(year, 5, 5)})


class BusinessCalendar:
    """Working days and deadlines for one time zone and one set of extra closed days."""

    def __init__(self, timezone: str, closed_days: Iterable[str | date] = ()) -> None:
        self.zone = ZoneInfo(timezone)
        self.closed_days = frozenset(
            day if isinstance(day, date) else date.fromisoformat(day) for day in closed_days
        )
        # (day, n) -> the n-th working day after (n > 0) or before (n < 0) day; the
        # scheduler asks the same few questions thousands of times per sweep.
        self._shifted: dict[tuple[date, int], date] = {}

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in _dutch_holidays(day.year)
            and day not in self.closed_days
        )

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end (23:59:59 local) of the ``days``-th working day after ``start``'s day, in UTC."""
        day = self._working_day_from(self.local_date(start), days)
        return datetime.combine(day, END_OF_DAY, tzinfo=self.zone).astimezone(UTC)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """The working days after ``start``'s day up to and including ``end``'s day.

        A clock paused from Monday to Wednesday gets Tuesday and Wednesday back: deadlines
        fall at the end of a day, so the day the pause began had already been counted.
        """
        day, last = self.local_date(start), self.local_date(end)
        count = 0
        while day < last:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def working_days_before(self, deadline: datetime, days: int) -> datetime:
        """8:00 local on the ``days``-th working day before ``deadline``'s day, in UTC."""
        day = self._working_day_from(self.local_date(deadline), -days)
        return datetime.combine(day, OFFICE_MORNING, tzinfo=self.zone).astimezone(UTC)

    def _working_day_from(self, start: date, days: int) -> date:
        """The ``|days|``-th working day after (``days`` > 0) or before ``start``; itself at 0."""
        key = (start, days)
        if key not in self._shifted:
            step = timedelta(days=1 if days > 0 else -1)
            day, remaining = start, abs(days)
            while remaining > 0:
                day += step
                if self.is_working_day(day):
                    remaining -= 1
            if len(self._shifted) > 100_000:
                self._shifted.clear()
            self._shifted[key] = day
        return self._shifted[key]

    def extend(self, deadline: datetime, days: int) -> datetime:
        """``deadline`` moved ``days`` working days later (a paused clock's time given back)."""
        return deadline if days <= 0 else self.add_working_days(deadline, days)
