"""Logging in and out, the login gate on every page, CSRF, session cookies and the secret key."""

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from signals import create_app
from signals.auth.models import User
from signals.auth.services import LOGIN_FAILED
from signals.auth.tokens import issue_token
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.workflow.models import Signal
from tests.fixtures.app import csrf_token_from
from tests.fixtures.people import PASSWORD, WebSession
from tests.helpers import Login

DUMMY_REFERENCE = "KM-2026-000001"
LOGIN_PATH = "/inloggen"
FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)">(.*?)</p>', re.S)


def count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def field_errors(html: str) -> dict[str, str]:
    """``{element id: text}`` of the field-error paragraphs on a page."""
    return {
        element_id: " ".join(re.sub(r"<[^>]+>", " ", body).split())
        for element_id, body in FIELD_ERROR.findall(html)
    }


def input_value(html: str, name: str) -> str:
    match = re.search(rf'<input [^>]*name="{name}" value="([^"]*)"', html)
    assert match, f"no input named {name!r}"
    return match.group(1)


def log_in(client: FlaskClient, email: str, password: str, query: str = "") -> Any:
    token = csrf_token_from(client.get(LOGIN_PATH).text)
    return client.post(
        LOGIN_PATH + query, data={"email": email, "password": password, "csrf_token": token}
    )


# Logging in ----------------------------------------------------------------------------------


def test_login_page_renders_a_form_with_csrf_token(client: FlaskClient) -> None:
    response = client.get(LOGIN_PATH)

    assert response.status_code == 200
    assert "<h1>Inloggen</h1>" in response.text
    assert csrf_token_from(response.text)
    assert 'name="email"' in response.text and 'name="password"' in response.text
    assert "Uitloggen" not in response.text


def test_good_credentials_redirect_and_the_next_page_shows_the_user(
    client: FlaskClient, reporter: User
) -> None:
    response = log_in(client, reporter.email, PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/signalen"
    page = client.get("/signalen")
    assert page.status_code == 200
    assert "Samira Consulent" in page.text
    assert "Uitloggen" in page.text


def test_a_manager_lands_on_the_inbox(client: FlaskClient, manager: User) -> None:
    assert log_in(client, manager.email, PASSWORD).status_code == 302
    home = client.get("/")
    assert home.headers["Location"] == "/inbox"
    assert "Marloes Teamleider" in client.get("/inbox").text


def test_the_email_address_is_matched_case_insensitively(
    client: FlaskClient, reporter: User
) -> None:
    response = log_in(client, f"  {reporter.email.upper()} ", PASSWORD)
    assert response.status_code == 302
    assert client.get("/signalen").status_code == 200


@pytest.mark.parametrize("which", ["wrong password", "unknown e-mail", "inactive user"])
def test_failed_login_gives_one_message_and_keeps_the_email(
    client: FlaskClient, reporter: User, which: str
) -> None:
    email, password = reporter.email, PASSWORD
    if which == "wrong password":
        password = "wrong horse battery"
    elif which == "unknown e-mail":
        email = "niemand@gemeente.test"
    else:
        reporter.active = False
        db.session.commit()

    response = log_in(client, email, password)

    assert response.status_code == 422
    assert field_errors(response.text) == {"password-error": LOGIN_FAILED}
    assert input_value(response.text, "email") == email
    assert password not in response.text
    # still anonymous
    assert client.get("/signalen").status_code == 302


def test_login_with_empty_fields_asks_for_both(client: FlaskClient) -> None:
    response = log_in(client, "", "")
    assert response.status_code == 422
    assert field_errors(response.text) == {
        "email-error": "Dit veld is verplicht.",
        "password-error": "Dit veld is verplicht.",
    }


def test_a_user_deactivated_while_logged_in_loses_the_session(login: Login, reporter: User) -> None:
    session = login(reporter)
    assert session.get("/signalen").status_code == 200

    reporter.active = False
    db.session.commit()

    response = session.get("/signalen")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(LOGIN_PATH)


def test_a_logged_in_user_visiting_the_login_page_goes_home(login: Login, reporter: User) -> None:
    response = login(reporter).get(LOGIN_PATH)
    assert response.status_code == 302 and response.headers["Location"] == "/"


# Logging out ---------------------------------------------------------------------------------


def test_logout_is_post_only_and_ends_the_session(login: Login, reporter: User) -> None:
    session = login(reporter)

    assert session.get("/uitloggen").status_code == 405
    assert session.get("/signalen").status_code == 200, "a GET must not log out"

    response = session.post("/uitloggen", {})
    assert response.status_code == 302
    assert response.headers["Location"] == LOGIN_PATH
    assert "U bent uitgelogd." in session.get(LOGIN_PATH).text

    after = session.get("/signalen")
    assert after.status_code == 302
    assert after.headers["Location"].startswith(LOGIN_PATH)


def test_logout_without_csrf_token_is_refused(login: Login, reporter: User) -> None:
    session = login(reporter)

    assert session.client.post("/uitloggen").status_code == 400
    assert session.get("/signalen").status_code == 200


# Ending every session of a person -------------------------------------------------------------

SESSION_COOKIE = "signals_session"


def copied_session(app: Flask, session: WebSession) -> FlaskClient:
    """Another browser holding ``session``'s cookie as it is now (a copied or stolen cookie).

    Same address and user agent as the original, so flask-login's session protection does
    not tell them apart: only the session generation can.
    """
    cookie = session.client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, cookie.value)
    assert thief.get("/signalen").status_code == 200, "the copy works before"
    return thief


