"""Input an attacker or a careless client sends: refused with a clear answer, never a 5xx.

Each test is one class of input found to misbehave: line breaks in single-line fields (they
ended up in mail headers), JSON nested until the parser gives up, fractions where a whole
number is meant, a kwestie created where its creator may not look, and HEAD requests that
ran the POST branch of a form.
"""

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from signals.auth.models import AuthFailure, User
from signals.clock import Clock
from signals.extensions import db
from signals.kwesties.models import Kwestie
from signals.kwesties.services import create_kwestie
from signals.notifications.models import OutboxMessage
from signals.routing.services import node_label
from signals.validation import NOT_ONE_LINE
from signals.workflow.models import Signal
from signals.workflow.services import submit_signal
from tests.fixtures.people import PASSWORD
from tests.fixtures.snapshot import database_state
from tests.helpers import Api, Login, MakeUser
from tests.integration.test_api import basic, count, error_of

# Characters that break a line or change how a line reads: each is refused in a single line.
NOT_ONE_LINE_TEXTS = [
    "Gif\r\nBcc: iedereen@example.org",
    "Gif\nBcc: iedereen@example.org",
    "Gif\rBcc: iedereen@example.org",
    "Tab\tin de titel",
    "Escape \x1b[31m rood",
    "Regelscheiding\u2028in Unicode",
    "Alineascheiding\u2029in Unicode",
    "Volgende regel\x85(NEL)",
    "Omgekeerd \u202egnippets",
]


# Single-line fields ------------------------------------------------------------------------


@pytest.mark.parametrize("title", NOT_ONE_LINE_TEXTS)
def test_a_signal_title_of_more_than_one_line_is_refused_through_the_api(
    api: Api, reporter: User, signal_data: dict[str, Any], title: str
) -> None:
    response = api(reporter).post("/signals", {**signal_data, "title": title})

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"title": [NOT_ONE_LINE]}
    assert count(Signal) == 0 and count(OutboxMessage) == 0


@pytest.mark.parametrize("title", NOT_ONE_LINE_TEXTS[:3])
def test_a_kwestie_title_of_more_than_one_line_is_refused_through_the_api(
    api: Api, manager: User, title: str
) -> None:
    response = api(manager).post("/kwesties", {"title": title, "node": "beleid"})

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"title": [NOT_ONE_LINE]}
    assert count(Kwestie) == 0


def test_a_token_name_of_more_than_one_line_is_refused(client: FlaskClient, reporter: User) -> None:
    response = client.post(
        "/api/v1/tokens",
        headers=basic(reporter.email, PASSWORD),
        json={"name": "Zaaksysteem\r\nX-Evil: 1"},
    )

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"name": [NOT_ONE_LINE]}


def test_multi_line_texts_keep_their_line_breaks(
    clock: Clock, reporter: User, signal_data: dict[str, Any]
) -> None:
    situation = "Eerste alinea.\r\n\r\nTweede alinea,\tmet een tab."
    signal = submit_signal(reporter, {**signal_data, "situation": situation})

    assert signal.situation == situation


# Nesting -----------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


JSON_POSTS = [
    "/signals",
    "/signals/{reference}/actions",
    "/routes/preview",
    "/kwesties",
    "/kwesties/{kwestie}/actions",
]


