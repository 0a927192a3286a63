"""The dashboard (/overzicht) on the small world of test_stats, whose every figure is known:
the kept monthly figures say what a live count says, each reader sees their own scope, small
numbers stay hidden, bad months are refused per field, and the CSV holds the same signals."""

from datetime import UTC, date, datetime, timedelta

from signals.auth.models import User
from signals.clock import Clock
from signals.figures.cube import Cube
from signals.figures.dashboard import build
from signals.figures.measures import measure
from signals.figures.rollups import month_population, refresh_monthly_figures, stored_rows
from signals.figures.stats import summary
from signals.workflow.services import accept_signal, submit_signal
from tests.fixtures.app import START
from tests.fixtures.people import VALID_SIGNAL
from tests.fixtures.small_world import SmallWorld
from tests.helpers import Login, MakeUser
from tests.integration.test_trust_figures import held_round

NOVEMBER = date(2026, 11, 1)
PAGE = "/overzicht?van=2026-11&tot=2026-11"


def figure(page: str, name: str) -> str:
    start = page.index(f'id="figure-{name}">') + len(f'id="figure-{name}">')
    return page[start : page.index("</dd>", start)]


def test_the_kept_monthly_figures_say_what_a_live_count_says(
    clock: Clock, small_world: SmallWorld
) -> None:
    later = START + timedelta(days=3, hours=1)  # the world's sweep refreshed on Thursday

    assert refresh_monthly_figures(later) == 1  # the survey answers changed November
    assert refresh_monthly_figures(later + timedelta(minutes=5)) == 0  # not again so soon

    def kept_and_live() -> tuple[dict[str, object], dict[str, object]]:
        rows, missing, _at = stored_rows((NOVEMBER,))
        assert missing == ()
        return summary(Cube(rows)), summary(Cube(measure(month_population((NOVEMBER,)))))

    kept, live = kept_and_live()
    assert kept == live
    assert kept["totals"] == {"submitted": 11, "open": 6, "resolved": 5}

    # A new signal and an acceptance later in the month: kept again after the interval.
    clock.set(later + timedelta(minutes=20))
    extra = submit_signal(small_world.reporter, VALID_SIGNAL)
    accept_signal(small_world.manager, extra.reference, {})
    stale, live = kept_and_live()
    assert stale["totals"] == {"submitted": 11, "open": 6, "resolved": 5}
    assert live["totals"] == {"submitted": 12, "open": 7, "resolved": 5}
    assert refresh_monthly_figures(later + timedelta(minutes=30)) == 1
    kept, live = kept_and_live()
    assert kept == live


def test_every_figure_of_the_dashboard_on_the_small_world(
    small_world: SmallWorld, admin: User
) -> None:
    refresh_monthly_figures(START + timedelta(days=3, hours=1))  # after the survey answers

    board = build(admin, NOVEMBER, NOVEMBER)
    cube = board.cube

    assert board.whole_municipality and board.computed_at is not None  # the kept figures
    assert cube.by_key("entry") == {"intake": 5, "teamleider": 6}
    assert cube.by_key("node_resolved") == {"teamleider": 5}
    assert cube.on_time("accept", node="teamleider") == 0.833  # 5 of 6: one breached
    assert cube.on_time("accept", node="intake") == 1.0
    assert cube.on_time("accept", node="casuistiek") is None  # nothing decided there yet
    assert cube.on_time("feedback", kind="partner") == 1.0
    assert cube.median_days_to_feedback() == 2.0  # five after 1 working day, five after 3
    assert cube.median_days_to_feedback(kind="staff") == 1.0
    assert cube.median_days_to_feedback(kind="partner") == 3.0
    assert cube.satisfaction(kind="staff") == {"answers": 5, "mean": 4.0}
    assert cube.satisfaction(kind="partner") == {"answers": 0, "mean": None}
    assert cube.by_key("level") == {"municipal_practice": 11}
    # The oldest open signal first: the staff signal passed on to the casuïstiek table.
    assert [item.node for item in board.waited_longest] == ["casuistiek"] + ["intake"] * 5
    assert [reason for _reference, reason in board.not_possible] == ["Landelijke wet."] * 5


def test_the_page_shows_the_figures_with_small_numbers_hidden(
    small_world: SmallWorld, admin: User, login: Login
) -> None:
    page = login(admin).get(PAGE)

    assert page.status_code == 200, page.text
    text = page.text
    assert 'href="/overzicht"' in text  # in the menu
    assert "hele gemeente" in text and "De maandcijfers zijn bijgewerkt op" in text
    assert [figure(text, name) for name in ("submitted", "open", "resolved")] == ["11", "6", "5"]
    assert [figure(text, name) for name in ("accept", "feedback", "update")] == [
        "91%",
        "100%",
        "100%",
    ]
    assert figure(text, "median") == "2,0"
    assert figure(text, "policy-changed") == "0"
    # Every chart is an SVG image with its numbers in a table beside it.
    assert text.count('src="data:image/svg+xml;base64,') == text.count('class="chart-body"') >= 7
    assert "Cijfers bij de grafiek “Signalen per maand van indienen”" in text
    # One signal at the casuïstiek table: counted as "< 5", never as 1.
    places = text[text.index('id="grafiek-open_nodes"') :]
    places = places[: places.index("</figure>")]
    assert "<td>&lt; 5</td>" in places and "<td>1</td>" not in places
    partner_staff = text[text.index('id="partner-staff"') :]
    partner_staff = partner_staff[: partner_staff.index("</table>")]
    assert "<td>1,0</td><td>3,0</td>" in partner_staff  # median working days, staff vs partner


