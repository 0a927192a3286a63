"""The HTTP API: tokens, the rate limit, every endpoint, errors, conflicts and idempotency.

All through the real app (Flask's test client), a real database and the real services; the
walk-through at the end takes a signal from a partner's submission to its resolution with
HTTP only and checks that each step's e-mail reaches a real SMTP server.
"""

import base64
import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from signals.api.views import NO_BODY
from signals.auth.models import ApiToken, AuthFailure, User
from signals.auth.tokens import TOKEN_LIMIT, issue_token, revoke_token
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.delivery import deliver_pending
from signals.notifications.models import OutboxMessage
from signals.workflow.models import Signal, SignalEvent, SubmissionKey
from signals.workflow.services import (
    accept_signal,
    forward_signal,
    give_feedback,
    submit_signal,
)
from tests.fixtures.app import Configure
from tests.fixtures.people import PASSWORD
from tests.fixtures.smtp import SmtpServer
from tests.helpers import Api, Login, MakeUser

PUBLIC_ROUTES = {"api.openapi_document", "api.docs", "api.create_token"}
# The anonymous channel takes no credentials at all: tests/integration/test_anonymous.py.
PUBLIC_ROUTES |= {
    "api.create_anonymous_signal",
    "api.follow_anonymous_signal",
    "api.reply_anonymous_signal",
}


def basic(email: str, password: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def count(model: type[Any]) -> int:
    db.session.expire_all()
    number = db.session.scalar(select(func.count()).select_from(model)) or 0
    db.session.rollback()
    return number


def error_of(response: TestResponse) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return error


# Tokens ---------------------------------------------------------------------------------------


def test_a_token_is_made_with_basic_shown_once_stored_hashed_and_works(
    app: Flask, client: FlaskClient, clock: Clock, reporter: User
) -> None:
    response = client.post(
        "/api/v1/tokens", headers=basic(reporter.email, PASSWORD), json={"name": "Zaaksysteem"}
    )
    assert response.status_code == 201, response.text
    body = response.get_json()
    secret = body["token"]
    assert secret.startswith("ks_") and len(secret) >= 40
    assert body["name"] == "Zaaksysteem" and secret.startswith(body["prefix"])

    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = db.session.execute(select(ApiToken.__table__)).one()
    assert secret not in [str(value) for value in row], "the token itself is never stored"
    assert stored.last_used_at is None

    me = client.get("/api/v1/signals", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, stored.id).last_used_at == clock.now()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Log in met HTTP Basic"),
        ({"Authorization": "Bearer ks_something"}, "Log in met HTTP Basic"),
        (None, "Onjuist e-mailadres of wachtwoord"),
    ],
)
def test_a_token_needs_the_right_password(
    client: FlaskClient, reporter: User, headers: dict[str, str] | None, message: str
) -> None:
    sent = headers if headers is not None else basic(reporter.email, "wrong password")
    response = client.post("/api/v1/tokens", headers=sent)
    assert response.status_code == 401
    assert message in error_of(response)["message"]
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert count(ApiToken) == 0


def test_revoked_and_inactive_users_tokens_are_refused(
    client: FlaskClient, api: Api, reporter: User, manager: User
) -> None:
    mine, theirs = api(reporter), api(manager)
    assert mine.get("/signals").status_code == 200
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == reporter.id)).one()
    revoke_token(reporter, token.id)
    refused = mine.get("/signals")
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "unauthenticated"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")

    manager.active = False
    db.session.commit()
    assert theirs.get("/signals").status_code == 401


