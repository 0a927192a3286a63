"""Dutch working days: holidays of the Algemene termijnenwet, closed days, time zones."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from signals.calendar import END_OF_DAY, BusinessCalendar

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
calendar = BusinessCalendar("Europe/Amsterdam")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=AMSTERDAM)


def due_day(start: datetime, days: int, on: BusinessCalendar = calendar) -> date:
    due = on.add_working_days(start, days)
    local = due.astimezone(AMSTERDAM)
    assert (local.hour, local.minute, local.second) == (23, 59, 59), "due at the end of the day"
    return local.date()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-11-23", True),  # Monday
        ("2026-11-28", False),  # Saturday
        ("2026-11-29", False),  # Sunday
        ("2026-04-27", False),  # Koningsdag
        ("2026-04-03", True),  # Goede Vrijdag is no holiday of the Algemene termijnenwet
        ("2026-04-06", False),  # Tweede Paasdag
        ("2026-05-05", False),  # Bevrijdingsdag, every year under the Algemene termijnenwet
        ("2026-05-14", False),  # Hemelvaartsdag
        ("2026-05-25", False),  # Tweede Pinksterdag
        ("2026-12-25", False),
        ("2026-12-28", True),
        ("2027-01-01", False),
        ("2028-02-29", True),  # leap day, a Tuesday
    ],
)
def test_working_days(day: str, working: bool) -> None:
    assert calendar.is_working_day(date.fromisoformat(day)) is working


def test_counting_starts_the_next_working_day() -> None:
    assert due_day(at("2026-11-23"), 1) == date(2026, 11, 24)
    assert due_day(at("2026-11-23"), 2) == date(2026, 11, 25)
    assert due_day(at("2026-11-27"), 1) == date(2026, 11, 30), "Friday + 1 is Monday"
    assert due_day(at("2026-11-28"), 1) == date(2026, 11, 30), "from a Saturday"


def test_koningsdag_and_bevrijdingsdag_are_skipped() -> None:
    assert due_day(at("2026-04-24"), 1) == date(2026, 4, 28)  # Fri → (Mon 27 Apr) → Tue
    assert due_day(at("2026-05-04"), 1) == date(2026, 5, 6)


def test_hemelvaart_and_pinksteren() -> None:
    assert due_day(at("2026-05-13"), 1) == date(2026, 5, 15)
    assert due_day(at("2026-05-22"), 1) == date(2026, 5, 26)


def test_christmas_to_new_year_ten_working_days() -> None:
    # 24 Dec 2026 (Thu): 28,29,30,31 Dec, 4,5,6,7,8,11 Jan
    assert due_day(at("2026-12-24"), 10) == date(2027, 1, 11)


def test_a_due_date_never_lands_on_a_closed_day() -> None:
    with_closed = BusinessCalendar("Europe/Amsterdam", ["2026-12-28", "2026-12-29"])
    assert due_day(at("2026-12-24"), 1, with_closed) == date(2026, 12, 30)
    for days in range(1, 40):
        assert with_closed.is_working_day(due_day(at("2026-12-01"), days, with_closed))


def test_daylight_saving_change() -> None:
    # Clocks go back on Sunday 25 October 2026; a late Friday evening in UTC is Saturday here.
    friday_late_utc = datetime(2026, 10, 23, 22, 30, tzinfo=UTC)  # 00:30 Saturday in Amsterdam
    due = calendar.add_working_days(friday_late_utc, 1)
    assert due.astimezone(AMSTERDAM) == datetime(2026, 10, 26, 23, 59, 59, tzinfo=AMSTERDAM)
    assert due.utcoffset() == UTC.utcoffset(None)
    assert due == datetime(2026, 10, 26, 22, 59, 59, tzinfo=UTC), "winter time: UTC+1"


def test_leap_day_is_counted() -> None:
    assert due_day(at("2028-02-28"), 1) == date(2028, 2, 29)
    assert due_day(at("2028-02-25"), 3) == date(2028, 3, 1)


def test_zero_days_is_the_end_of_the_start_day() -> None:
    assert due_day(at("2026-11-23"), 0) == date(2026, 11, 23)


# Pauses and reminders ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paused", "resumed", "days"),
    [
        (at("2026-11-23", 9), at("2026-11-23", 17), 0),  # same day: nothing to give back
        (at("2026-11-23"), at("2026-11-25"), 2),  # Monday to Wednesday: Tuesday, Wednesday
        (at("2026-11-27"), at("2026-11-30"), 1),  # Friday to Monday: the weekend is free
        (at("2026-04-24"), at("2026-04-28"), 1),  # Koningsdag (Monday 27 April) not counted
        (at("2026-12-24"), at("2027-01-04"), 5),  # 28-31 Dec and 4 Jan; the holidays are free
    ],
)
def test_working_days_between_counts_the_days_a_clock_stood_still(
    paused: datetime, resumed: datetime, days: int
) -> None:
    assert calendar.working_days_between(paused, resumed) == days


def test_extending_a_deadline_skips_what_a_working_day_skips() -> None:
    deadline = calendar.add_working_days(at("2026-04-22"), 2)  # Friday 24 April
    extended = calendar.extend(deadline, 1)
    assert extended.astimezone(AMSTERDAM).date() == date(2026, 4, 28)  # not Koningsdag
    assert calendar.extend(deadline, 0) == deadline


@pytest.mark.parametrize(
    ("deadline_day", "days", "reminder_day"),
    [
        ("2026-11-26", 2, date(2026, 11, 24)),  # Thursday → Tuesday
        ("2026-11-30", 2, date(2026, 11, 26)),  # Monday → the Thursday before
        ("2026-04-28", 1, date(2026, 4, 24)),  # Tuesday after Koningsdag → Friday
    ],
)
def test_a_reminder_falls_at_eight_in_the_morning_working_days_before(
    deadline_day: str, days: int, reminder_day: date
) -> None:
    deadline = datetime.combine(date.fromisoformat(deadline_day), END_OF_DAY, tzinfo=AMSTERDAM)
    reminder = calendar.working_days_before(deadline, days).astimezone(AMSTERDAM)
    assert (reminder.date(), reminder.hour, reminder.minute) == (reminder_day, 8, 0)