def sent_to_login(client: FlaskClient | WebSession) -> bool:
    response = client.get("/signalen")
    return response.status_code == 302 and response.headers["Location"].startswith(LOGIN_PATH)


def test_a_cookie_copied_before_logout_no_longer_works_nor_any_other_session(
    app: Flask, login: Login, reporter: User
) -> None:
    session, elsewhere = login(reporter), login(reporter)
    thief = copied_session(app, session)

    assert session.post("/uitloggen", {}).status_code == 302

    assert sent_to_login(thief)
    assert sent_to_login(elsewhere)
    assert sent_to_login(session)


def test_after_logging_out_everywhere_the_person_logs_in_again(
    login: Login, reporter: User
) -> None:
    first = login(reporter)
    first.post("/uitloggen", {})

    again = login(reporter)
    assert again.get("/signalen").status_code == 200
    assert sent_to_login(first)


def test_deactivation_ends_every_session_and_log_in_stays_refused(
    app: Flask, login: Login, runner: FlaskCliRunner, reporter: User
) -> None:
    session, elsewhere = login(reporter), login(reporter)
    thief = copied_session(app, session)

    result = runner.invoke(args=["users", "deactivate", reporter.email])

    assert result.exit_code == 0, result.output
    assert "gedeactiveerd" in result.output
    assert sent_to_login(thief) and sent_to_login(elsewhere) and sent_to_login(session)
    refused = log_in(app.test_client(), reporter.email, PASSWORD)
    assert refused.status_code == 422
    assert field_errors(refused.text) == {"password-error": LOGIN_FAILED}
    db.session.expire_all()
    assert db.session.get(User, reporter.id).active is False  # type: ignore[union-attr]


def test_an_api_token_of_a_deactivated_person_stops_working(
    client: FlaskClient, runner: FlaskCliRunner, reporter: User
) -> None:
    secret = issue_token(reporter).secret
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/signals", headers=bearer).status_code == 200

    assert runner.invoke(args=["users", "deactivate", reporter.email]).exit_code == 0

    assert client.get("/api/v1/signals", headers=bearer).status_code == 401


def test_deactivating_an_unknown_person_says_so(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "deactivate", "niemand@gemeente.test"])
    assert result.exit_code != 0
    assert "Geen gebruiker met e-mailadres niemand@gemeente.test" in result.output


def test_a_session_cookie_from_before_session_generations_no_longer_logs_in(
    login: Login, reporter: User
) -> None:
    session = login(reporter)
    with session.client.session_transaction() as cookie:
        assert cookie["_user_id"] == f"{reporter.id}:0"
        cookie["_user_id"] = str(reporter.id)  # the form of the id until this change

    assert sent_to_login(session)


# Where to go after logging in ----------------------------------------------------------------