@pytest.mark.parametrize("path", JSON_POSTS)
@pytest.mark.parametrize("depth", [17, 5_000, 200_000])
def test_json_nested_too_deeply_is_a_400_on_every_endpoint(
    clock: Clock,
    api: Api,
    manager: User,
    reporter: User,
    signal_data: dict[str, Any],
    path: str,
    depth: int,
) -> None:
    signal = submit_signal(reporter, signal_data)
    kwestie = create_kwestie(manager, {"title": "Eerste loon", "node": "beleid"})
    client = api(manager)
    body = '{"title": ' + nested(depth) + "}"
    url = "/api/v1" + path.format(reference=signal.reference, kwestie=kwestie.id)

    response = client.client.post(
        url, data=body, headers={**client.headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_json_nested_too_deeply_is_a_400_when_asking_for_a_token(
    client: FlaskClient, reporter: User
) -> None:
    response = client.post(
        "/api/v1/tokens",
        data='{"name": ' + nested(100_000) + "}",
        headers={**basic(reporter.email, PASSWORD), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_json_as_deep_as_our_inputs_is_read(
    clock: Clock, api: Api, reporter: User, signal_data: dict[str, Any]
) -> None:
    response = api(reporter).post("/signals", signal_data)  # an object holding lists: depth 2

    assert response.status_code == 201


# Whole numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1.5, "1.5", True, "１", "1e3", 1e400])
def test_a_kwestie_number_that_is_not_a_whole_number_is_refused(
    clock: Clock,
    api: Api,
    manager: User,
    reporter: User,
    signal_data: dict[str, Any],
    value: Any,
) -> None:
    signal = submit_signal(reporter, signal_data)
    kwestie = create_kwestie(manager, {"title": "Eerste loon", "node": "beleid"})
    assert kwestie.id == 1  # 1.5 must not be read as this one

    response = api(manager).act(signal.reference, "link", kwestie=value)

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"kwestie": ["Kies een kwestie uit de lijst."]}
    assert api(manager).get(f"/signals/{signal.reference}").get_json()["kwestie"] is None


@pytest.mark.parametrize("value", [1.5, "2.0", False])
def test_a_version_that_is_not_a_whole_number_is_refused(
    clock: Clock, api: Api, manager: User, reporter: User, signal_data: dict[str, Any], value: Any
) -> None:
    signal = submit_signal(reporter, signal_data)

    response = api(manager).act(signal.reference, "accept", version=value)

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"version": ["Verwacht een geheel getal."]}


# A kwestie its creator may not see -----------------------------------------------------------


def test_a_kwestie_created_where_its_creator_may_not_look_is_201_with_only_its_whereabouts(
    clock: Clock, api: Api, manager: User, make_user: MakeUser
) -> None:
    make_user("member", groups=["ombudsman"], name="Ingrid Ombuds")
    title = "Loket onbereikbaar voor wie geen DigiD heeft"

    response = api(manager).post(
        "/kwesties", {"title": title, "node": "ombudsman", "description": "Geheim verloop."}
    )

    assert response.status_code == 201, response.text
    db.session.expire_all()
    [kwestie] = db.session.scalars(select(Kwestie)).all()
    assert response.get_json() == {
        "id": kwestie.id,
        "status": "open",
        "node": {"key": "ombudsman", "label": node_label("ombudsman")},
        "whereabouts_only": True,
    }
    assert response.headers["Location"] == f"/api/v1/kwesties/{kwestie.id}"
    assert title not in response.text and "Geheim verloop." not in response.text
    assert api(manager).get(f"/kwesties/{kwestie.id}").status_code == 404


# HEAD and GET change nothing ---------------------------------------------------------------


def test_head_on_the_report_form_with_a_filled_in_form_stores_nothing(
    app: Flask, clock: Clock, login: Login, reporter: User, signal_data: dict[str, Any]
) -> None:
    session = login(reporter)
    before = database_state()

    response = session.client.head("/signalen/nieuw", data=signal_data)

    assert response.status_code == 200 and response.data == b""
    assert database_state() == before
    assert count(Signal) == 0


def test_head_on_the_log_in_form_logs_no_one_in_and_counts_no_failure(
    app: Flask, client: FlaskClient, reporter: User
) -> None:
    right = client.head("/inloggen", data={"email": reporter.email, "password": PASSWORD})
    wrong = client.head("/inloggen", data={"email": reporter.email, "password": "fout" * 4})

    assert right.status_code == wrong.status_code == 200
    assert client.get("/signalen").status_code == 302  # still not logged in
    assert count(AuthFailure) == 0
