"""Password rules wherever a password is set, changing one's password, and one-line fields."""

import re
from datetime import timedelta
from importlib import resources
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.security import generate_password_hash

from signals.auth.models import User
from signals.auth.passwords import IS_EMAIL, TOO_COMMON, TOO_SHORT, TOO_SIMPLE, common_passwords
from signals.auth.schemas import PASSWORDS_DIFFER
from signals.auth.services import (
    SAME_PASSWORD,
    WRONG_CURRENT_PASSWORD,
    authenticate,
    create_organisation,
    create_user,
)
from signals.clock import Clock
from signals.demo.loader import DEMO_PASSWORD
from signals.errors import InputInvalid
from signals.extensions import db
from signals.settings import settings_of
from signals.validation import NOT_ONE_LINE
from tests.fixtures.app import csrf_token_from
from tests.fixtures.people import PASSWORD, WebSession
from tests.helpers import Login

ORGANISATION = "Gemeente Teststad – Werk en Inkomen"
NEW_PASSWORD = "een nieuwe zin om te onthouden"
FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)">(.*?)</p>', re.S)


def user_data(**changes: Any) -> dict[str, Any]:
    create_organisation({"name": ORGANISATION, "kind": "staff"})
    return {
        "email": "nieuw@gemeente.test",
        "name": "Nieuwe Collega",
        "organisation": ORGANISATION,
        "role": "professional",
        "password": PASSWORD,
        **changes,
    }


def messages_for(data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(InputInvalid) as refused:
        create_user(data)
    return refused.value.fields


def field_errors(html: str) -> dict[str, str]:
    return {
        element_id: " ".join(re.sub(r"<[^>]+>", " ", body).split())
        for element_id, body in FIELD_ERROR.findall(html)
    }


# The rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort-maar-1", TOO_SHORT),
        ("Wachtwoord2026!", TOO_COMMON),
        ("wachtwoord wachtwoord", TOO_COMMON),
        ("W@chtw00rd!!!", TOO_COMMON),
        ("Welkom123456", TOO_COMMON),
        ("welkomwelkom", TOO_COMMON),
        ("Zomer2026!!!!", TOO_COMMON),
        ("Gemeente-Utrecht-1", TOO_COMMON),
        ("Amsterdam2026", TOO_COMMON),
        ("qwertyuiop12", TOO_COMMON),
        ("1qaz2wsx3edc", TOO_COMMON),
        ("P@ssw0rd12345", TOO_COMMON),
        ("Feyenoord1908!", TOO_COMMON),
        ("correct horse battery staple", TOO_COMMON),
        ("aaaaaaaaaaaa", TOO_SIMPLE),
        ("121212121212", TOO_SIMPLE),
        ("nieuw@gemeente.test", IS_EMAIL),
        ("Nieuw@Gemeente.test", IS_EMAIL),
        ("nieuw@gemeente.test2026", IS_EMAIL),
    ],
)
def test_a_new_user_gets_no_weak_password(password: str, message: str) -> None:
    assert messages_for(user_data(password=password)) == {"password": [message]}
    assert db.session.query(User).count() == 0


def test_the_part_of_the_email_address_before_the_at_is_refused_too() -> None:
    data = user_data(email="samira.consulent@gemeente.test", password="Samira.Consulent2026")
    assert messages_for(data) == {"password": [IS_EMAIL]}


@pytest.mark.parametrize("password", [PASSWORD, DEMO_PASSWORD, "heel-geheim-1", NEW_PASSWORD])
def test_long_uncommon_passwords_are_allowed(password: str) -> None:
    user = create_user(user_data(password=password))
    assert authenticate({"email": user.email, "password": password}) == user


def test_the_common_password_list_ships_inside_the_package() -> None:
    shipped = resources.files("signals.auth").joinpath("common_passwords.txt")
    assert shipped.is_file()
    listed = common_passwords()
    assert len(listed) >= 1000
    assert {"wachtwoord", "welkom", "geheim", "qwerty", "gemeente", "zomer"} <= listed
    assert all(entry == entry.strip().casefold() and entry for entry in listed)


def log_in(client: FlaskClient, email: str, password: str) -> Any:
    token = csrf_token_from(client.get("/inloggen").text)
    return client.post(
        "/inloggen", data={"email": email, "password": password, "csrf_token": token}
    )


def test_a_password_set_before_the_rules_still_logs_in(app: Flask, reporter: User) -> None:
    reporter.password_hash = generate_password_hash("kort", method="pbkdf2:sha256:1000")
    db.session.commit()

    client = app.test_client()
    assert log_in(client, reporter.email, "kort").status_code == 302
    assert client.get("/signalen").status_code == 200


# Changing one's password ----------------------------------------------------------------------


