"""Who sees which figures and which signals behind them: every role against the dashboard, its
CSV, ``GET /api/v1/stats`` and ``GET /api/v1/signals.csv``, on the small world of test_stats
(tests/fixtures/small_world.py: six staff signals with the manager, five of a partner at the
intake).

The rules: administrators and the beleid and bestuur groups see the figures of the whole
municipality; a manager those of the signals at their nodes (a partner's manager nothing of
another organisation); the dashboard is theirs alone, the API's figures are everybody's over
what they may see in full. The CSVs hold only the signals the reader may see in full.
"""

from signals.auth.models import User
from tests.fixtures.small_world import PERIOD, SmallWorld
from tests.helpers import Api, Login, MakeUser
from tests.integration.test_dashboard import figure

# role: (dashboard's submitted or None when refused, API's submitted, CSV rows)
EXPECTED = {
    "admin": ("11", 11, 11),
    "beleid": ("11", 11, 0),
    "bestuur": ("11", 11, 0),
    "manager": ("6", 6, 6),
    "partner_manager": ("0", 0, 0),
    "intake": (None, 5, 5),
    "reporter": (None, 6, 6),
    "partner_reporter": (None, 5, 5),
    # Neither reads signals by their role: no dashboard, no figures, no rows.
    "ombuds_admin": (None, 0, 0),
    "privacy": (None, 0, 0),
}


def test_every_role_against_the_dashboard_the_figures_and_the_csvs(
    api: Api, login: Login, make_user: MakeUser, small_world: SmallWorld, admin: User
) -> None:
    people = {
        "admin": admin,
        "beleid": make_user("member", groups=["beleid"], name="Bram Beleid"),
        "bestuur": make_user("member", groups=["bestuur"], name="Bert Bestuur"),
        "manager": small_world.manager,
        "partner_manager": make_user(
            "manager", organisation="Buurtteam Teststad", kind="partner", name="Bas Buurtchef"
        ),
        "intake": small_world.intake_member,
        "reporter": small_world.reporter,
        "partner_reporter": small_world.partner_reporter,
        "ombuds_admin": make_user("ombudsman_admin", name="Olga Ombudsbeheer"),
        "privacy": make_user("privacy_officer", name="Pieter Privacy"),
    }
    assert set(people) == set(EXPECTED)

    for role, user in people.items():
        dashboard, submitted, rows = EXPECTED[role]
        web = login(user)
        page = web.get("/overzicht?van=2026-11&tot=2026-11")
        csv = web.get("/overzicht.csv?van=2026-11&tot=2026-11")
        if dashboard is None:
            assert (page.status_code, csv.status_code) == (403, 403), role
            assert 'href="/overzicht"' not in web.get("/signalen").text, role
        else:
            assert page.status_code == 200, role
            assert figure(page.text, "submitted") == dashboard, role
            assert len(csv.get_data(as_text=True).splitlines()) == 1 + rows, role

        figures = api(user).get("/stats", **PERIOD)
        assert figures.status_code == 200, role
        assert figures.get_json()["totals"]["submitted"] == submitted, role
        export = api(user).get("/signals.csv").get_data(as_text=True).splitlines()
        assert len(export) == 1 + rows, role
        if role.startswith("partner"):
            assert not any("Staf" in line for line in export), role
