"""The anonymous channel: a signal without a person, followed and answered with a receipt.

Through the real app (API and web pages without logging in), the real route file, a real
SMTP server for the notices and the real database; the client's address and user agent are
looked for in every table afterwards.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from signals.anonymous.models import AnonymousContact, AnonymousQuota, AnonymousReceipt
from signals.anonymous.services import (
    RECEIPT_ALPHABET,
    REFUSAL_DELAY,
    WRONG_RECEIPT,
    WRONG_RECEIPTS_A_DAY,
    normalised_receipt,
)
from signals.auth.models import User
from signals.cli import RequestHandlerWithoutAnonymousTraces
from signals.clock import Clock
from signals.database import Base
from signals.extensions import db
from signals.notifications.delivery import deliver_pending
from signals.notifications.models import OutboxMessage
from signals.retention.purge import run_retention
from signals.settings import BadValue, flag
from signals.workflow.inbox import inbox_page
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import forward_signal, submit_signal
from tests.fixtures.api import ApiClient
from tests.fixtures.app import Configure, csrf_token_from
from tests.fixtures.smtp import SmtpServer
from tests.helpers import RESOLUTION, MakeUser, signal_by_reference

ADDRESS = "203.0.113.77"
USER_AGENT = "UniekeBrowser/9.9 (anoniem-test)"
CONTACT = "tipgever@voorbeeld.test"
RECEIPT_SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


@pytest.fixture
def sleeps(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the channel takes, recorded instead of slept."""
    taken: list[float] = []
    monkeypatch.setitem(app.extensions, "signals.sleep", taken.append)
    return taken


@pytest.fixture
def table_member(make_user: MakeUser) -> User:
    return make_user("member", groups=["casuistiek"], name="Cas Tafel")


def submit(client: FlaskClient, body: dict[str, Any], address: str = ADDRESS) -> Any:
    return client.post(
        "/api/v1/anonymous/signals",
        json=body,
        environ_base={"REMOTE_ADDR": address},
        headers={"User-Agent": USER_AGENT},
    )


def follow(client: FlaskClient, receipt: str) -> Any:
    return client.get(f"/api/v1/anonymous/{receipt}", environ_base={"REMOTE_ADDR": ADDRESS})


def test_an_anonymous_signal_travels_the_route_and_its_reporter_answers_with_the_receipt(
    clock: Clock,
    client: FlaskClient,
    api: Callable[[User], ApiClient],
    table_member: User,
    signal_data: dict[str, Any],
    smtp_server: SmtpServer,
) -> None:
    made = submit(client, {**signal_data, "email": CONTACT})
    assert made.status_code == 201, made.json
    reference, receipt = made.json["reference"], made.json["receipt"]
    assert RECEIPT_SHAPE.match(receipt)

    signal = signal_by_reference(reference)
    assert signal.anonymous and signal.reporter_id is None
    assert signal.organisation.kind == "anonymous"
    # Its own reporter kind: the test route sends anonymous signals to the casuïstiek table.
    assert (signal.node, signal.owner_group) == ("casuistiek", "casuistiek")

    owner = api(table_member)
    assert owner.act(reference, "accept").status_code == 200
    asked = owner.act(reference, "request_info", message="Gaat het om één gezin of meer?")
    assert asked.status_code == 200, asked.json

    seen = follow(client, receipt)
    assert seen.status_code == 200
    assert seen.json["status"] == "awaiting_reporter" and seen.json["may_reply"] is True
    assert seen.json["question"] == "Gaat het om één gezin of meer?"
    assert "Cas Tafel" not in seen.text  # no names of the owners either

    # Typed differently (lower case, spaces for dashes): the same receipt.
    typed = receipt.lower().replace("-", " ")
    answered = client.post(
        f"/api/v1/anonymous/{typed}/reply", json={"message": "Het gaat om zeker vijf gezinnen."}
    )
    assert answered.status_code == 200, answered.json
    assert answered.get_json()["status"] == "in_progress"
    replied = db.session.scalars(
        select(SignalEvent).where(
            SignalEvent.signal_id == signal.id, SignalEvent.type == "reporter_replied"
        )
    ).one()
    assert (
        replied.actor_id is None and replied.data["message"] == "Het gaat om zeker vijf gezinnen."
    )
    owner_mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "reporter_replied")
    ).one()
    assert owner_mail.recipient == table_member.email

    resolved = owner.act(reference, "resolve", **RESOLUTION)
    assert resolved.status_code == 200, resolved.json
    decided = follow(client, receipt).json
    assert decided["status"] == "resolved"
    assert decided["outcome"] == "Niet mogelijk (met onderbouwing)"
    assert decided["rationale"] == RESOLUTION["rationale"]
    assert RESOLUTION["message"] in [entry["message"] for entry in decided["entries"]]
    assert all("T" not in entry["day"] for entry in decided["entries"])  # days, not times

    # Notices went to the address left, said nothing about the signal, and the address is
    # gone now that the signal is resolved.
    notices = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == CONTACT).order_by(OutboxMessage.id)
    ).all()
    assert len(notices) == 4  # received, accepted, a question, resolved
    assert {notice.kind for notice in notices} == {"anonymous_news"}
    assert all(notice.signal_id is None for notice in notices)
    for notice in notices:
        for part in (notice.subject, notice.body_text, notice.body_html):
            assert reference not in part and signal_data["title"] not in part
            assert "/anoniem/volgen" in part or part == notice.subject
    assert db.session.get(AnonymousContact, signal.id) is None
    deliver_pending(clock.now())
    delivered = smtp_server.by_recipient(CONTACT)
    assert len(delivered) == 4
    assert all(reference not in message.as_string() for message in delivered)