def test_the_login_gate_sends_the_user_back_to_the_page_asked_for(
    client: FlaskClient, manager: User
) -> None:
    gate = client.get("/inbox")
    location = gate.headers["Location"]
    assert gate.status_code == 302
    assert urlsplit(location).path == LOGIN_PATH
    assert parse_qs(urlsplit(location).query) == {"next": ["/inbox"]}

    response = log_in(client, manager.email, PASSWORD, query="?" + urlsplit(location).query)
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/signalen/nieuw", "/signalen/nieuw"),
        ("/signalen?x=1", "/signalen?x=1"),
        ("/inbox?status=new&overdue=true", "/inbox?status=new&overdue=true"),
        ("/signalen/KM-2026-000001", "/signalen/KM-2026-000001"),
        ("/signalen?q=twee%20woorden", "/signalen?q=twee%20woorden"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("signalen", "/"),
    ],
)
def test_next_is_followed_only_for_local_paths(
    client: FlaskClient, reporter: User, target: str, expected: str
) -> None:
    response = log_in(client, reporter.email, PASSWORD, query="?" + _query(next=target))
    assert response.status_code == 302
    assert response.headers["Location"] == expected


# Each of these sends a browser to another site, or could after a proxy decodes it once.
AWAY = [
    "////evil.example",
    "///evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/\x0b/evil.example",
    "/\u3000/evil.example",
    "/\u200b/evil.example",
    "/%2Fevil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%252F%252Fevil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "https://evil.example",
    "HTTPS://evil.example",
    "https:/evil.example",
    "https:evil.example",
    "//evil.example/signalen",
    "/\\evil.example/signalen",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/javascript:alert(1)",
    "/bestaat-niet",
    "signalen",
    "",
]


@pytest.mark.parametrize("target", AWAY)
def test_next_never_leads_away_from_the_sites_pages(
    client: FlaskClient, reporter: User, target: str
) -> None:
    response = log_in(client, reporter.email, PASSWORD, query="?" + _query(next=target))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def _query(**params: str) -> str:
    return urlencode(params)


# The login gate ------------------------------------------------------------------------------


def _gated_requests(app: Flask) -> list[tuple[str, str, str]]:
    """``(endpoint, method, url)`` for every rule and method except the public ones.

    The API has a gate of its own (a token, 401 in JSON): tests/integration/test_api.py. The
    site icon is public, as a static file is: tests/integration/test_page_head.py. The trust
    pulse's page takes its link's token instead of a log-in: tests/integration/test_trust_pulse.py.
    The anonymous channel is for whoever is not logged in: tests/integration/test_anonymous.py.
    Health, readiness and metrics are for the platform: tests/integration/test_operations.py.
    *Wachtwoord vergeten* and the page behind a one-time link are for whoever cannot log in:
    tests/integration/test_account_links.py.
    """
    requests = []
    for rule in app.url_map.iter_rules():
        public = {"auth.login", "static", "web.favicon", "trust.answer_pulse"}
        public |= {"auth.forgot_password", "auth.account_link"}  # test_account_links.py
        public |= {"anonymous.new_signal", "anonymous.follow", "anonymous.reply"}
        # Health, readiness and metrics (tests/integration/test_operations.py).
        public |= {"operations.healthz", "operations.readyz", "operations.metrics"}
        if rule.endpoint in public or rule.endpoint.startswith("api."):
            continue
        url = rule.rule.replace("<reference>", DUMMY_REFERENCE).replace("<slug>", "afhandelen")
        url = url.replace("<group>", "intake")  # a route-node group (/beheer/groepen/…)
        url = re.sub(r"<any\((\w+)[^>]*\):slug>", r"\1", url)  # the first of its choices
        url = re.sub(r"<int:\w+>", "1", url)
        assert "<" not in url, f"unexpected URL variable in {rule.rule}"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            requests.append((rule.endpoint, method, url))
    return requests