def test_the_cli_prints_a_working_token(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, reporter: User
) -> None:
    result = runner.invoke(args=["users", "token", reporter.email, "--name", "koppeling"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    response = client.get("/api/v1/signals", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert db.session.scalars(select(ApiToken.name)).one() == "koppeling"
    unknown = runner.invoke(args=["users", "token", "niemand@gemeente.test"])
    assert unknown.exit_code != 0 and "Geen gebruiker" in unknown.output


def test_a_token_past_the_limit_is_refused_everywhere_until_one_is_revoked(
    client: FlaskClient, runner: FlaskCliRunner, login: Login, reporter: User
) -> None:
    tokens = [issue_token(reporter, {"name": f"sleutel {n}"}) for n in range(TOKEN_LIMIT)]
    refusal = f"U heeft al {TOKEN_LIMIT} API-sleutels; trek er eerst een in."

    through_api = client.post("/api/v1/tokens", headers=basic(reporter.email, PASSWORD))
    through_cli = runner.invoke(args=["users", "token", reporter.email])
    on_the_page = login(reporter).post("/api-sleutels", {"name": "nog een"})

    assert through_api.status_code == 409
    assert error_of(through_api)["message"] == refusal
    assert through_cli.exit_code == 1 and refusal in through_cli.output
    assert on_the_page.status_code == 422 and refusal in on_the_page.text
    assert count(ApiToken) == TOKEN_LIMIT
    revoke_token(reporter, tokens[0].token.id)
    assert client.post("/api/v1/tokens", headers=basic(reporter.email, PASSWORD)).status_code == 201


def test_every_route_but_the_public_ones_needs_a_token(app: Flask, client: FlaskClient) -> None:
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in PUBLIC_ROUTES:
            continue
        url = re.sub(r"<int:\w+>", "1", rule.rule.replace("<reference>", "KM-2026-00001"))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, json={})
            assert response.status_code == 401, (method, url, response.status_code)
            assert error_of(response)["code"] == "unauthenticated"
            checked += 1
    assert checked >= 10


# The throttle (the rules themselves: tests/integration/test_auth_throttle.py) ----------------


@pytest.fixture
def low_limit(configure: Configure) -> int:
    configure(auth_failure_limit=3)
    return 3


def test_failed_passwords_are_held_back_with_429_and_retry_after(
    client: FlaskClient, clock: Clock, reporter: User, manager: User, low_limit: int
) -> None:
    for _ in range(low_limit):
        response = client.post("/api/v1/tokens", headers=basic(reporter.email, "geraden"))
        assert response.status_code == 401
    # Past the free failures even the right password waits: guessing slows down here.
    refused = client.post("/api/v1/tokens", headers=basic(reporter.email, PASSWORD))
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "too_many_attempts"
    assert refused.headers["Retry-After"] == "1"
    # Another account that never logged in from this address waits too (spraying) ...
    other = client.post("/api/v1/tokens", headers=basic(manager.email, PASSWORD))
    assert other.status_code == 429
    assert count(ApiToken) == 0

    clock.set(clock.now() + timedelta(seconds=1))
    again = client.post("/api/v1/tokens", headers=basic(reporter.email, PASSWORD))
    assert again.status_code == 201
    # ... for as long: the address's delay has passed as well.
    assert client.post("/api/v1/tokens", headers=basic(manager.email, PASSWORD)).status_code == 201


def test_failed_tokens_are_held_back_but_a_valid_token_keeps_working(
    client: FlaskClient, api: Api, clock: Clock, reporter: User, low_limit: int
) -> None:
    valid = api(reporter)
    guess = {"Authorization": "Bearer ks_" + "A" * 43}
    statuses = [client.get("/api/v1/signals", headers=guess).status_code for _ in range(5)]
    assert statuses == [401] * low_limit + [429] * 2
    assert valid.get("/signals").status_code == 200
    assert count(AuthFailure) == low_limit, "attempts held back are not counted"
    clock.set(clock.now() + timedelta(seconds=1))
    assert client.get("/api/v1/signals", headers=guess).status_code == 401


def test_the_web_login_shares_the_limit(
    app: Flask, client: FlaskClient, clock: Clock, reporter: User, low_limit: int
) -> None:
    for _ in range(low_limit):
        client.post("/api/v1/tokens", headers=basic(reporter.email, "geraden"))
    page = client.get("/inloggen")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/inloggen", data={"email": reporter.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.text
    assert 'name="password"' in response.text, "the form is shown again, with the message"


# Submitting -----------------------------------------------------------------------------------


def test_a_submitted_signal_is_routed_with_deadlines_and_mailed(
    api: Api, clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    response = api(reporter).post("/signals", signal_data)
    assert response.status_code == 201, response.text
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/signals/{body['reference']}"
    assert body["title"] == signal_data["title"]
    assert body["status"] == "new"
    assert body["node"] == {"key": "teamleider", "label": "Teamleider / teammanager"}
    assert body["owner"] == {"name": manager.name, "email": manager.email}
    assert body["reporter"]["email"] == reporter.email
    # Deadlines in working days, ISO 8601 with an offset.
    assert body["deadlines"]["accept_due"] == "2026-11-25T22:59:59+00:00"
    assert body["deadlines"]["feedback_due"].endswith("+00:00")
    assert [event["type"] for event in body["events"]] == ["submitted"]
    assert body["events"][0]["actor"] == {"name": reporter.name, "reporter": True}
    # The reporter may add information or withdraw it; the owner's actions are not theirs.
    assert body["actions"] == ["add_info", "withdraw"] and isinstance(body["version"], int)
    mails = {(mail.recipient, mail.kind) for mail in db.session.scalars(select(OutboxMessage))}
    assert mails == {(reporter.email, "receipt"), (manager.email, "new_signal")}


INVALID = [
    ({"colour": "rood"}, "colour", "Onbekend veld."),
    ({"title": 12}, "title", "Verwacht tekst."),
    ({"regulations": ["wet_op_de_maan"]}, "regulations", "Onbekende keuze: wet_op_de_maan."),
    ({"urgency": "morgen"}, "urgency", "Onbekende keuze: morgen."),
    ({"title": "x" * 151}, "title", "Maximaal 150 tekens."),
    ({"situation": "BSN 111222333 van de inwoner"}, "situation", "burgerservicenummer"),
    ({"direct_node": "casuistiek"}, "direct_node", "niet rechtstreeks beschikbaar"),
    ({"regulations": ["awb", "awb"]}, "regulations", "Kies elke code één keer."),
    ({"regulations": "awb"}, "regulations", "Verwacht een lijst met codes."),
    ({"": None}, "", "Onbekend veld."),
    ({"kleur": ""}, "kleur", "Onbekend veld."),
]


@pytest.mark.parametrize(("change", "field", "message"), INVALID)
def test_invalid_input_is_422_per_field_and_stores_nothing(
    api: Api,
    reporter: User,
    signal_data: dict[str, Any],
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = api(reporter).post("/signals", {**signal_data, **change})
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert any(message in text for text in error["fields"][field]), error
    assert count(Signal) == 0 and count(OutboxMessage) == 0


def test_what_is_not_a_json_object_is_refused(api: Api, reporter: User) -> None:
    client = api(reporter)
    malformed = client.client.post(
        "/api/v1/signals",
        headers={**client.headers, "Content-Type": "application/json"},
        data='{"title": "half',
    )
    assert malformed.status_code == 400
    assert error_of(malformed)["code"] == "malformed_json"
    not_an_object = client.post("/signals", ["title"])
    assert not_an_object.status_code == 422
    assert "_schema" in error_of(not_an_object)["fields"]
    empty = client.post("/signals")
    assert empty.status_code == 422
    assert error_of(empty)["fields"] == {"_schema": [NO_BODY]}
    no_fields = client.post("/signals", {})
    assert no_fields.status_code == 422 and "title" in error_of(no_fields)["fields"]
    too_large = client.client.post(
        "/api/v1/signals",
        headers={**client.headers, "Content-Type": "application/json"},
        data=b"[" + b"1," * 1_200_000 + b"1]",
    )
    assert too_large.status_code == 413 and error_of(too_large)["code"] == "too_large"
    assert count(Signal) == 0


def test_unknown_paths_and_methods_answer_in_the_envelope(api: Api, reporter: User) -> None:
    client = api(reporter)
    missing = client.get("/nergens")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    wrong_method = client.client.delete("/api/v1/signals", headers=client.headers)
    assert wrong_method.status_code == 405
    assert error_of(wrong_method)["code"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]


# Idempotency ----------------------------------------------------------------------------------


def test_a_retried_submission_returns_the_first_signal(
    api: Api, reporter: User, signal_data: dict[str, Any]
) -> None:
    client = api(reporter)
    key = {"Idempotency-Key": "buurtteam-oost/dossier-4711"}
    first = client.post("/signals", signal_data, headers=key)
    again = client.post("/signals", signal_data, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.headers["Idempotent-Replayed"] == "false"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["reference"] == first.get_json()["reference"]
    assert count(Signal) == 1
    assert count(OutboxMessage) == 2, "one receipt, one mail to the owner: not two of each"

    other = client.post("/signals", {**signal_data, "title": "Iets anders"}, headers=key)
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_key_reused"
    assert first.get_json()["reference"] in error_of(other)["message"]
    assert count(Signal) == 1

    fresh = client.post("/signals", signal_data, headers={"Idempotency-Key": "dossier-4712"})
    assert fresh.status_code == 201 and fresh.headers["Idempotent-Replayed"] == "false"
    assert count(Signal) == 2 and count(SubmissionKey) == 2


def test_idempotency_keys_are_per_user_and_checked(
    api: Api, reporter: User, partner_reporter: User, signal_data: dict[str, Any]
) -> None:
    key = {"Idempotency-Key": "1"}
    mine = api(reporter).post("/signals", signal_data, headers=key)
    theirs = api(partner_reporter).post("/signals", signal_data, headers=key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["reference"] != theirs.get_json()["reference"]

    too_long = api(reporter).post("/signals", signal_data, headers={"Idempotency-Key": "k" * 201})
    assert too_long.status_code == 422
    assert "Idempotency-Key" in error_of(too_long)["fields"]
    assert count(Signal) == 2


def test_an_invalid_retry_is_refused_like_the_first(
    api: Api, reporter: User, signal_data: dict[str, Any]
) -> None:
    key = {"Idempotency-Key": "poging"}
    bad = {**signal_data, "urgency": "morgen"}
    assert api(reporter).post("/signals", bad, headers=key).status_code == 422
    assert count(SubmissionKey) == 0, "a refused submission does not use up its key"
    assert api(reporter).post("/signals", signal_data, headers=key).status_code == 201


# Reading --------------------------------------------------------------------------------------


@pytest.fixture
def signals_of(reporter: User, clock: Clock, signal_data: dict[str, Any]) -> list[Signal]:
    made = []
    for number in range(5):
        clock.set(clock.now() + timedelta(minutes=1))
        made.append(submit_signal(reporter, {**signal_data, "title": f"Signaal {number}"}))
    return made


def test_the_list_pages_by_cursor_newest_first(
    api: Api, manager: User, signals_of: list[Signal]
) -> None:
    client = api(manager)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query: dict[str, Any] = {"limit": 2}
        if cursor:
            query["cursor"] = cursor
        page = client.get("/signals", **query).get_json()
        seen += [item["reference"] for item in page["items"]]
        cursor = page["next_cursor"]
        pages += 1
        if cursor is None:
            break
    assert pages == 3
    assert seen == [signal.reference for signal in reversed(signals_of)]


@pytest.mark.parametrize("cursor", ["2147483648", "9" * 19])
def test_a_cursor_past_every_id_is_the_top_of_the_list(
    api: Api, manager: User, signals_of: list[Signal], cursor: str
) -> None:
    page = api(manager).get("/signals", cursor=cursor)

    assert page.status_code == 200
    assert len(page.get_json()["items"]) == len(signals_of)


@pytest.mark.parametrize("cursor", ["", "-1", "1.5", "abc", "\u0661", "1" * 20])
def test_a_cursor_that_is_not_an_id_is_422(api: Api, manager: User, cursor: str) -> None:
    page = api(manager).get("/signals", cursor=cursor)

    assert page.status_code == 422
    assert error_of(page)["fields"] == {"cursor": ["Ongeldige cursor."]}


def test_the_list_filters(
    api: Api,
    clock: Clock,
    manager: User,
    reporter: User,
    outsider: User,
    signals_of: list[Signal],
) -> None:
    client = api(manager)
    forward_signal(manager, signals_of[0].reference, {"to": "casuistiek"})
    accept_signal(manager, signals_of[1].reference, {})
    give_feedback(manager, signals_of[1].reference, {"message": "We kijken ernaar."})

    def references(**query: Any) -> set[str]:
        response = client.get("/signals", **query)
        assert response.status_code == 200, response.text
        return {item["reference"] for item in response.get_json()["items"]}

    all_five = {signal.reference for signal in signals_of}
    assert references() == all_five, "forwarded: seen still, as a former owner"
    assert references(node="casuistiek") == {signals_of[0].reference}
    assert references(status="new") == all_five - {signals_of[1].reference}
    assert references(status="in_progress") == {signals_of[1].reference}
    assert references(status="resolved") == set()
    assert references(mine="true") == all_five - {signals_of[0].reference}
    assert references(overdue="true") == set()
    clock.set(clock.now() + timedelta(days=4))  # past the accept deadlines (2 working days)
    # the one with feedback given has no running deadline
    assert references(overdue="true") == all_five - {signals_of[1].reference}
    assert references(overdue="false") == {signals_of[1].reference}

    assert api(reporter).get("/signals", mine="true").get_json()["items"]
    assert api(outsider).get("/signals").get_json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"node": "maan"}, "node"),
        ({"status": "klaar"}, "status"),
        ({"overdue": "misschien"}, "overdue"),
        ({"cursor": "!!"}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b"x1").decode()}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b"s" + b"9" * 19).decode()}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode("s²".encode()).decode()}, "cursor"),
        ({"overdue": ""}, "overdue"),
        ({"status": ""}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"sort": "title"}, "sort"),
    ],
)
def test_bad_filters_are_422(api: Api, manager: User, query: dict[str, Any], field: str) -> None:
    response = api(manager).get("/signals", **query)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_one_signal_with_its_timeline_as_each_may_see_it(
    api: Api, manager: User, reporter: User, outsider: User, signals_of: list[Signal]
) -> None:
    signal = signals_of[0]
    forward_signal(manager, signal.reference, {"to": "ombudsman", "message": "Naar de ombudsman"})
    as_reporter = api(reporter).get(f"/signals/{signal.reference}")
    assert as_reporter.status_code == 200
    events = as_reporter.get_json()["events"]
    assert [event["type"] for event in events] == ["submitted", "forwarded"]
    assert events[1]["data"] == {
        "from": "teamleider",
        "to": "ombudsman",
        "message": "Naar de ombudsman",
    }
    assert events[1]["actor"] == {"name": manager.name, "reporter": False}

    # The former owner may know only that it is at the (independent) ombudsman.
    whereabouts = api(manager).get(f"/signals/{signal.reference}")
    assert whereabouts.status_code == 403
    assert signal.title not in whereabouts.text
    assert signal.reference not in {
        item["reference"] for item in api(manager).get("/signals").get_json()["items"]
    }
    assert api(outsider).get(f"/signals/{signal.reference}").status_code == 404
    assert api(outsider).get("/signals/KM-2026-99999").status_code == 404


