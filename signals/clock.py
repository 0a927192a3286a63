"""The application clock: the only source of 'now' for domain code, replaceable in tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app


class Clock:
    """Tells the current time; can be pinned to a moment (tests, demo data, scheduler ticks)."""

    def __init__(self, fixed: datetime | None = None) -> None:
        self._fixed = fixed

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else datetime.now(UTC)

    def set(self, moment: datetime | None) -> None:
        """Pin the clock to ``moment`` (timezone-aware), or release it with ``None``."""
        if moment is not None and moment.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware datetime")
        self._fixed = moment

    @contextmanager
    def frozen_at(self, moment: datetime) -> Iterator[None]:
        previous = self._fixed
        self.set(moment)
        try:
            yield
        finally:
            self._fixed = previous


def get_clock() -> Clock:
    clock: Clock = current_app.extensions["signals.clock"]
    return clock


def now() -> datetime:
    """The current moment according to the application's clock (always UTC-aware)."""
    return get_clock().now()