def test_nothing_of_the_submitting_client_is_stored(
    app: Flask, client: FlaskClient, signal_data: dict[str, Any]
) -> None:
    form = client.get("/anoniem", environ_base={"REMOTE_ADDR": ADDRESS})
    assert form.status_code == 200
    cookie = client.get_cookie("signals_session")
    web = client.post(
        "/anoniem",
        data={**signal_data, "csrf_token": csrf_token_from(form.text)},
        environ_base={"REMOTE_ADDR": ADDRESS},
        headers={"User-Agent": USER_AGENT},
    )
    assert web.status_code == 200, web.text
    receipt = re.search(r'id="receipt"[^>]*><strong>([0-9A-Z-]+)</strong>', web.text)
    assert receipt is not None
    by_api = submit(client, signal_data)
    assert by_api.status_code == 201

    traces = [ADDRESS, USER_AGENT, "UniekeBrowser", receipt.group(1), by_api.json["receipt"]]
    traces += [normalised_receipt(receipt.group(1)) or "", "signals_session"]
    if cookie is not None:
        traces.append(cookie.value)
    stored = everything_stored()
    for trace in traces:
        assert trace not in stored, f"{trace!r} is in the database"
    # Only hashes: of each receipt, and of the (daily re-keyed) network in the quota.
    assert len(db.session.scalars(select(AnonymousReceipt.receipt_hash)).all()) == 2
    quota = db.session.scalars(select(AnonymousQuota)).all()
    assert [(row.purpose, row.count) for row in quota] == [("submit", 2)]
    # No user, no session, no API token was made for them.
    signals = db.session.scalars(select(Signal)).all()
    assert [s.reporter_id for s in signals] == [None, None]
    assert db.session.scalars(select(User)).all() == []


def everything_stored() -> str:
    """Every row of every table as text: what a search of the database would find."""
    rows: list[str] = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            rows.append(repr(tuple(row)))
    if db.session.get_bind().dialect.name == "sqlite":
        names = db.session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        known = {table.name for table in Base.metadata.sorted_tables}
        for (name,) in names:
            if name not in known and not name.startswith("sqlite_"):
                every_row = text(f'SELECT * FROM "{name}"')  # noqa: S608 (a name sqlite gave)
                rows += [repr(tuple(row)) for row in db.session.execute(every_row)]
    return "\n".join(rows)


def test_a_wrong_receipt_is_refused_after_a_pause_without_saying_why(
    client: FlaskClient, signal_data: dict[str, Any], sleeps: list[float]
) -> None:
    receipt = submit(client, signal_data).json["receipt"]
    unknown = "".join(
        RECEIPT_ALPHABET[(RECEIPT_ALPHABET.index(c) + 1) % 32] if c != "-" else c for c in receipt
    )
    for wrong in (unknown, "niet-een-code", "0" * 19, receipt[:-1]):
        refused = follow(client, wrong)
        assert refused.status_code == 404
        assert refused.json["error"]["message"] == WRONG_RECEIPT
        assert receipt not in refused.text
    assert sleeps == [REFUSAL_DELAY] * 4
    replied = client.post(f"/api/v1/anonymous/{unknown}/reply", json={"message": "Hallo"})
    assert replied.status_code == 404 and sleeps[-1] == REFUSAL_DELAY
    assert follow(client, receipt).status_code == 200  # the right one still opens