# Acting ---------------------------------------------------------------------------------------


def test_actions_change_the_signal_and_a_stale_one_changes_nothing(
    api: Api, manager: User, reporter: User, signals_of: list[Signal]
) -> None:
    signal = signals_of[0]
    owner = api(manager)
    seen = owner.get(f"/signals/{signal.reference}").get_json()["version"]
    stale = owner.act(signal.reference, "accept", version=seen - 1)
    assert stale.status_code == 409 and error_of(stale)["code"] == "stale"
    assert count(SignalEvent) == 5, "nothing recorded"
    accepted = owner.act(signal.reference, "accept", version=seen)
    assert accepted.status_code == 200, accepted.text
    body = accepted.get_json()
    assert body["status"] == "in_progress" and body["version"] > seen
    assert "accepted" in [event["type"] for event in body["events"]]

    again = owner.act(signal.reference, "accept")
    assert again.status_code == 409 and error_of(again)["code"] == "conflict"
    by_reporter = api(reporter).act(signal.reference, "feedback", message="Ik zelf")
    assert by_reporter.status_code == 403

    events_before = count(SignalEvent)
    for body, field in [
        ({"action": "fly"}, "action"),
        ({}, "action"),
        ({"action": "forward", "to": "ombudsman_maan"}, "to"),
        ({"action": "resolve", "outcome": "policy_changed"}, "rationale"),
        ({"action": "feedback", "message": "x", "colour": "rood"}, "colour"),
        ({"action": "feedback", "message": "x", "version": "twee"}, "version"),
    ]:
        response = owner.post(f"/signals/{signal.reference}/actions", body)
        assert response.status_code == 422, (body, response.text)
        assert field in error_of(response)["fields"], (body, error_of(response))
    assert count(SignalEvent) == events_before


