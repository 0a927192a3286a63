"""The demo: its past played with running clocks, and ``signals demo run`` as the README runs it."""

import base64
import http.cookiejar
import json
import os
import signal as process_signals
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import ColumnElement, func, select

from signals.auth.services import user_by_email
from signals.clock import Clock
from signals.demo.loader import DEMO_PASSWORD, email_of
from signals.extensions import db
from signals.knowledge.models import KnowledgeArticle
from signals.notifications.models import OutboxMessage
from signals.routing.services import active_graph
from signals.scheduler.jobs import sweep
from signals.search.services import search
from signals.settings import settings_of
from signals.workflow.models import Signal, SignalEvent, SignalStatus
from tests.fixtures.app import csrf_token_from, make_test_app
from tests.fixtures.people import VALID_SIGNAL

NO_SMTP = "e-mail: SIGNALS_SMTP_HOST niet ingesteld, outbox blijft staan"
Found = TypeVar("Found")  # what a wait is for: the first truthy answer of its check
# Moments the demo is loaded at: a working morning, a Saturday night, and a Wednesday half a
# minute before 8:00 local (when reminders and the managers' digests fall due).
LOAD_MOMENTS = {
    "monday-morning": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    "saturday-night": datetime(2026, 11, 28, 22, 30, tzinfo=UTC),
    "before-eight": datetime(2026, 12, 2, 6, 59, 30, tzinfo=UTC),
}
# What the first sweep after the load may do one scheduler interval later: only what falls
# due in that minute (reminders and digests at 8:00, deadlines at midnight), never the
# months of backlog (before, the first sweep did some 20 breaches, as many escalations and
# 10 surveys at once).
HANDFUL = 5


def load_demo_at(runner: FlaskCliRunner, clock: Clock, moment: datetime) -> None:
    clock.set(moment)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def count(model: type, *where: ColumnElement[bool]) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def work_done(lines: list[str]) -> int:
    """The number of things a sweep did, from its lines (``label: n``), e-mail not counted."""
    return sum(int(line.rsplit(": ", 1)[1]) for line in lines if not line.startswith("e-mail"))


@pytest.mark.parametrize("moment", LOAD_MOMENTS.values(), ids=LOAD_MOMENTS.keys())
def test_right_after_the_demo_load_the_first_sweep_has_no_backlog(
    runner: FlaskCliRunner, clock: Clock, app: Flask, moment: datetime
) -> None:
    load_demo_at(runner, clock, moment)
    events, mails = count(SignalEvent), count(OutboxMessage)

    # The bound at the load's own moment is zero: the load ran the sweep's work up to and
    # including that moment, and a sweep does nothing twice.
    assert sweep(moment) == [NO_SMTP]
    assert (count(SignalEvent), count(OutboxMessage)) == (events, mails)

    interval = timedelta(seconds=settings_of(app).scheduler_interval)
    assert work_done(sweep(moment + interval)) <= HANDFUL


