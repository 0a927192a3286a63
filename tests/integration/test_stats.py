"""The figures of GET /api/v1/stats on the small hand-made world (tests/fixtures/small_world.py),
every figure written here: partner vs staff, the deadlines met, the median time to feedback,
small numbers hidden."""

from typing import Any

from signals.auth.models import User
from tests.fixtures.small_world import PERIOD, SmallWorld
from tests.helpers import Api


def test_every_figure_of_a_small_world(api: Api, small_world: SmallWorld, admin: User) -> None:
    answer = api(admin).get("/stats", **PERIOD)

    assert answer.status_code == 200, answer.get_json()
    figures: dict[str, Any] = answer.get_json()
    assert figures["totals"] == {"submitted": 11, "open": 6, "resolved": 5}
    # 12 visits (11 arrivals and one passed on); the one at casuïstiek is still before its
    # deadline: 10 of 11 decided accept deadlines met, all 11 decided feedback deadlines.
    assert figures["on_time"] == {"accept": 0.909, "feedback": 1.0, "update": 1.0}
    assert figures["by_reporter_kind"] == {
        "staff": {
            "submitted": 6,
            "resolved": 5,
            "median_days_to_feedback": 1.0,
            "satisfaction": {"answers": 5, "mean": 4.0},
        },
        "partner": {
            "submitted": 5,
            "resolved": 0,
            "median_days_to_feedback": 3.0,
            "satisfaction": {"answers": 0, "mean": None},
        },
    }
    assert figures["by_node"] == {
        "casuistiek": {"open": None, "closed": 0},  # one signal: fewer than 5
        "intake": {"open": 5, "closed": 0},
        "teamleider": {"open": 0, "closed": 5},
    }
    assert figures["by_regulation"] == {"participatiewet": 11}
    assert figures["outcomes"] == {"not_possible": 5}
    assert figures["satisfaction"] == {"answers": 5, "mean": 4.0}
    assert figures["effectiveness"] == {"asked": 0, "held": 0, "not_held": 0}

    at_the_lead = api(admin).get("/stats", **PERIOD, node="teamleider").get_json()
    assert at_the_lead["totals"] == {"submitted": 6, "open": None, "resolved": 5}
    assert at_the_lead["by_reporter_kind"]["partner"]["submitted"] == 0
    later = api(admin).get("/stats", **{"from": "2026-11-24", "to": "2026-12-31"}).get_json()
    assert later["totals"] == {"submitted": 0, "open": 0, "resolved": 0}


def test_the_figures_are_over_what_the_caller_may_see(api: Api, small_world: SmallWorld) -> None:
    mine = api(small_world.manager).get("/stats", **PERIOD).get_json()
    assert mine["totals"] == {"submitted": 6, "open": None, "resolved": 5}
    assert mine["by_reporter_kind"]["partner"] == {
        "submitted": 0,
        "resolved": 0,
        "median_days_to_feedback": None,
        "satisfaction": {"answers": 0, "mean": None},
    }
    theirs = api(small_world.partner_reporter).get("/stats", **PERIOD).get_json()
    assert theirs["totals"] == {"submitted": 5, "open": 5, "resolved": 0}
    assert theirs["by_reporter_kind"]["staff"]["submitted"] == 0


def test_a_wrong_period_is_said_per_field(api: Api, admin: User) -> None:
    backwards = api(admin).get("/stats", **{"from": "2026-12-01", "to": "2026-11-01"})
    assert backwards.status_code == 422
    assert backwards.get_json()["error"]["fields"] == {
        "to": ["De einddatum ligt op of na de begindatum."]
    }
    missing = api(admin).get("/stats", **{"from": "gisteren"})
    assert set(missing.get_json()["error"]["fields"]) == {"from", "to"}
    unknown = api(admin).get("/stats", **PERIOD, node="nergens")
    assert set(unknown.get_json()["error"]["fields"]) == {"node"}
