"""Where e-mail links point: SIGNALS_BASE_URL, or in debug without it, where the service is used."""

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from signals.auth.models import User
from signals.auth.tokens import issue_token
from signals.cli import served_address
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.notifications.services import (
    SERVED_AT,
    kwestie_url,
    link_to,
    serve_at,
    signal_url,
)
from signals.scheduler.jobs import sweep
from signals.workflow.services import resolve_signal, submit_signal
from tests.fixtures.app import Configure
from tests.helpers import RESOLUTION


def mail(kind: str) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).one()


def submit_over_the_api(app: Flask, reporter: User, data: dict[str, Any], address: str) -> str:
    """Submit a signal in a request that came in at ``address``; its reference."""
    token = issue_token(reporter, {"name": "test"}).secret
    response = app.test_client().post(
        "/api/v1/signals",
        json=data,
        headers={"Authorization": f"Bearer {token}"},
        base_url=address,
    )
    assert response.status_code == 201, response.text
    reference: str = response.get_json()["reference"]
    return reference


@pytest.fixture
def debug_without_base_url(
    app: Flask, monkeypatch: pytest.MonkeyPatch, configure: Configure
) -> None:
    monkeypatch.setitem(app.config, "DEBUG", True)
    configure(base_url=None)
    monkeypatch.setitem(app.extensions, SERVED_AT, None)  # undone: nothing served after


def test_in_debug_without_base_url_mail_written_in_a_request_links_to_where_it_came_in(
    app: Flask,
    debug_without_base_url: None,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
    clock: Clock,
) -> None:
    reference = submit_over_the_api(app, reporter, signal_data, "http://192.0.2.7:8123")

    assert f"http://192.0.2.7:8123/signalen/{reference}" in mail("receipt").body_text
    assert f"http://192.0.2.7:8123/signalen/{reference}" in mail("new_signal").body_html
    # The request is over: mail written without one (here the survey) does not keep its host.
    resolve_signal(manager, reference, RESOLUTION)
    sweep(clock.now() + timedelta(minutes=1))
    assert f"http://localhost:5000/signalen/{reference}/evaluatie" in mail("survey").body_text


def test_in_debug_without_base_url_the_scheduler_links_to_the_address_the_demo_serves_on(
    app: Flask,
    debug_without_base_url: None,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
    clock: Clock,
) -> None:
    serve_at("http://127.0.0.1:5123")
    signal = submit_signal(reporter, signal_data)
    resolve_signal(manager, signal.reference, RESOLUTION)

    sweep(clock.now() + timedelta(minutes=1))

    survey = mail("survey")
    assert f"http://127.0.0.1:5123/signalen/{signal.reference}/evaluatie" in survey.body_text
    assert "localhost:5000" not in survey.body_text + survey.body_html


@pytest.mark.parametrize(
    ("debug", "base_url", "links_to"),
    [
        (False, "https://signalen.gemeente.example", "https://signalen.gemeente.example"),
        (False, None, "http://localhost:5000"),
        (True, "https://signalen.gemeente.example/", "https://signalen.gemeente.example"),
    ],
    ids=["production", "production-unset", "debug-with-base-url"],
)
def test_a_configured_base_url_or_production_never_takes_links_from_the_request(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    configure: Configure,
    reporter: User,
    signal_data: dict[str, Any],
    clock: Clock,
    debug: bool,
    base_url: str | None,
    links_to: str,
) -> None:
    monkeypatch.setitem(app.config, "DEBUG", debug)
    configure(base_url=base_url)
    monkeypatch.setitem(app.extensions, SERVED_AT, "http://127.0.0.1:5123")

    reference = submit_over_the_api(app, reporter, signal_data, "http://attacker.example")

    receipt = mail("receipt")
    assert f"{links_to}/signalen/{reference}" in receipt.body_text
    assert "attacker.example" not in receipt.body_text + receipt.body_html
    assert "127.0.0.1:5123" not in receipt.body_text


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "http://127.0.0.1:5000"),
        ("0.0.0.0", "http://localhost:5000"),  # noqa: S104 (a name, not a bind)
        ("::", "http://localhost:5000"),
        ("::1", "http://[::1]:5000"),
    ],
)
def test_the_demo_serves_links_at_an_address_a_browser_on_this_machine_opens(
    host: str, address: str
) -> None:
    assert served_address(host, 5000) == address


@pytest.mark.parametrize(
    "base_url", ["https://gemeente.example/signalen-app", "https://gemeente.example/signalen-app/"]
)
def test_links_are_the_routes_paths_after_a_base_url_with_a_path_in_a_request_or_not(
    app: Flask, configure: Configure, base_url: str
) -> None:
    configure(base_url=base_url)
    start = "https://gemeente.example/signalen-app"
    expected = {
        "signal": f"{start}/signalen/KM-2026-000001",
        "kwestie": f"{start}/kwesties/7",
        "survey": f"{start}/signalen/KM-2026-000001/evaluatie",
        "prefill": f"{start}/kwesties/nieuw?regulation=a+b%26c&source_organisation=uwv",
    }

    def links() -> dict[str, str]:
        return {
            "signal": signal_url("KM-2026-000001"),
            "kwestie": kwestie_url(7),
            "survey": link_to("web.survey", reference="KM-2026-000001"),
            "prefill": link_to(
                "kwesties.new_kwestie", regulation="a b&c", source_organisation="uwv"
            ),
        }

    assert links() == expected
    with app.test_request_context("/inbox", base_url="http://attacker.example/elders"):
        assert links() == expected