def change(session: WebSession, current: str, new: str, again: str | None = None) -> Any:
    return session.post(
        "/wachtwoord",
        {
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


def test_the_password_page_is_reached_from_my_account(login: Login, reporter: User) -> None:
    session = login(reporter)
    assert 'href="/account"' in session.get("/signalen").text
    assert 'href="/wachtwoord"' in session.get("/account").text
    page = session.get("/wachtwoord")
    assert page.status_code == 200
    assert "<h1>Wachtwoord wijzigen</h1>" in page.text
    assert 'autocomplete="new-password"' in page.text


def test_a_password_change_ends_other_sessions_and_keeps_this_one(
    app: Flask, login: Login, reporter: User
) -> None:
    session, elsewhere = login(reporter), login(reporter)
    before = session.client.get_cookie("signals_session")
    assert before is not None
    thief = app.test_client()
    thief.set_cookie("signals_session", before.value)
    assert thief.get("/signalen").status_code == 200

    response = change(session, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302, response.text
    assert "Uw wachtwoord is gewijzigd" in session.get("/signalen").text
    for other in (thief, elsewhere.client):
        gone = other.get("/signalen")
        assert gone.status_code == 302 and gone.headers["Location"].startswith("/inloggen")
    assert log_in(app.test_client(), reporter.email, PASSWORD).status_code == 422
    assert log_in(app.test_client(), reporter.email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "again", "errors"),
    [
        ("verkeerd geraden", NEW_PASSWORD, None, {"current_password": WRONG_CURRENT_PASSWORD}),
        (PASSWORD, "kort", None, {"new_password": TOO_SHORT}),
        (PASSWORD, "Wachtwoord2026!", None, {"new_password": TOO_COMMON}),
        (PASSWORD, NEW_PASSWORD, "een andere zin", {"new_password_again": PASSWORDS_DIFFER}),
        (PASSWORD, PASSWORD, None, {"new_password": SAME_PASSWORD}),
        (
            "",
            "",
            "",
            dict.fromkeys(
                ("current_password", "new_password", "new_password_again"), "Dit veld is verplicht."
            ),
        ),
    ],
)
def test_a_refused_password_change_says_why_per_field_and_changes_nothing(
    app: Flask,
    login: Login,
    reporter: User,
    current: str,
    new: str,
    again: str | None,
    errors: dict[str, str],
) -> None:
    session = login(reporter)

    response = change(session, current, new, again)

    assert response.status_code == 422
    assert field_errors(response.text) == {f"{name}-error": text for name, text in errors.items()}
    for typed in {current, new, again} - {None, ""}:
        assert f'value="{typed}"' not in response.text, "passwords are never shown again"
    assert session.get("/signalen").status_code == 200, "still logged in"
    assert log_in(app.test_client(), reporter.email, PASSWORD).status_code == 302


def test_the_own_email_address_is_refused_as_new_password(login: Login, reporter: User) -> None:
    response = change(login(reporter), PASSWORD, reporter.email.upper())
    assert response.status_code == 422
    assert field_errors(response.text) == {"new_password-error": IS_EMAIL}


def test_guessing_the_current_password_on_the_password_page_is_throttled(
    app: Flask, clock: Clock, login: Login, reporter: User
) -> None:
    session = login(reporter)
    free = settings_of(app).auth_failure_limit
    statuses = [change(session, f"gok nummer {n}", NEW_PASSWORD).status_code for n in range(free)]
    assert statuses == [422] * free

    held_back = change(session, PASSWORD, NEW_PASSWORD)

    assert held_back.status_code == 429
    assert "Te veel mislukte pogingen" in field_errors(held_back.text)["current_password-error"]
    clock.set(clock.now() + timedelta(seconds=1))
    assert change(session, PASSWORD, NEW_PASSWORD).status_code == 302


# The command line -----------------------------------------------------------------------------


def test_the_cli_sets_a_password_and_ends_every_session(
    app: Flask, login: Login, runner: FlaskCliRunner, reporter: User
) -> None:
    session = login(reporter)

    result = runner.invoke(
        args=["users", "set-password", reporter.email, "--password", NEW_PASSWORD]
    )

    assert result.exit_code == 0, result.output
    gone = session.get("/signalen")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/inloggen")
    assert log_in(app.test_client(), reporter.email, NEW_PASSWORD).status_code == 302


def test_the_cli_generates_a_password_that_works(
    app: Flask, runner: FlaskCliRunner, reporter: User
) -> None:
    result = runner.invoke(args=["users", "set-password", reporter.email])
    assert result.exit_code == 0, result.output
    generated = result.output.split("Wachtwoord: ")[1].strip()
    assert authenticate({"email": reporter.email, "password": generated}) == reporter


@pytest.mark.parametrize(
    ("password", "message"), [("kort", TOO_SHORT), ("Welkom2026!!!", TOO_COMMON)]
)
def test_the_cli_refuses_a_weak_password(
    app: Flask, runner: FlaskCliRunner, reporter: User, password: str, message: str
) -> None:
    result = runner.invoke(args=["users", "set-password", reporter.email, "--password", password])
    assert result.exit_code == 1
    assert f"password: {message}" in result.output
    assert authenticate({"email": reporter.email, "password": PASSWORD}) == reporter


def test_the_cli_refuses_a_weak_password_for_a_new_user(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["orgs", "create", "--name", ORGANISATION, "--kind", "staff"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@gemeente.test",
            "--name",
            "A",
            "--org",
            ORGANISATION,
            "--role",
            "admin",
            "--password",
            "Wachtwoord2026!",
        ]
    )
    assert result.exit_code == 1
    assert f"password: {TOO_COMMON}" in result.output
    assert db.session.query(User).count() == 0


# One-line fields ------------------------------------------------------------------------------


@pytest.mark.parametrize("breaker", ["\n", "\r\n", "\t", "\x0b", "\u2028", "\u202e", "\x1b"])
def test_names_and_email_addresses_are_one_line(breaker: str) -> None:
    with pytest.raises(InputInvalid) as organisation:
        create_organisation({"name": f"Buurtteam{breaker}Noord", "kind": "partner"})
    assert organisation.value.fields == {"name": [NOT_ONE_LINE]}

    refused = messages_for(
        user_data(name=f"Nieuwe{breaker}Collega", email=f"nieuw@gemeente.test{breaker}Bcc: x@y.nl")
    )
    assert refused["name"] == [NOT_ONE_LINE]
    assert NOT_ONE_LINE in refused["email"]
    assert set(refused) == {"name", "email"}