# Routes, codes, preview -----------------------------------------------------------------------


def test_the_route_graph_and_the_codes(api: Api, reporter: User) -> None:
    client = api(reporter)
    graph = client.get("/routes").get_json()
    keys = {node["key"] for node in graph["nodes"]}
    assert {"teamleider", "intake", "casuistiek", "ombudsman"} <= keys
    assert {"from": "teamleider", "to": "casuistiek", "back": False} in graph["edges"]
    assert graph["entry"]["default"] in keys
    assert all(rule["to"] in keys for rule in graph["entry"]["rules"])
    assert len(graph["version"]) >= 8

    lists = client.get("/codes").get_json()["lists"]
    assert {"code": "participatiewet", "label": "Participatiewet"} in lists["regulations"]
    assert {item["code"] for item in lists["urgency"]} == {"acute", "high", "normal"}


def test_the_preview_routes_without_storing(
    api: Api, reporter: User, partner_reporter: User, intake_member: User
) -> None:
    preview = api(reporter).post("/routes/preview", {"urgency": "acute"})
    assert preview.status_code == 200, preview.text
    body = preview.get_json()
    assert body["node"]["key"] == "doorbraakteam" and body["owner"]["group"] == "doorbraakteam"
    assert body["accept_due"].endswith("+00:00")
    partner = api(partner_reporter).post("/routes/preview", {}).get_json()
    assert partner["node"]["key"] == "intake"
    bad = api(reporter).post("/routes/preview", {"regulations": ["maanwet"]})
    assert bad.status_code == 422 and "regulations" in error_of(bad)["fields"]
    assert count(Signal) == 0 and count(OutboxMessage) == 0