def test_guessing_receipts_is_held_back_per_network_per_day(
    clock: Clock, client: FlaskClient, signal_data: dict[str, Any], sleeps: list[float]
) -> None:
    receipt = submit(client, signal_data).json["receipt"]
    for _ in range(WRONG_RECEIPTS_A_DAY):
        assert follow(client, "AAAA-AAAA-AAAA-AAAA-AAAA").status_code == 404
    held = follow(client, "AAAA-AAAA-AAAA-AAAA-AAAA")
    assert held.status_code == 429 and int(held.headers["Retry-After"]) > 0
    other = client.get(f"/api/v1/anonymous/{receipt}", environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 200
    clock.set(clock.now() + timedelta(days=1))
    assert follow(client, receipt).status_code == 200


def test_submissions_are_limited_per_network_per_day(
    clock: Clock, client: FlaskClient, configure: Configure, signal_data: dict[str, Any]
) -> None:
    configure(anonymous_daily_limit=2)
    assert [submit(client, signal_data).status_code for _ in range(3)] == [201, 201, 429]
    assert submit(client, signal_data, address="198.51.100.9").status_code == 201
    assert db.session.scalars(select(Signal)).all().__len__() == 3  # the refused one made nothing
    clock.set(clock.now() + timedelta(days=1))
    assert submit(client, signal_data).status_code == 201
    # Yesterday's counts are gone: nothing is kept longer than the day it counts.
    assert {row.day for row in db.session.scalars(select(AnonymousQuota))} == {clock.now().date()}


def test_bad_input_is_refused_per_field_and_the_form_keeps_what_was_typed(
    client: FlaskClient, signal_data: dict[str, Any]
) -> None:
    refused = submit(client, {**signal_data, "situation": "BSN 111222333"})
    assert refused.status_code == 422
    assert "burgerservicenummer" in refused.json["error"]["fields"]["situation"][0]
    joined = submit(client, {**signal_data, "kwestie_id": 1})  # joining is for who sees kwesties
    assert joined.json["error"]["fields"] == {"kwestie_id": ["Onbekend veld."]}
    assert submit(client, {**signal_data, "email": "geen adres"}).json["error"]["fields"] == {
        "email": ["Geen geldig e-mailadres."]
    }

    form = client.get("/anoniem")
    page = client.post(
        "/anoniem",
        data={
            **signal_data,
            "situation": "Het BSN is 111222333.",
            "csrf_token": csrf_token_from(form.text),
        },
    )
    assert page.status_code == 422
    assert "burgerservicenummer" in page.text
    assert signal_data["title"] in page.text  # kept
    assert db.session.scalars(select(Signal)).all() == []


def test_the_web_pages_follow_and_answer_with_the_receipt(
    client: FlaskClient,
    api: Callable[[User], ApiClient],
    table_member: User,
    signal_data: dict[str, Any],
    sleeps: list[float],
) -> None:
    made = submit(client, signal_data).json
    owner = api(table_member)
    owner.act(made["reference"], "request_info", message="Welke gemeente betreft het?")

    page = client.get("/anoniem/volgen")
    assert page.status_code == 200
    token = csrf_token_from(page.text)
    wrong = client.post("/anoniem/volgen", data={"receipt": "XXXX", "csrf_token": token})
    assert wrong.status_code == 404 and WRONG_RECEIPT in wrong.text
    shown = client.post("/anoniem/volgen", data={"receipt": made["receipt"], "csrf_token": token})
    assert shown.status_code == 200
    assert "Welke gemeente betreft het?" in shown.text
    assert made["receipt"] not in shown.request.url

    empty = client.post(
        "/anoniem/volgen/antwoord",
        data={"receipt": made["receipt"], "message": " ", "csrf_token": token},
    )
    assert empty.status_code == 422 and "Dit veld is verplicht." in empty.text
    answered = client.post(
        "/anoniem/volgen/antwoord",
        data={"receipt": made["receipt"], "message": "Teststad.", "csrf_token": token},
    )
    assert answered.status_code == 200
    assert "Uw antwoord is verstuurd" in answered.text
    assert signal_by_reference(made["reference"]).status == "in_progress"
    again = client.post(
        "/anoniem/volgen/antwoord",
        data={"receipt": made["receipt"], "message": "Nog iets.", "csrf_token": token},
    )
    assert again.status_code == 409  # no open question any more


def test_owners_see_that_it_is_anonymous_and_only_the_day_it_came_in(
    clock: Clock,
    client: FlaskClient,
    api: Callable[[User], ApiClient],
    login: Callable[[User], Any],
    table_member: User,
    admin: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    local = clock.now().astimezone(ZoneInfo("Europe/Amsterdam"))
    clock.set(local.replace(hour=14, minute=37))
    reference = submit(client, signal_data).json["reference"]

    shown = api(table_member).get(f"/signals/{reference}").get_json()
    assert shown["anonymous"] is True and shown["reporter"] is None
    assert shown["created_at"].endswith("T00:00:00+01:00")
    submitted = shown["events"][0]
    assert submitted["type"] == "submitted"
    assert submitted["at"] == shown["created_at"]
    assert submitted["actor"] == {"name": None, "reporter": True}

    page = login(table_member).get(f"/signalen/{reference}")
    assert page.status_code == 200
    assert "Anoniem, via het anonieme kanaal" in page.text
    assert "14:37" not in page.text and "13:37" not in page.text
    # The control: a signal with a reporter shows its moment to the minute.
    named = submit_signal(make_user("professional", name="Nina Naam"), signal_data)
    assert "14:37" in login(admin).get(f"/signalen/{named.reference}").text
    assert "door de anonieme melder" in page.text


def test_the_channel_can_be_turned_off(
    client: FlaskClient, configure: Configure, signal_data: dict[str, Any]
) -> None:
    configure(anonymous=False)
    assert submit(client, signal_data).status_code == 404
    assert client.get("/anoniem").status_code == 404
    assert client.get("/anoniem/volgen").status_code == 404
    assert follow(client, "AAAA-AAAA-AAAA-AAAA-AAAA").status_code == 404
    assert db.session.scalars(select(Signal)).all() == []


@pytest.mark.parametrize(("given", "meant"), [("false", False), ("ja", True), (False, False)])
def test_the_switch_reads_words_and_booleans(given: object, meant: bool) -> None:
    assert flag(given) is meant


def test_the_switch_refuses_anything_else() -> None:
    with pytest.raises(BadValue):
        flag("misschien")


def test_the_address_left_is_shown_to_no_one_not_even_in_the_outbox(
    client: FlaskClient,
    login: Callable[[User], Any],
    admin: User,
    signal_data: dict[str, Any],
) -> None:
    assert submit(client, {**signal_data, "email": CONTACT}).status_code == 201
    notice = db.session.scalars(select(OutboxMessage)).all()
    assert [message.recipient for message in notice if message.kind == "anonymous_news"] == [
        CONTACT
    ]
    session = login(admin)
    listed = session.get("/beheer/outbox")
    assert listed.status_code == 200
    assert "een anonieme melder (adres afgeschermd)" in listed.text
    assert CONTACT not in listed.text
    searched = session.get("/beheer/outbox?recipient=tipgever")
    assert searched.status_code == 200 and "anonieme melder" not in searched.text


def test_the_inbox_filters_on_the_anonymous_reporter_kind(
    clock: Clock,
    client: FlaskClient,
    table_member: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    anonymous = submit(client, signal_data).json["reference"]
    lead = make_user("manager", name="Lea Leiding")
    named = submit_signal(make_user("professional", manager=lead, name="Nina Naam"), signal_data)
    forward_signal(lead, named.reference, {"to": "casuistiek"})
    listed = inbox_page(table_member, {"reporter_kind": "anonymous"}, clock.now())
    assert [signal.reference for signal in listed.signals] == [anonymous]
    staff = inbox_page(table_member, {"reporter_kind": "staff"}, clock.now())
    assert [signal.reference for signal in staff.signals] == [named.reference]


def test_the_demo_servers_request_log_leaves_the_anonymous_channel_out() -> None:
    logged: list[str] = []

    class Recorded(RequestHandlerWithoutAnonymousTraces):
        def __init__(self, path: str) -> None:  # no socket: only what the log sees
            self.path = path

        def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002
            logged.append(self.path)

        requestline = "GET / HTTP/1.1"

    for path in ("/anoniem", "/anoniem/volgen", "/api/v1/anonymous/AAAA-BBBB", "/inbox"):
        Recorded(path).log_request(200, 10)
    assert logged == ["/inbox"]


def test_retention_takes_the_receipt_and_the_address_with_the_text(
    clock: Clock,
    client: FlaskClient,
    api: Callable[[User], ApiClient],
    table_member: User,
    signal_data: dict[str, Any],
) -> None:
    made = submit(client, {**signal_data, "email": CONTACT}).json
    assert api(table_member).act(made["reference"], "resolve", **RESOLUTION).status_code == 200
    assert follow(client, made["receipt"]).status_code == 200
    signal = signal_by_reference(made["reference"])
    db.session.add(AnonymousContact(signal_id=signal.id, email=CONTACT))  # as if left behind
    db.session.commit()

    retention = run_retention(clock.now() + timedelta(days=31 * 25))

    assert retention.signals == [made["reference"]]
    assert follow(client, made["receipt"]).status_code == 404
    assert db.session.scalars(select(AnonymousReceipt)).all() == []
    assert db.session.scalars(select(AnonymousContact)).all() == []
