"""One-time account links: invitations, *wachtwoord vergeten*, and setting a password by link."""

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from signals.auth.links import INVITE_VALID, LINK_EXPIRED, LINK_UNKNOWN, LINK_USED, RESET_VALID
from signals.auth.models import AccountLink, User
from signals.auth.passwords import IS_EMAIL, TOO_SHORT
from signals.auth.schemas import PASSWORDS_DIFFER_SET
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.settings import settings_of
from tests.fixtures.app import csrf_token_from
from tests.fixtures.people import PASSWORD
from tests.helpers import Login

NEW_PASSWORD = "een nieuwe zin om te onthouden"
LINK = re.compile(r"https?://\S+(/wachtwoord-instellen/[\w-]+)")
FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)">(.*?)</p>', re.S)
FORGOT_PATH = "/wachtwoord-vergeten"


def mails(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def link_path(mail: OutboxMessage) -> str:
    found = LINK.search(mail.body_text)
    assert found is not None, mail.body_text
    assert f'href="{found.group(0)}"' in mail.body_html
    return found.group(1)


def post_form(client: FlaskClient, path: str, data: dict[str, str]) -> Any:
    token = csrf_token_from(client.get("/inloggen").text)  # the session's token
    return client.post(path, data={**data, "csrf_token": token})


def forgot(client: FlaskClient, email: str) -> Any:
    return post_form(client, FORGOT_PATH, {"email": email})


def set_password(client: FlaskClient, path: str, password: str, again: str | None = None) -> Any:
    return post_form(
        client, path, {"password": password, "password_again": password if again is None else again}
    )


def log_in(client: FlaskClient, email: str, password: str) -> Any:
    return post_form(client, "/inloggen", {"email": email, "password": password})


def field_errors(html: str) -> dict[str, str]:
    return {
        element_id: " ".join(re.sub(r"<[^>]+>", " ", body).split())
        for element_id, body in FIELD_ERROR.findall(html)
    }


def refused_text(html: str) -> str:
    found = re.search(r'<p id="link-refused">(.*?)</p>', html, re.S)
    assert found is not None, html
    return " ".join(found.group(1).replace("&#39;", "'").split())


# Invitations ---------------------------------------------------------------------------------


def test_invite_then_set_password_then_log_in(
    app: Flask, runner: FlaskCliRunner, reporter: User, admin: User, login: Login
) -> None:
    elsewhere = login(reporter)

    result = runner.invoke(args=["users", "invite", reporter.email, "--by", admin.email])

    assert result.exit_code == 0, result.output
    (mail,) = mails("account_invitation")
    assert mail.recipient == reporter.email
    assert "72 uur" in mail.body_text and admin.name in mail.body_text
    path = link_path(mail)
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "stel uw wachtwoord in" in page.text
    response = set_password(visitor, path, NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    assert log_in(app.test_client(), reporter.email, NEW_PASSWORD).status_code == 302
    assert log_in(app.test_client(), reporter.email, PASSWORD).status_code == 422
    gone = elsewhere.get("/signalen")
    assert gone.status_code == 302, "the person's other sessions ended"
    assert "via uitnodiging" in _last_access_detail()


def test_only_the_hash_of_a_link_is_stored(
    app: Flask, runner: FlaskCliRunner, reporter: User
) -> None:
    runner.invoke(args=["users", "invite", reporter.email])
    token = link_path(mails("account_invitation")[0]).rsplit("/", 1)[1]
    link = db.session.scalars(select(AccountLink)).one()
    assert len(token) >= 22  # at least 128 bits
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.expires_at - link.created_at == INVITE_VALID
    assert token not in str(db.session.execute(select(AccountLink.__table__)).all())


def test_an_invitation_expires_after_72_hours(
    app: Flask, clock: Clock, runner: FlaskCliRunner, reporter: User
) -> None:
    runner.invoke(args=["users", "invite", reporter.email])
    path = link_path(mails("account_invitation")[0])
    clock.set(clock.now() + INVITE_VALID + timedelta(seconds=1))

    response = set_password(app.test_client(), path, NEW_PASSWORD)

    assert response.status_code == 410
    assert refused_text(response.text) == LINK_EXPIRED
    assert log_in(app.test_client(), reporter.email, PASSWORD).status_code == 302


def test_a_deactivated_person_is_not_invited(runner: FlaskCliRunner, reporter: User) -> None:
    runner.invoke(args=["users", "deactivate", reporter.email])
    result = runner.invoke(args=["users", "invite", reporter.email])
    assert result.exit_code == 1 and "gedeactiveerd" in result.output
    assert mails("account_invitation") == []


# Wachtwoord vergeten -------------------------------------------------------------------------


def test_the_login_page_links_to_wachtwoord_vergeten(client: FlaskClient) -> None:
    assert f'href="{FORGOT_PATH}"' in client.get("/inloggen").text


def test_a_forgotten_password_is_reset_by_link(app: Flask, reporter: User, login: Login) -> None:
    elsewhere = login(reporter)

    answer = forgot(app.test_client(), reporter.email.upper())

    assert answer.status_code == 200 and 'id="reset-sent"' in answer.text
    (mail,) = mails("password_reset")
    assert mail.recipient == reporter.email and "1 uur" in mail.body_text
    response = set_password(app.test_client(), link_path(mail), NEW_PASSWORD)
    assert response.status_code == 302
    assert log_in(app.test_client(), reporter.email, NEW_PASSWORD).status_code == 302
    assert elsewhere.get("/signalen").status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app: Flask, reporter: User) -> None:
    known = forgot(app.test_client(), reporter.email)
    unknown = forgot(app.test_client(), "niemand@gemeente.test")

    assert known.status_code == unknown.status_code == 200
    same = known.text.replace(reporter.email, "X")
    assert same == unknown.text.replace("niemand@gemeente.test", "X")
    assert [mail.recipient for mail in mails("password_reset")] == [reporter.email]


def test_a_deactivated_person_gets_no_reset_mail(
    app: Flask, runner: FlaskCliRunner, reporter: User
) -> None:
    runner.invoke(args=["users", "deactivate", reporter.email])
    assert forgot(app.test_client(), reporter.email).status_code == 200
    assert mails("password_reset") == []


def test_a_reset_link_expires_after_an_hour(app: Flask, clock: Clock, reporter: User) -> None:
    forgot(app.test_client(), reporter.email)
    path = link_path(mails("password_reset")[0])
    clock.set(clock.now() + RESET_VALID + timedelta(seconds=1))

    for response in (app.test_client().get(path), set_password(app.test_client(), path, "x")):
        assert response.status_code == 410
        assert refused_text(response.text) == LINK_EXPIRED
    assert log_in(app.test_client(), reporter.email, PASSWORD).status_code == 302


def test_a_reset_link_works_once(app: Flask, reporter: User) -> None:
    forgot(app.test_client(), reporter.email)
    path = link_path(mails("password_reset")[0])
    assert set_password(app.test_client(), path, NEW_PASSWORD).status_code == 302

    again = set_password(app.test_client(), path, "nog een andere lange zin")

    assert again.status_code == 410
    assert refused_text(again.text) == LINK_USED
    assert log_in(app.test_client(), reporter.email, NEW_PASSWORD).status_code == 302


def test_a_new_reset_link_ends_the_older_one(app: Flask, reporter: User) -> None:
    forgot(app.test_client(), reporter.email)
    forgot(app.test_client(), reporter.email)
    older, newer = (link_path(mail) for mail in mails("password_reset"))

    assert refused_text(set_password(app.test_client(), older, NEW_PASSWORD).text) == LINK_EXPIRED
    assert set_password(app.test_client(), newer, NEW_PASSWORD).status_code == 302


def test_retention_deletes_links_a_week_after_they_expired(
    app: Flask, clock: Clock, reporter: User
) -> None:
    from signals.retention.purge import run_retention

    forgot(app.test_client(), reporter.email)
    clock.set(clock.now() + RESET_VALID + timedelta(days=6))
    run_retention(clock.now())
    assert db.session.scalar(select(func.count()).select_from(AccountLink)) == 1
    clock.set(clock.now() + timedelta(days=1, seconds=1))
    run_retention(clock.now())
    assert db.session.scalar(select(func.count()).select_from(AccountLink)) == 0


def test_an_unknown_link_is_refused(app: Flask) -> None:
    response = app.test_client().get("/wachtwoord-instellen/verzonnen")
    assert response.status_code == 410
    assert refused_text(response.text) == LINK_UNKNOWN


@pytest.mark.parametrize(
    ("password", "again", "errors"),
    [
        ("kort", None, {"password": TOO_SHORT}),
        (NEW_PASSWORD, "een andere zin", {"password_again": PASSWORDS_DIFFER_SET}),
        ("", "", dict.fromkeys(("password", "password_again"), "Dit veld is verplicht.")),
    ],
)
def test_a_refused_password_says_why_per_field_and_keeps_the_link(
    app: Flask, reporter: User, password: str, again: str | None, errors: dict[str, str]
) -> None:
    forgot(app.test_client(), reporter.email)
    path = link_path(mails("password_reset")[0])

    response = set_password(app.test_client(), path, password, again)

    assert response.status_code == 422
    assert field_errors(response.text) == {f"{name}-error": text for name, text in errors.items()}
    assert set_password(app.test_client(), path, NEW_PASSWORD).status_code == 302


def test_the_own_email_address_is_refused(app: Flask, reporter: User) -> None:
    forgot(app.test_client(), reporter.email)
    path = link_path(mails("password_reset")[0])
    response = set_password(app.test_client(), path, reporter.email)
    assert field_errors(response.text) == {"password-error": IS_EMAIL}


def test_a_malformed_address_says_why_and_keeps_what_was_typed(client: FlaskClient) -> None:
    response = forgot(client, "geen-adres")
    assert response.status_code == 422
    assert field_errors(response.text) == {"email-error": "Geen geldig e-mailadres."}
    assert 'value="geen-adres"' in response.text


def test_reset_requests_are_throttled_alike_for_known_and_unknown_addresses(
    app: Flask, reporter: User
) -> None:
    free = settings_of(app).auth_failure_limit
    for number, email in enumerate((reporter.email, "niemand@gemeente.test")):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number + 1}"
        statuses = [forgot(client, email).status_code for _ in range(free + 1)]
        assert statuses == [200] * free + [429], email
    assert len(mails("password_reset")) == free


def test_guessing_links_is_throttled(app: Flask) -> None:
    free = settings_of(app).auth_failure_limit
    client = app.test_client()
    guesses = [f"/wachtwoord-instellen/gok{n}" for n in range(free + 1)]
    statuses = [set_password(client, path, NEW_PASSWORD).status_code for path in guesses]
    assert statuses == [410] * free + [429]


def test_forms_without_a_csrf_token_are_refused(app: Flask, reporter: User) -> None:
    response = app.test_client().post(FORGOT_PATH, data={"email": reporter.email})
    assert response.status_code == 400
    assert mails("password_reset") == []


def _last_access_detail() -> str:
    from signals.audit.models import AccessLogEntry

    last = db.session.scalar(select(func.max(AccessLogEntry.id)))
    entry = db.session.get(AccessLogEntry, last)
    assert entry is not None
    return entry.detail or ""