@pytest.fixture
def municipality_app(app: Flask, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app with the shipped route file ``request.param`` on the same database, in context."""
    other = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], ROUTES=f"routes_config/{request.param}.yaml"
    )
    with other.app_context():
        try:
            yield other
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize(
    ("municipality_app", "moment"),
    [
        ("amsterdam", LOAD_MOMENTS["monday-morning"]),
        ("utrecht", LOAD_MOMENTS["saturday-night"]),
        ("almere", LOAD_MOMENTS["before-eight"]),
    ],
    indirect=["municipality_app"],
    ids=["amsterdam", "utrecht", "almere"],
)
def test_every_open_demo_signal_has_its_clocks_ahead_or_its_breaches_recorded(
    municipality_app: Flask, moment: datetime
) -> None:
    load_demo_at(
        municipality_app.test_cli_runner(), municipality_app.extensions["signals.clock"], moment
    )

    open_signals = list(
        db.session.scalars(select(Signal).where(Signal.status != SignalStatus.RESOLVED))
    )
    assert len(open_signals) >= 15
    for signal in open_signals:
        assert signal.next_clock_at is None or signal.next_clock_at > moment, signal.reference
        assert signal.accept_due is not None and signal.feedback_due is not None
        if signal.status == SignalStatus.NEW:
            assert signal.accept_due > moment or signal.accept_breached_at, signal.reference
        if signal.feedback_sent_at is None:
            assert signal.feedback_due > moment or signal.feedback_breached_at, signal.reference
    breaches = list(
        db.session.scalars(select(SignalEvent).where(SignalEvent.type == "deadline_breached"))
    )
    recorded = {(e.signal_id, e.data["clock"], e.data["node"], e.data["visit"]) for e in breaches}
    for signal in open_signals:
        for clock_name, breached_at in (
            ("accept", signal.accept_breached_at),
            ("feedback", signal.feedback_breached_at),
        ):
            if breached_at is not None:
                key = (signal.id, clock_name, signal.node, signal.node_visit)
                assert key in recorded, signal.reference
    for breach in breaches:  # as a sweep every minute records it: when the deadline passed
        passed_by = breach.at - datetime.fromisoformat(breach.data["due"])
        assert timedelta(0) < passed_by <= timedelta(minutes=1), breach.data
    latest_event = db.session.scalar(select(func.max(SignalEvent.at)))
    latest_mail = db.session.scalar(select(func.max(OutboxMessage.created_at)))
    assert latest_event is not None and latest_event <= moment
    assert latest_mail is not None and latest_mail <= moment


@pytest.mark.parametrize("municipality_app", ["amsterdam", "almere", "utrecht"], indirect=True)
def test_the_demo_signals_travel_the_citys_route(municipality_app: Flask) -> None:
    load_demo_at(
        municipality_app.test_cli_runner(),
        municipality_app.extensions["signals.clock"],
        LOAD_MOMENTS["monday-morning"],
    )
    graph = active_graph()

    arrivals = list(
        db.session.scalars(
            select(SignalEvent).where(
                SignalEvent.type.in_(["submitted", "forwarded", "escalated_overdue"])
            )
        )
    )
    entries = [event for event in arrivals if event.type == "submitted"]
    moves = [event for event in arrivals if event.type != "submitted"]
    assert len(entries) == count(Signal) >= 15
    assert {event.data["node"] for event in entries} <= set(graph.entry_points())
    partner_entry = graph.entry_node({"organisation_kind": "partner", "has_line_manager": True})
    from_partners = [e for e in entries if e.signal.organisation.kind == "partner"]
    assert from_partners
    assert any(event.data["node"] == partner_entry[0] for event in from_partners)
    # One came in anonymously and entered where the route sends the anonymous reporter kind.
    anonymous_entry = graph.entry_node({"organisation_kind": "anonymous", "urgency": "normal"})
    anonymous = [e for e in entries if e.signal.anonymous]
    assert [(e.signal.reporter_id, e.data["node"]) for e in anonymous] == [
        (None, anonymous_entry[0])
    ]
    assert len(moves) >= 3
    for move in moves:  # every step is an edge of this city's route (or to the ombudsman)
        origin, target = move.data["from"], move.data["to"]
        assert graph.may_forward(origin, target) or (
            move.type == "escalated_overdue" and graph.nodes[target].independent
        ), (move.type, origin, target)
    where_now = set(db.session.scalars(select(Signal.node).distinct()))
    assert where_now <= set(graph.nodes) and len(where_now) >= 4


def test_the_demo_history_holds_the_clock_work_and_no_new_signal_had_feedback(
    runner: FlaskCliRunner, clock: Clock
) -> None:
    moment = LOAD_MOMENTS["monday-morning"]
    load_demo_at(runner, clock, moment)

    new_signals = list(db.session.scalars(select(Signal).where(Signal.status == SignalStatus.NEW)))
    assert new_signals, "the newest signals wait in an inbox, to be taken on"
    with_feedback = count(
        SignalEvent,
        SignalEvent.type == "feedback_sent",
        SignalEvent.signal_id.in_([signal.id for signal in new_signals]),
    )
    assert with_feedback == 0
    grouped = select(SignalEvent.type, func.count()).group_by(SignalEvent.type)
    kinds: dict[str, int] = dict(db.session.execute(grouped).all())
    assert kinds["deadline_breached"] >= 3 and kinds["escalated_overdue"] >= 3
    assert kinds["status_update_sent"] >= 5 and kinds["reminder_sent"] >= 3
    assert kinds["survey_sent"] == kinds["resolved"] == count(Signal, Signal.status == "resolved")
    assert kinds["accepted"] >= 20 and kinds["forwarded"] >= 3


# `signals demo run`, the README's first command --------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Browser:
    """HTTP to the demo process with a cookie jar, as a browser would (and a Host header)."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.root = f"http://127.0.0.1:{port}"
        self.host = f"{host}:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(
        self,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
            self.root + path, data=data, headers={"Host": self.host, **(headers or {})}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, email: str) -> None:
        _, form = self.request("/inloggen")
        fields = {"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token_from(form)}
        status, _ = self.request("/inloggen", urllib.parse.urlencode(fields).encode())
        assert status == 200  # redirected to the start page

    def api(self, path: str, body: dict[str, Any], *, token: str) -> dict[str, Any]:
        status, text = self.request(
            f"/api/v1{path}",
            json.dumps(body).encode(),
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert status in (200, 201), text
        answer: dict[str, Any] = json.loads(text)
        return answer

    def token_for(self, email: str) -> str:
        basic = base64.b64encode(f"{email}:{DEMO_PASSWORD}".encode()).decode()
        status, text = self.request("/api/v1/tokens", b"{}", {
            "Authorization": f"Basic {basic}", "Content-Type": "application/json"
        })  # fmt: skip
        assert status == 201, text
        token: str = json.loads(text)["token"]
        return token


@pytest.fixture
def demo_process(app: Flask) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``SIGNALS_DEBUG=true signals demo run`` on the test database, sweeping every second."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SIGNALS_", "FLASK_"))
    }
    env |= {
        "SIGNALS_DEBUG": "true",
        "SIGNALS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SIGNALS_SCHEDULER_INTERVAL": "1",
    }
    script = Path(sys.executable).with_name("signals")
    process = subprocess.Popen(
        [str(script), "demo", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, port
    finally:
        process.send_signal(process_signals.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        db.session.remove()


def wait_for(
    check: Callable[[], Found | None],
    what: str,
    process: subprocess.Popen[str],
    seconds: float = 90,
) -> Found:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"signals demo run ended ({process.returncode}) before {what}:\n{output}")
        result = check()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"no {what} within {seconds} s")


def serving(browser: Browser) -> bool:
    try:
        return browser.request("/inloggen")[0] == 200
    except OSError:
        return False


def test_signals_demo_run_in_debug_serves_the_mailbox_and_sweeps_with_links_to_its_address(
    demo_process: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = demo_process
    reporter, owner = email_of("consulent"), email_of("teamleider")
    browser = Browser(port, host="localhost")  # the address the developer's browser shows
    wait_for(lambda: serving(browser), "web server", process)

    signal = browser.api("/signals", dict(VALID_SIGNAL), token=browser.token_for(reporter))
    reference = signal["reference"]
    browser.api(
        f"/signals/{reference}/actions",
        {
            "action": "resolve",
            "outcome": "not_possible",
            "rationale": "De regel is landelijk; de gemeente kan er niet van afwijken.",
            "message": "Dit kunnen we niet oplossen; zie de onderbouwing.",
        },
        token=browser.token_for(owner),
    )
    browser.log_in(reporter)

    def mailbox_with_survey() -> str | None:
        status, page = browser.request("/dev/mailbox")
        assert status == 200, f"SIGNALS_DEBUG=true shows the mailbox; got {status}: {page[:1500]}"
        return page if f"{reference}/evaluatie" in page else None

    # Written by the scheduler inside `demo run` (no tick), linking to where the demo serves.
    mailbox = wait_for(mailbox_with_survey, "survey from the scheduler", process, seconds=30)
    assert f"http://127.0.0.1:{port}/signalen/{reference}/evaluatie" in mailbox
    # Written during the API request that came in at localhost: links to that address.
    assert f"http://localhost:{port}/signalen/{reference}" in mailbox
    assert "http://localhost:5000" not in mailbox
    assert f'-recipient">{reporter}<' in mailbox
    assert f'-recipient">{owner}<' not in mailbox, "the owner's mail is theirs"


@pytest.mark.parametrize("municipality_app", ["amsterdam"], indirect=True)
def test_the_demo_holds_knowledge_that_a_partner_finds(municipality_app: Flask) -> None:
    load_demo_at(
        municipality_app.test_cli_runner(),
        municipality_app.extensions["signals.clock"],
        LOAD_MOMENTS["monday-morning"],
    )
    partner = user_by_email(email_of("buurtteam"))
    assert partner is not None and partner.organisation.is_partner

    found = search(partner, {"q": "kostendelersnorm"})

    assert count(KnowledgeArticle) == 3
    assert [hit.title for hit in found.hits if hit.kind == "article"] == [
        "Kostendelersnorm: jongvolwassenen tot 27 jaar tellen niet meer mee"
    ]
