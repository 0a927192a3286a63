"""Who sees what: every role against every kind of signal, on pages, lists, actions and the API.

Denied is 403 or 404 and never a leak: a denied signal's reference and title appear in no
list, count or page of that person.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from signals.anonymous.services import submit_anonymous_signal
from signals.auth.models import User
from signals.clock import Clock
from signals.workflow.models import Signal
from signals.workflow.services import accept_signal, forward_signal, submit_signal
from tests.helpers import Api, Login, MakeUser

ROLES = (
    "reporter",
    "colleague",
    "partner",
    "partner_colleague",
    "manager",
    "other_manager",
    "intake",
    "casuistiek",
    "beleid",
    "ombuds",
    "admin",
    "ombuds_admin",
    "privacy",
)
# What each role sees of each signal: "full", "where" (only that it is at the ombudsman),
# "none" (404) — and whether the reporter's name is shown on the page.
SEES: dict[str, dict[str, str]] = {
    # S1: staff signal at the teamleider
    "staff": {
        "reporter": "full",
        "colleague": "none",
        "partner": "none",
        "partner_colleague": "none",
        "manager": "full",
        "other_manager": "none",
        "intake": "none",
        "casuistiek": "none",
        "beleid": "none",
        "ombuds": "none",
        "admin": "full",
        "ombuds_admin": "none",
    },
    # S2: partner signal at the intake
    "partner": {
        "reporter": "none",
        "colleague": "none",
        "partner": "full",
        "partner_colleague": "none",
        "manager": "none",
        "other_manager": "none",
        "intake": "full",
        "casuistiek": "none",
        "beleid": "none",
        "ombuds": "none",
        "admin": "full",
        "ombuds_admin": "none",
    },
    # S3: staff signal forwarded by the teamleider to the (independent) ombudsman
    "ombudsman": {
        "reporter": "full",
        "colleague": "none",
        "partner": "none",
        "partner_colleague": "none",
        "manager": "where",
        "other_manager": "none",
        "intake": "none",
        "casuistiek": "none",
        "beleid": "none",
        "ombuds": "full",
        "admin": "where",  # the municipality's admin: not the ombudsman's content
        "ombuds_admin": "full",
    },
    # S4: staff signal forwarded teamleider → casuïstiek → beleid (reporter hidden at beleid)
    "beleid": {
        "reporter": "full",
        "colleague": "none",
        "partner": "none",
        "partner_colleague": "none",
        "manager": "full",
        "other_manager": "none",
        "intake": "none",
        "casuistiek": "full",
        "beleid": "full",
        "ombuds": "none",
        "admin": "full",
        "ombuds_admin": "none",
    },
    # S5: an anonymous signal, at the casuïstiek table (the anonymous reporter kind's entry)
    "anonymous": {
        "reporter": "none",
        "colleague": "none",
        "partner": "none",
        "partner_colleague": "none",
        "manager": "none",
        "other_manager": "none",
        "intake": "none",
        "casuistiek": "full",
        "beleid": "none",
        "ombuds": "none",
        "admin": "full",
        "ombuds_admin": "none",
    },
}
for _kind in SEES:  # the privacy officer reads no signal by that role
    SEES[_kind]["privacy"] = "none"
# Who is the owner now (may act); everyone else is refused.
OWNER = {
    "staff": "manager",
    "partner": "intake",
    "ombudsman": "ombuds",
    "beleid": "beleid",
    "anonymous": "casuistiek",
}
# Who sees the reporter's name where they see the full signal.
HIDDEN_REPORTER = {("beleid", "beleid")}


@dataclass
class World:
    users: dict[str, User]
    signals: dict[str, Signal]
    receipt: str  # the anonymous reporter's key to the anonymous signal, and to nothing else


def make_role_users(make_user: MakeUser) -> dict[str, User]:
    """One user per role of :data:`ROLES` (the kwestie matrix uses the same cast)."""
    manager = make_user("manager", name="Marloes Teamleider")
    return {
        "manager": manager,
        "reporter": make_user("professional", manager=manager, name="Samira Melder"),
        "colleague": make_user("professional", manager=manager, name="Collega Zelfde Team"),
        "partner": make_user(
            "professional", organisation="Buurtteam Oost", kind="partner", name="Fatima Partner"
        ),
        "partner_colleague": make_user(
            "professional", organisation="Buurtteam Oost", kind="partner", name="Partner Collega"
        ),
        "other_manager": make_user("manager", name="Andere Teamleider"),
        "intake": make_user("member", groups=["intake"], name="Lotte Intake"),
        "casuistiek": make_user("member", groups=["casuistiek"], name="Casus Lid"),
        "beleid": make_user("member", groups=["beleid"], name="Hans Beleid"),
        "ombuds": make_user("member", groups=["ombudsman"], name="Ingrid Ombuds"),
        "admin": make_user("admin", name="Beheerder"),
        "ombuds_admin": make_user("ombudsman_admin", name="Olga Ombudsbeheer"),
        "privacy": make_user("privacy_officer", name="Pieter Privacy"),
    }


@pytest.fixture
def world(make_user: MakeUser, clock: Clock, signal_data: dict[str, Any]) -> World:
    users = make_role_users(make_user)
    manager = users["manager"]

    def staff_signal(title: str) -> Signal:
        return submit_signal(users["reporter"], {**signal_data, "title": title})

    signals = {
        "staff": staff_signal("Signaal bij de teamleider"),
        "partner": submit_signal(users["partner"], {**signal_data, "title": "Signaal partner"}),
        "ombudsman": staff_signal("Signaal naar de ombudsman"),
        "beleid": staff_signal("Signaal naar beleid"),
    }
    anonymous = submit_anonymous_signal({**signal_data, "title": "Anoniem signaal"}, None)
    signals["anonymous"] = anonymous.signal
    forward_signal(manager, signals["ombudsman"].reference, {"to": "ombudsman"})
    forward_signal(manager, signals["beleid"].reference, {"to": "casuistiek"})
    accept_signal(users["casuistiek"], signals["beleid"].reference, {})
    forward_signal(users["casuistiek"], signals["beleid"].reference, {"to": "beleid"})
    return World(users, signals, anonymous.receipt)


CASES = [(role, kind) for role in ROLES for kind in SEES]


@pytest.mark.parametrize(("role", "kind"), CASES)
def test_the_signal_page(world: World, login: Login, role: str, kind: str) -> None:
    signal, user = world.signals[kind], world.users[role]
    page = login(user).get(f"/signalen/{signal.reference}")
    expected = SEES[kind][role]
    if expected == "none":
        assert page.status_code == 404
        assert signal.title not in page.text
        return
    assert page.status_code == 200
    if expected == "where":
        assert "een onafhankelijke plek in de route" in page.text
        assert signal.title not in page.text and signal.situation not in page.text
        return
    assert signal.title in page.text
    reporter_name = world.users["reporter" if kind != "partner" else "partner"].name
    if kind == "anonymous":
        assert "<dt>Gemeld door</dt><dd>Anoniem, via het anonieme kanaal</dd>" in page.text
    elif (kind, role) in HIDDEN_REPORTER:
        assert reporter_name not in page.text and "Afgeschermd op deze plek" in page.text
    else:
        assert reporter_name in page.text


@pytest.mark.parametrize(("role", "kind"), CASES)
def test_feedback_is_for_the_owner_only(world: World, login: Login, role: str, kind: str) -> None:
    signal, user = world.signals[kind], world.users[role]
    response = login(user).post(
        f"/signalen/{signal.reference}/terugkoppeling", {"message": "Stand van zaken."}
    )
    if OWNER[kind] == role:
        assert response.status_code == 302
    elif SEES[kind][role] == "none":
        assert response.status_code == 404
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_nothing_that_is_not_theirs(
    app: Flask, world: World, login: Login, role: str
) -> None:
    session = login(world.users[role])
    mine = session.get("/signalen").text
    inbox = session.get("/inbox")
    for kind, signal in world.signals.items():
        own = signal.reporter_id == world.users[role].id
        assert (signal.reference in mine) is own, (kind, "mijn signalen")
        if inbox.status_code == 200:
            owns = OWNER[kind] == role
            assert (signal.reference in inbox.text) is owns, (kind, "inbox")
        else:
            assert inbox.status_code == 403


# The API keeps the same rules --------------------------------------------------------------


@pytest.mark.parametrize(("role", "kind"), CASES)
def test_the_api_shows_what_the_page_shows(world: World, api: Api, role: str, kind: str) -> None:
    signal, user = world.signals[kind], world.users[role]
    response = api(user).get(f"/signals/{signal.reference}")
    expected = SEES[kind][role]
    if expected == "none":
        assert response.status_code == 404
    elif expected == "where":
        assert response.status_code == 403
        assert "onafhankelijke plek" in response.get_json()["error"]["message"]
    else:
        assert response.status_code == 200
        assert response.get_json()["title"] == signal.title
        reporter = response.get_json()["reporter"]
        assert (reporter is None) is ((kind, role) in HIDDEN_REPORTER or kind == "anonymous")
        return
    assert signal.title not in response.text and signal.situation not in response.text


@pytest.mark.parametrize(("role", "kind"), CASES)
def test_api_feedback_is_for_the_owner_only(world: World, api: Api, role: str, kind: str) -> None:
    signal, user = world.signals[kind], world.users[role]
    response = api(user).act(signal.reference, "feedback", message="Stand van zaken.")
    if OWNER[kind] == role:
        assert response.status_code == 200
    elif SEES[kind][role] == "none":
        assert response.status_code == 404
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_the_api_list_holds_what_they_may_see_in_full(world: World, api: Api, role: str) -> None:
    listed = api(world.users[role]).get("/signals", limit=100).get_json()["items"]
    expected = {
        signal.reference for kind, signal in world.signals.items() if SEES[kind][role] == "full"
    }
    assert {item["reference"] for item in listed} == expected
    for item in listed:
        hidden = (
            next(k for k, s in world.signals.items() if s.reference == item["reference"]),
            role,
        )
        assert (item["reporter"] is None) is (hidden in HIDDEN_REPORTER or hidden[0] == "anonymous")


# The anonymous reporter: no account, only the receipt ------------------------------------------


def test_the_anonymous_reporter_reads_their_signal_with_the_receipt_and_nothing_else(
    app: Flask, world: World
) -> None:
    visitor = app.test_client()  # not logged in, no token: all the anonymous reporter has
    followed = visitor.get(f"/api/v1/anonymous/{world.receipt}")
    assert followed.status_code == 200
    assert followed.get_json()["reference"] == world.signals["anonymous"].reference
    for kind, signal in world.signals.items():
        page = visitor.get(f"/signalen/{signal.reference}")
        assert page.status_code == 302 and "/inloggen" in page.headers["Location"], kind
        assert visitor.get(f"/api/v1/signals/{signal.reference}").status_code == 401, kind
        assert signal.title not in page.text
    others = [s.title for kind, s in world.signals.items() if kind != "anonymous"]
    assert not any(title in followed.text for title in others)