def test_every_page_but_login_and_static_redirects_anonymous_users_to_login(
    app: Flask, client: FlaskClient
) -> None:
    # A valid CSRF token, so that POSTs reach the login gate instead of stopping at CSRF.
    token = csrf_token_from(client.get(LOGIN_PATH).text)
    requests = _gated_requests(app)

    problems = []
    for endpoint, method, url in requests:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith(LOGIN_PATH):
            problems.append((endpoint, method, url, response.status_code, location))
    assert problems == []

    checked = {(endpoint, method) for endpoint, method, _url in requests}
    assert {
        ("web.home", "GET"),
        ("web.new_signal", "GET"),
        ("web.new_signal", "POST"),
        ("web.my_signals", "GET"),
        ("web.inbox", "GET"),
        ("web.show_signal", "GET"),
        ("web.post_action", "POST"),
        ("web.admin_outbox", "GET"),
        ("web.retry_dead_mail", "POST"),
        ("web.retry_all_dead_mail", "POST"),
        ("web.survey", "GET"),
        ("web.survey", "POST"),
        ("web.dev_mailbox", "GET"),
        ("auth.logout", "POST"),
        ("auth.change_own_password", "GET"),
        ("auth.change_own_password", "POST"),
        ("kwesties.list_kwesties", "GET"),
        ("kwesties.new_kwestie", "POST"),
        ("kwesties.show_kwestie", "GET"),
        ("kwesties.post_action", "POST"),
        ("kwesties.post_link", "POST"),
        ("knowledge.list_articles", "GET"),
        ("knowledge.show_article", "GET"),
        ("knowledge.maatwerk_grounds", "GET"),
    } <= checked
    assert count(Signal) == 0
    assert count(OutboxMessage) == 0


def test_static_files_and_the_login_page_are_public(client: FlaskClient) -> None:
    with client.get("/static/signals.css") as static:
        assert static.status_code == 200
    assert client.get(LOGIN_PATH).status_code == 200


# CSRF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_a_post_without_a_valid_csrf_token_is_refused_and_stores_nothing(
    login: Login,
    reporter: User,
    signal_data: dict[str, Any],
    token: str | None,
) -> None:
    session = login(reporter)
    data = dict(signal_data) if token is None else {**signal_data, "csrf_token": token}

    response = session.client.post("/signalen/nieuw", data=data)

    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.text
    assert count(Signal) == 0
    assert count(OutboxMessage) == 0


# Cookies and configuration -------------------------------------------------------------------


def _session_cookie(response: TestResponse) -> str:
    cookies = [
        header
        for header in response.headers.getlist("Set-Cookie")
        if header.startswith("signals_session=")
    ]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def test_the_session_cookie_is_httponly_and_samesite_lax(
    client: FlaskClient, reporter: User
) -> None:
    response = log_in(client, reporter.email, PASSWORD)

    assert response.status_code == 302
    attributes = [part.strip().lower() for part in _session_cookie(response).split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    # The test app turns Secure off because the test client speaks plain http.
    assert "secure" not in attributes


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``SIGNALS_*`` variable from the environment may change the configuration."""
    for name in list(os.environ):
        if name.startswith("SIGNALS_"):
            monkeypatch.delenv(name)


def _production_config(tmp_path: Path, **overrides: object) -> dict[str, object]:
    return {
        "TESTING": False,
        "DEBUG": False,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite'}",
        "MIGRATIONS_DIR": None,
        **overrides,
    }


@pytest.mark.parametrize("secret", [None, ""])
def test_production_refuses_to_start_without_a_secret_key(
    clean_env: None, tmp_path: Path, secret: str | None
) -> None:
    with pytest.raises(RuntimeError, match="SIGNALS_SECRET_KEY"):
        create_app(_production_config(tmp_path, SECRET_KEY=secret))


def test_production_marks_the_session_cookie_secure(clean_env: None, tmp_path: Path) -> None:
    app = create_app(_production_config(tmp_path, SECRET_KEY="a-long-production-secret"))

    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    response = app.test_client().get(LOGIN_PATH)
    assert response.status_code == 200
    attributes = [part.strip().lower() for part in _session_cookie(response).split(";")]
    assert {"secure", "httponly", "samesite=lax"} <= set(attributes)


def test_debug_without_secret_key_starts_with_a_random_key_and_plain_cookies(
    clean_env: None, tmp_path: Path
) -> None:
    first = create_app(_production_config(tmp_path, DEBUG=True, SECRET_KEY=None))
    second = create_app(_production_config(tmp_path, DEBUG=True, SECRET_KEY=None))

    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    assert first.config["SESSION_COOKIE_SECURE"] is False