# Kwesties -------------------------------------------------------------------------------------


def test_kwesties_through_the_api(
    api: Api, manager: User, reporter: User, make_user: MakeUser, signals_of: list[Signal]
) -> None:
    tafel = make_user("member", groups=["beleid"], name="Bea Beleid")
    owner = api(manager)
    created = owner.post(
        "/kwesties",
        {
            "title": "Terugvordering toeslagen bij kleine fouten",
            "node": "beleid",
            "from_signal": signals_of[0].reference,
        },
    )
    assert created.status_code == 201, created.text
    kwestie = created.get_json()
    assert created.headers["Location"] == f"/api/v1/kwesties/{kwestie['id']}"
    assert kwestie["status"] == "open" and kwestie["signals"] == [signals_of[0].reference]
    assert kwestie["owner"]["group"] == "beleid"

    linked = owner.act(signals_of[1].reference, "link", kwestie=kwestie["id"])
    assert linked.status_code == 200 and linked.get_json()["kwestie"]["id"] == kwestie["id"]

    listed = owner.get("/kwesties").get_json()["items"]
    assert [(item["id"], item["linked"]) for item in listed] == [(kwestie["id"], 2)]

    members = api(tafel)
    refused = owner.post(
        f"/kwesties/{kwestie['id']}/actions", {"action": "message", "message": "x"}
    )
    assert refused.status_code == 403
    decided = members.post(
        f"/kwesties/{kwestie['id']}/actions",
        {
            "action": "decide",
            "outcome": "policy_changed",
            "rationale": "De beleidsregel is aangepast.",
            "message": "Uw signalen hebben geholpen.",
        },
    )
    assert decided.status_code == 200, decided.text
    assert decided.get_json()["status"] == "decided"
    resolved = api(reporter).get(f"/signals/{signals_of[1].reference}").get_json()
    assert resolved["status"] == "resolved" and resolved["outcome"] == "policy_changed"

    assert owner.get("/kwesties/99999").status_code == 404
    assert owner.get(f"/kwesties/{2**40}").status_code == 404
    bad = owner.post("/kwesties", {"title": "x", "node": "maan"})
    assert bad.status_code == 422 and "node" in error_of(bad)["fields"]


