"""The application factory: configuration from SIGNALS_* variables, headers, debug-only pages."""

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.settings import settings_of
from signals.workflow.services import submit_signal
from tests.fixtures.app import make_test_app
from tests.helpers import Login


def test_configuration_comes_from_signals_environment_variables(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNALS_MAIL_FROM", "meldpunt@gemeente.test")
    monkeypatch.setenv("SIGNALS_SMTP_PORT", "2525")
    monkeypatch.setenv("SIGNALS_SECRET_KEY", "1234")
    configured = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"])
    assert settings_of(configured).smtp_port == 2525
    assert configured.config["SECRET_KEY"] == "test-secret", "explicit config wins over env"
    from signals import create_app

    from_env = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert settings_of(from_env).mail_from == "meldpunt@gemeente.test"
    assert from_env.config["SECRET_KEY"] == "1234", "numeric-looking keys stay strings"
    assert from_env.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_the_default_database_is_a_sqlite_file_in_the_instance_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SIGNALS_DATABASE_URL", raising=False)
    from signals import create_app

    default = create_app({"TESTING": True})
    expected = f"sqlite:///{default.instance_path}/signals.sqlite"
    assert default.config["SQLALCHEMY_DATABASE_URI"] == expected


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/inloggen")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_dev_mailbox_shows_the_outbox_in_debug_only(
    app: Flask, login: Login, reporter: User, signal_data: dict[str, Any], clock: Clock
) -> None:
    signal = submit_signal(reporter, signal_data)
    session = login(reporter)

    assert session.get("/dev/mailbox").status_code == 404
    app.config["DEBUG"] = True
    try:
        page = session.get("/dev/mailbox")
    finally:
        app.config["DEBUG"] = False
    assert page.status_code == 200
    assert f"[{signal.reference}] Uw signaal is ontvangen" in page.text
    assert "status <strong>pending</strong>" in page.text


def test_the_dev_mailbox_shows_each_person_their_own_mail_and_administrators_all(
    app: Flask,
    login: Login,
    reporter: User,
    manager: User,
    admin: User,
    signal_data: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    submit_signal(reporter, signal_data)  # a receipt to the reporter, a notice to the manager
    messages = list(db.session.scalars(select(OutboxMessage)))
    assert {message.recipient for message in messages} == {reporter.email, manager.email}
    monkeypatch.setitem(app.config, "DEBUG", True)

    pages = {user.email: login(user).get("/dev/mailbox").text for user in (reporter, manager)}
    everything = login(admin).get("/dev/mailbox").text

    for message in messages:
        shown = f'id="mail-{message.id}"'
        for reader, page in pages.items():
            assert (shown in page) == (message.recipient == reader), (reader, message.kind)
        assert shown in everything
