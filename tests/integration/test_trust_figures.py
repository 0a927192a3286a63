"""The trust pulse's figures, counted by the database over a hand-made set of answers.

Per round opened in the period, for staff and for partners: the answers, and the shares that
agreed (4 or 5) with each statement; none over fewer than five answers.
"""

from datetime import UTC, date, datetime, timedelta

from signals.extensions import db
from signals.trust.models import PulseAnswer, PulseRound
from signals.trust.services import TRUST_BASELINE, KindFigures, RoundFigures, pulse_figures


def held_round(month: date, opened_at: datetime, scores: dict[str, list[tuple[int, int]]]) -> None:
    """A round of ``month`` with answers per kind: ``(trust, heard)`` each."""
    pulse_round = PulseRound(
        month=month, opened_at=opened_at, closes_at=opened_at + timedelta(weeks=4)
    )
    db.session.add(pulse_round)
    db.session.flush()
    for kind, pairs in scores.items():
        for trust, heard in pairs:
            db.session.add(
                PulseAnswer(round_id=pulse_round.id, kind=kind, trust=trust, heard=heard)
            )
    db.session.commit()


def test_each_round_counts_per_kind_and_hides_fewer_than_five() -> None:
    held_round(  # before the period
        date(2026, 9, 1),
        datetime(2026, 9, 1, 8, 0, tzinfo=UTC),
        {"staff": [(5, 5)] * 6},
    )
    held_round(
        date(2027, 3, 1),
        datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
        {
            # trust agrees 3 of 6 (5, 4, 4); heard agrees 5 of 6
            "staff": [(5, 5), (4, 5), (4, 4), (3, 4), (2, 4), (1, 1)],
            "partner": [(5, 5), (2, 1), (1, 2)],
        },
    )
    held_round(  # nobody answered
        date(2027, 9, 1),
        datetime(2027, 9, 1, 6, 30, tzinfo=UTC),  # 08:30 in Amsterdam
        {},
    )
    held_round(  # opened 1 March 2028 at 00:30 in Amsterdam: after the period
        date(2028, 3, 1),
        datetime(2028, 2, 29, 23, 30, tzinfo=UTC),
        {"staff": [(1, 1)] * 5},
    )

    figures = pulse_figures(date(2026, 10, 1), date(2028, 2, 29))

    nothing = KindFigures(answers=0, trusting=None, heard=None)
    assert figures == [
        RoundFigures(
            month=date(2027, 3, 1),
            label="maart 2027",
            by_kind={
                "staff": KindFigures(answers=6, trusting=0.5, heard=0.833),
                "partner": KindFigures(answers=None, trusting=None, heard=None),
            },
        ),
        RoundFigures(
            month=date(2027, 9, 1),
            label="september 2027",
            by_kind={"staff": nothing, "partner": nothing},
        ),
    ]
    assert TRUST_BASELINE == 0.38


def test_a_period_without_rounds_has_no_figures() -> None:
    assert pulse_figures(date(2027, 1, 1), date(2027, 12, 31)) == []