# The document ---------------------------------------------------------------------------------


def test_the_document_and_the_docs_page_cover_every_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, method) for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert routes == documented
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    for path, method in documented:
        assert f"{method} {path}" in page.text
    body = spec["paths"]["/api/v1/signals"]["post"]["requestBody"]["content"]["application/json"]
    schema_name = body["schema"]["$ref"].rsplit("/", 1)[1]
    properties = spec["components"]["schemas"][schema_name]["properties"]
    assert "participatiewet" in properties["regulations"]["items"]["enum"]


# The walk-through -----------------------------------------------------------------------------


def test_from_a_partner_submission_to_resolution_with_http_only(
    app: Flask,
    client: FlaskClient,
    clock: Clock,
    smtp_server: SmtpServer,
    partner_reporter: User,
    intake_member: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    casuistiek = make_user("member", groups=["casuistiek"], name="Cas Casuïstiek")

    def token_for(user: User) -> dict[str, str]:
        response = client.post("/api/v1/tokens", headers=basic(user.email, PASSWORD))
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    def call(method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        response = client.open(f"/api/v1{path}", method=method, headers=headers, json=body)
        assert response.status_code in (200, 201), (path, response.text)
        return response.get_json()

    def delivered_to(address: str) -> list[str]:
        deliver_pending(clock.now())
        return [str(message["Subject"]) for message in smtp_server.by_recipient(address)]

    partner, intake, cas = (
        token_for(partner_reporter),
        token_for(intake_member),
        token_for(casuistiek),
    )
    signal = call("POST", "/signals", partner, signal_data)
    reference = signal["reference"]
    assert signal["node"]["key"] == "intake" and signal["owner"]["group"] == "intake"
    assert all(signal["deadlines"][name] for name in ("accept_due", "feedback_due", "update_due"))
    assert len(delivered_to(partner_reporter.email)) == 1
    assert len(delivered_to(intake_member.email)) == 1

    clock.set(clock.now() + timedelta(hours=1))
    call("POST", f"/signals/{reference}/actions", intake, {"action": "accept"})
    assert len(delivered_to(partner_reporter.email)) == 2
    call(
        "POST",
        f"/signals/{reference}/actions",
        intake,
        {"action": "forward", "to": "casuistiek", "message": "Bespreken in de casuïstiek."},
    )
    assert len(delivered_to(partner_reporter.email)) == 3
    assert len(delivered_to(casuistiek.email)) == 1
    call("POST", f"/signals/{reference}/actions", cas, {"action": "accept"})
    call(
        "POST",
        f"/signals/{reference}/actions",
        cas,
        {"action": "feedback", "message": "We bespreken dit donderdag."},
    )
    resolved = call(
        "POST",
        f"/signals/{reference}/actions",
        cas,
        {
            "action": "resolve",
            "outcome": "solved_individually",
            "rationale": "Maatwerk toegepast op grond van de hardheidsclausule.",
            "message": "Voor deze inwoner is het opgelost.",
        },
    )
    assert resolved["status"] == "resolved" and resolved["outcome"] == "solved_individually"

    timeline = call("GET", f"/signals/{reference}", partner)
    assert [event["type"] for event in timeline["events"]] == [
        "submitted",
        "accepted",
        "forwarded",
        "accepted",
        "feedback_sent",
        "resolved",
    ]
    subjects = delivered_to(partner_reporter.email)
    assert len(subjects) == 6, (
        subjects
    )  # receipt, accepted, forwarded, accepted, feedback, resolved
    assert all(reference in subject for subject in subjects)
    assert len({message["Message-ID"] for message in smtp_server.messages}) == len(
        smtp_server.messages
    )


def test_tokens_are_made_seen_and_revoked_on_their_page(
    client: FlaskClient, login: Login, reporter: User, manager: User
) -> None:
    session = login(reporter)
    made = session.post("/api-sleutels", {"name": "Registratie buurtteam"})
    assert made.status_code == 200
    secret = made.text.split('<code class="token">')[1].split("</code>")[0]
    assert secret.startswith("ks_")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/signals", headers=bearer).status_code == 200

    listing = session.get("/api-sleutels").text
    assert "Registratie buurtteam" in listing and secret[:10] in listing
    assert secret not in listing, "shown once, never again"

    token = db.session.scalars(select(ApiToken)).one()
    other = login(manager).post(f"/api-sleutels/{token.id}/intrekken", {})
    assert other.status_code == 404
    assert client.get("/api/v1/signals", headers=bearer).status_code == 200
    revoked = session.post(f"/api-sleutels/{token.id}/intrekken", {})
    assert revoked.status_code == 302
    assert client.get("/api/v1/signals", headers=bearer).status_code == 401
    assert "ingetrokken" in session.get("/api-sleutels").text

    too_long = session.post("/api-sleutels", {"name": "x" * 101})
    assert too_long.status_code == 422 and "Maximaal 100 tekens" in too_long.text


def test_two_retries_at_the_same_moment_make_one_signal(
    app: Flask, reporter: User, signal_data: dict[str, Any]
) -> None:
    """Both requests pass the "key not used yet" check; the unique key lets one of them in."""
    import threading

    from signals.workflow.services import submit_signal_once
    from tests.fixtures.app import make_test_app

    reporter_id = reporter.id
    db.session.rollback()
    others = [make_test_app(app.config["SQLALCHEMY_DATABASE_URI"]) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[tuple[str, bool]] = []
    failures: list[BaseException] = []

    def submit(other: Flask) -> None:
        try:
            with other.app_context():
                user = db.session.get(User, reporter_id)
                assert user is not None
                barrier.wait(timeout=30)
                submission = submit_signal_once(user, signal_data, "gelijktijdig")
                results.append((submission.signal.reference, submission.replayed))
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            with other.app_context():
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=submit, args=(other,)) for other in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert len(results) == 2
    assert results[0][0] == results[1][0], "one signal for both"
    assert sorted(replayed for _reference, replayed in results) == [False, True]
    assert count(Signal) == 1 and count(SubmissionKey) == 1
    assert count(OutboxMessage) == 2, "the losing request's e-mails were rolled back"


def test_the_scheduler_forgets_failures_after_a_day(client: FlaskClient, clock: Clock) -> None:
    from signals.scheduler.jobs import sweep

    guess = {"Authorization": "Bearer ks_" + "B" * 43}
    client.get("/api/v1/signals", headers=guess)
    clock.set(clock.now() + timedelta(hours=23))
    client.get("/api/v1/signals", headers=guess)
    sweep(clock.now() + timedelta(hours=2))
    assert count(AuthFailure) == 1, "the one of 25 hours ago is gone, the other kept"


@pytest.mark.parametrize("text", ["met\u0000nul", "half \ud800 teken"])
def test_text_that_cannot_be_stored_is_refused_not_a_server_error(
    client: FlaskClient,
    api: Api,
    login: Login,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
    text: str,
) -> None:
    caller = api(reporter)
    body = caller.post("/signals", {**signal_data, "title": text})
    assert body.status_code == 422 and "nul-teken" in error_of(body)["fields"]["title"][0]
    listed = caller.post("/signals", {**signal_data, "regulations": ["awb", text]})
    assert listed.status_code == 422 and "regulations" in error_of(listed)["fields"]
    key = caller.post("/signals", signal_data, headers={"Idempotency-Key": "a\u0000b"})
    assert key.status_code == 422
    path = client.get("/api/v1/signals/KM%00", headers=caller.headers)
    assert path.status_code == 400 and error_of(path)["code"] == "bad_request"
    query = client.get("/api/v1/signals?node=a%00", headers=caller.headers)
    assert query.status_code == 400
    owner = api(manager)
    kwestie = owner.post("/kwesties", {"title": "x", "node": "beleid", "from_signal": text})
    assert kwestie.status_code == 404, kwestie.text
    basic_nul = client.post("/api/v1/tokens", headers=basic(f"{reporter.email}\u0000", "x"))
    assert basic_nul.status_code == 401
    assert count(Signal) == 0
    # the web form keeps what was typed and says what is wrong
    page = login(reporter).post("/signalen/nieuw", {**signal_data, "title": "met\u0000nul"})
    assert page.status_code == 422
    assert "nul-teken" in page.text and signal_data["situation"] in page.text
    assert client.get("/signalen/KM%00").status_code == 400
