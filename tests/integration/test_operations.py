"""Operations: liveness, readiness, Prometheus metrics and the JSON request log, on the real app."""

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, text

from signals.clock import Clock, now
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.operations.health import migration_heads
from signals.routing.services import EXTENSION_KEY as ROUTES_KEY
from signals.scheduler.jobs import sweep
from signals.settings import SettingsError
from signals.workflow.models import OPEN_STATUSES, Signal
from signals.workflow.signal_lists import is_overdue
from tests.fixtures.app import Configure, make_test_app
from tests.fixtures.small_world import SmallWorld

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/signals"


def _assert_operational(response_headers: object) -> None:
    headers = dict(response_headers)  # type: ignore[call-overload]
    assert headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in headers


# Liveness and readiness ----------------------------------------------------------------------


def test_healthz_answers_without_a_log_in_or_a_cookie(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    _assert_operational(response.headers)


def test_readyz_is_ok_on_a_migrated_database(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json is not None and response.json["status"] == "ok"
    _assert_operational(response.headers)


@pytest.fixture
def schema_behind() -> Iterator[str]:
    """The test database stamped one migration back; the newest is stamped again after."""
    (head,) = migration_heads()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'behind'"))
    try:
        yield head
    finally:
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )


def test_readyz_is_503_when_the_schema_is_behind(client: FlaskClient, schema_behind: str) -> None:
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json is not None and response.json["status"] == "unavailable"
    (problem,) = response.json["problems"]
    assert "signals db upgrade" in problem and schema_behind in problem and "behind" in problem
    _assert_operational(response.headers)


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    unreachable = make_test_app(CLOSED_PORT_URL)

    response = unreachable.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json is not None
    assert response.json["problems"] == ["database niet bereikbaar / database unreachable"]
    assert unreachable.test_client().get("/healthz").status_code == 200


def test_readyz_is_503_without_a_route_file(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(app.extensions, ROUTES_KEY)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json is not None
    assert response.json["problems"] == ["routebestand niet geladen / route file not loaded"]


# Metrics -------------------------------------------------------------------------------------


def _scrape(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    _assert_operational(response.headers)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _per_node(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str
) -> dict[str, float]:
    return {
        dict(labels)["node"]: value for (sample, labels), value in samples.items() if sample == name
    }


def test_metrics_are_not_found_unless_switched_on(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_metrics_count_requests_by_endpoint(client: FlaskClient, configure: Configure) -> None:
    configure(metrics=True)
    key = (
        "signals_http_requests_total",
        (("endpoint", "operations.healthz"), ("method", "GET"), ("status", "200")),
    )
    before = _scrape(client).get(key, 0.0)

    client.get("/healthz")
    client.get("/healthz")
    samples = _scrape(client)

    assert samples[key] == before + 2
    latency = (
        "signals_http_request_duration_seconds_count",
        (("endpoint", "operations.healthz"), ("method", "GET")),
    )
    assert samples[latency] >= 2
    # The raw path never becomes a label: an unknown address counts as endpoint "none".
    client.get("/bestaat/niet/12345")
    labels = {dict(labels).get("endpoint") for (_name, labels) in _scrape(client)}
    assert "none" in labels and not any("12345" in str(label) for label in labels)


def test_metrics_show_what_the_database_holds(
    client: FlaskClient, configure: Configure, small_world: SmallWorld, clock: Clock
) -> None:
    configure(metrics=True)
    clock.set(now() + timedelta(days=60))  # past some deadlines
    moment = now()
    signals = db.session.scalars(select(Signal)).all()
    open_per_node: dict[str, float] = {}
    overdue_per_node: dict[str, float] = {}
    for signal in signals:
        if signal.status in OPEN_STATUSES:
            open_per_node[signal.node] = open_per_node.get(signal.node, 0) + 1
        if is_overdue(signal, moment):
            overdue_per_node[signal.node] = overdue_per_node.get(signal.node, 0) + 1
    statuses = [message.status for message in db.session.scalars(select(OutboxMessage))]
    backlog = sum(1 for s in signals if s.next_clock_at is not None and s.next_clock_at <= moment)
    assert open_per_node and overdue_per_node  # the small world has both

    samples = _scrape(client)

    assert _per_node(samples, "signals_open_signals") == open_per_node
    assert _per_node(samples, "signals_overdue_signals") == overdue_per_node
    assert samples[("signals_outbox_messages", (("status", "pending"),))] == statuses.count(
        "pending"
    )
    assert samples[("signals_outbox_messages", (("status", "dead"),))] == statuses.count("dead")
    assert samples[("signals_scheduler_backlog", ())] == backlog


def test_a_sweep_records_its_duration(
    client: FlaskClient, configure: Configure, small_world: SmallWorld
) -> None:
    configure(metrics=True)

    sweep(now() + timedelta(minutes=1))
    samples = _scrape(client)

    assert samples[("signals_scheduler_last_sweep_duration_seconds", ())] > 0
    assert samples[("signals_scheduler_last_sweep_timestamp_seconds", ())] > 0


# The JSON request log ------------------------------------------------------------------------


def _log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_json_log_has_one_line_per_request_without_the_client(
    client: FlaskClient, configure: Configure, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(log_format="json")
    capsys.readouterr()

    response = client.get(
        "/healthz",
        headers={"X-Request-Id": "proxy-42.a", "User-Agent": "Geheime-Browser/1.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )

    raw = capsys.readouterr().err
    (line,) = [json.loads(text_line) for text_line in raw.splitlines() if text_line.strip()]
    assert response.headers["X-Request-Id"] == "proxy-42.a"
    assert line["request_id"] == "proxy-42.a"
    assert line["method"] == "GET" and line["endpoint"] == "operations.healthz"
    assert line["status"] == 200 and line["duration_ms"] >= 0
    assert "203.0.113.9" not in raw and "Geheime-Browser" not in raw


def test_a_request_id_that_is_not_sane_is_replaced(
    client: FlaskClient, configure: Configure, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(log_format="json")
    capsys.readouterr()

    response = client.get("/healthz", headers={"X-Request-Id": "x" * 500})

    (line,) = _log_lines(capsys)
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert len(line["request_id"]) == 32


def test_json_log_writes_nothing_about_the_anonymous_channel(
    client: FlaskClient, configure: Configure, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(log_format="json")
    capsys.readouterr()

    assert client.get("/anoniem").status_code == 200
    client.get("/api/v1/anonymous/signals/ABCD-EFGH")
    client.get("/healthz")

    assert [line["endpoint"] for line in _log_lines(capsys)] == ["operations.healthz"]


def test_text_format_writes_no_request_log(
    client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    client.get("/healthz")

    assert capsys.readouterr().err == ""


def test_unknown_settings_stop_the_start(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with pytest.raises(SettingsError, match="SIGNALS_LOG_FORMAT"):
        make_test_app(url, LOG_FORMAT="xml")
    with pytest.raises(SettingsError, match="SIGNALS_METRICS"):
        make_test_app(url, METRICS="misschien")