def test_each_reader_sees_their_own_scope(
    small_world: SmallWorld, make_user: MakeUser, login: Login
) -> None:
    world = small_world
    policy_member = make_user("member", groups=["beleid"], name="Bram Beleid")

    own = login(world.manager).get(PAGE).text
    assert "uw plekken" in own and figure(own, "submitted") == "6"
    assert figure(own, "open") == "&lt; 5"  # one signal still open: hidden

    policy = login(policy_member).get(PAGE).text
    assert "hele gemeente" in policy and figure(policy, "submitted") == "11"
    assert "Geen open signalen uit deze periode die u mag inzien." in policy
    assert "KM-" not in policy  # counts for the whole municipality, no signal by name

    for stranger in (world.reporter, world.partner_reporter, world.intake_member):
        session = login(stranger)
        assert session.get(PAGE).status_code == 403
        assert session.get("/overzicht.csv").status_code == 403
        assert 'href="/overzicht"' not in session.get("/signalen").text


def test_the_csv_holds_the_dashboards_signals_that_the_reader_may_see(
    small_world: SmallWorld, admin: User, make_user: MakeUser, login: Login
) -> None:
    policy_member = make_user("member", groups=["beleid"])

    def lines(user: User, query: str) -> list[str]:
        answer = login(user).get(f"/overzicht.csv?{query}")
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        return answer.get_data(as_text=True).splitlines()

    assert len(lines(admin, "van=2026-11&tot=2026-11")) == 1 + 11
    assert len(lines(admin, "van=2026-11&tot=2026-11&plek=intake")) == 1 + 5
    assert len(lines(admin, "van=2026-12&tot=2026-12")) == 1
    assert len(lines(small_world.manager, "van=2026-11&tot=2026-11")) == 1 + 6
    assert len(lines(policy_member, "van=2026-11&tot=2026-11")) == 1  # no signal in full
    wrong = login(admin).get("/overzicht.csv?van=2026-13")
    assert wrong.status_code == 302 and "/overzicht?van=2026-13" in wrong.headers["Location"]


def test_a_wrong_month_or_place_is_said_per_field_and_kept(
    admin: User, login: Login, clock: Clock
) -> None:
    clock.set(START)
    web = login(admin)

    wrong = web.get("/overzicht?van=2026-13&tot=nov&plek=nergens")
    assert wrong.status_code == 422
    text = wrong.text
    assert text.count("Verwacht een maand als JJJJ-MM (bijv. 2026-03).") >= 2
    assert 'value="2026-13"' in text and 'value="nov"' in text
    assert "Van maand:" in text and "Tot en met maand:" in text and "Plek:" in text

    backwards = web.get("/overzicht?van=2026-11&tot=2026-09")
    assert backwards.status_code == 422
    assert "Kies een maand op of na de eerste maand." in backwards.text

    default = web.get("/overzicht")
    assert default.status_code == 200
    assert 'value="2025-12"' in default.text and 'value="2026-11"' in default.text


def test_the_trust_pulse_per_round_beside_the_baseline(
    admin: User, login: Login, clock: Clock
) -> None:
    clock.set(datetime(2027, 3, 20, 9, 0, tzinfo=UTC))
    held_round(
        date(2027, 3, 1),
        datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
        {
            "staff": [(5, 5), (4, 5), (4, 4), (3, 4), (2, 4), (1, 1)],  # trusts 3/6, heard 5/6
            "partner": [(5, 5), (2, 1), (1, 2)],  # fewer than five: hidden
        },
    )

    text = login(admin).get("/overzicht?van=2027-01&tot=2027-03").text

    trust = text[text.index('id="grafiek-trust"') :]
    trust = trust[: trust.index("</figure>")]
    assert '<th scope="row">maart 2027</th><td>50%</td><td>83%</td><td>–</td><td>–</td>' in trust
    assert "<td>38%</td>" in trust  # the report's baseline beside it
    answers = text[text.index('id="trust-answers"') :]
    assert '<th scope="row">maart 2027</th><td>6</td><td>&lt; 5</td>' in answers
    empty = login(admin).get("/overzicht?van=2026-01&tot=2026-12").text
    assert "Geen vertrouwenspeiling in deze periode." in empty
