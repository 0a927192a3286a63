"""Adding measure rows up into the figures people read, with small numbers hidden.

:class:`Cube` holds the rows of :mod:`.measures` (live or from :mod:`.rollups`) and answers
totals per measure, key, month and kind of reporter, and the derived figures: the share of
deadlines met, the mean satisfaction, the median working days to first feedback.

No figure is shown over fewer than :data:`SMALL` signals: a count from 1 to 4 is ``None``
("fewer than 5"), and so is a share, mean or median over fewer than 5, so that no reporter
can be recognised in a small number.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from signals.figures.measures import Row

SMALL = 5
REPORTER_KINDS = ("staff", "partner")


def suppressed(count: int) -> int | None:
    """A count as it may be shown: 0 or 5 and more; 1 to 4 is None ("fewer than 5")."""
    return count if count == 0 or count >= SMALL else None


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` (0–1, three decimals), or None over fewer than 5."""
    return round(part / whole, 3) if whole >= SMALL else None


class Cube:
    """Measure rows, added up on demand; ``kind`` and ``month`` narrow a total."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self._rows: dict[str, list[Row]] = defaultdict(list)
        self.months: set[date] = set()
        for row in rows:
            self._rows[row.measure].append(row)
            self.months.add(row.month)

    def total(
        self,
        measure: str,
        key: str | None = None,
        *,
        kind: str | None = None,
        month: date | None = None,
    ) -> int:
        return sum(
            row.value
            for row in self._rows[measure]
            if (key is None or row.key == key)
            and (kind is None or row.reporter_kind == kind)
            and (month is None or row.month == month)
        )

    def by_key(
        self, measure: str, *, kind: str | None = None, month: date | None = None
    ) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for row in self._rows[measure]:
            if (kind is None or row.reporter_kind == kind) and (
                month is None or row.month == month
            ):
                totals[row.key] += row.value
        return dict(sorted(totals.items()))

    def keys(self, *measures: str) -> list[str]:
        return sorted({row.key for name in measures for row in self._rows[name]})

    # The derived figures.

    def on_time(
        self,
        clock: str,
        *,
        node: str | None = None,
        kind: str | None = None,
        month: date | None = None,
    ) -> float | None:
        """Share of ``clock``'s deadlines met among the visits whose deadline is decided.

        ``accept`` and ``feedback``: each arrival at a node starts its clocks; a visit still
        before its deadline with nothing done is not decided yet. ``update``: of the moments
        a reporter had to hear something, the share where a person told them rather than the
        system's status update (which goes out exactly when the owner stayed silent too long).
        """
        if clock == "update":
            told = self.total("told", kind=kind, month=month)
            return share(told, told + self.total("by_system", kind=kind, month=month))
        arrived = self.total("arrival", node, kind=kind, month=month)
        undecided = self.total(f"{clock}_undecided", node, kind=kind, month=month)
        decided = arrived - undecided
        missed = self.total(f"{clock}_breached", node, kind=kind, month=month)
        return share(decided - missed, decided)

    def median_days_to_feedback(
        self, *, kind: str | None = None, month: date | None = None
    ) -> float | None:
        """The median working days from submission to first feedback, over 5 signals or more."""
        histogram = sorted(
            (int(days), count)
            for days, count in self.by_key("feedback_days", kind=kind, month=month).items()
        )
        signals = sum(count for _days, count in histogram)
        if signals < SMALL:
            return None
        low, high = (signals - 1) // 2, signals // 2
        return (_value_at(histogram, low) + _value_at(histogram, high)) / 2

    def satisfaction(
        self, *, kind: str | None = None, month: date | None = None
    ) -> dict[str, float | int | None]:
        """How many reporters answered the survey, and their mean score (1–5)."""
        answers = self.total("satisfaction_answers", kind=kind, month=month)
        score = self.total("satisfaction_sum", kind=kind, month=month)
        return {
            "answers": suppressed(answers),
            "mean": round(score / answers, 2) if answers >= SMALL else None,
        }

    def effectiveness(self, *, kind: str | None = None) -> dict[str, int | None]:
        return {
            "asked": suppressed(self.total("followup_asked", kind=kind)),
            "held": suppressed(self.total("followup_held", kind=kind)),
            "not_held": suppressed(self.total("followup_not_held", kind=kind)),
        }

    def counted(self, measure: str, *, kind: str | None = None) -> dict[str, int | None]:
        """Per key, the count as it may be shown."""
        return {key: suppressed(count) for key, count in self.by_key(measure, kind=kind).items()}


def _value_at(histogram: list[tuple[int, int]], position: int) -> int:
    """The ``position``-th value (from 0) of the values a sorted (value, count) list counts."""
    seen = 0
    for value, count in histogram:
        seen += count
        if position < seen:
            return value
    raise IndexError(position)
