"""Dead letters on the administrator's outbox page, and retrying them, with a real SMTP server."""

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from signals.auth.models import User
from signals.clock import Clock
from signals.errors import Forbidden, NotFound, StateConflict
from signals.extensions import db
from signals.notifications.delivery import MAX_ATTEMPTS, deliver_pending
from signals.notifications.models import OutboxMessage
from signals.notifications.services import retry_all_dead, retry_dead_message
from signals.workflow.services import submit_signal
from tests.fixtures.smtp import SmtpServer
from tests.helpers import Login, MakeUser
from tests.integration.test_web_signals import Page as WebPage

OUTBOX = "/beheer/outbox"


class Page(WebPage):
    """The web tests' page reader, plus the page's flash notices (``role="status"``)."""

    def __init__(self, html: str) -> None:
        self.notices: list[str] = []
        self._in_notice = False
        super().__init__(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if dict(attrs).get("role") == "status":
            self.notices.append("")
            self._in_notice = True
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._in_notice = False
        super().handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if self._in_notice:
            self.notices[-1] += data

    def has(self, element_id: str) -> bool:
        return element_id in self.texts

    def flashes(self) -> list[str]:
        return [" ".join(notice.split()) for notice in self.notices]


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def snapshot() -> list[tuple[Any, ...]]:
    """Every column of every outbox row, to prove that a refused request changed nothing."""
    return [
        (m.id, m.status, m.attempts, m.next_attempt_at, m.last_error, m.sent_at) for m in outbox()
    ]


def sweep_until_dead(clock: Clock) -> int:
    """Run the sender at every retry moment while the server is down, until nothing is pending.

    Returns the number of sweeps; the clock ends at the moment of the last one.
    """
    sweeps = 0
    while pending := [message for message in outbox() if message.status == "pending"]:
        clock.set(max(clock.now(), min(message.next_attempt_at for message in pending)))
        report = deliver_pending(clock.now())
        assert report.sent == []
        sweeps += 1
        assert sweeps <= 10 * MAX_ATTEMPTS, "the sender never gives up"
    return sweeps


def received_ids(smtp_server: SmtpServer) -> list[str]:
    return [str(message["Message-ID"]) for message in smtp_server.messages]


@pytest.fixture
def dead_letters(
    clock: Clock,
    smtp_server: SmtpServer,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> list[OutboxMessage]:
    """The receipt and the manager's notice of one signal, dead after an outage of days."""
    submit_signal(reporter, signal_data)
    smtp_server.stop()
    sweep_until_dead(clock)
    messages = outbox()
    assert [message.status for message in messages] == ["dead", "dead"]
    assert smtp_server.messages == []
    return messages


# The page ------------------------------------------------------------------------------------


def test_a_message_that_died_while_the_server_was_down_is_counted_first_and_listed_once(
    clock: Clock,
    smtp_server: SmtpServer,
    login: Login,
    admin: User,
    partner_reporter: User,
    dead_letters: list[OutboxMessage],
    signal_data: dict[str, Any],
) -> None:
    smtp_server.start()
    submit_signal(partner_reporter, {**signal_data, "title": "Later signaal dat wel aankomt"})
    assert len(deliver_pending(clock.now()).sent) == 1

    response = login(admin).get(OUTBOX)

    assert response.status_code == 200
    page = Page(response.text)
    assert page.text("dead-count") == "2"
    assert page.text("show-dead") == "Toon de mislukte berichten"
    for message in dead_letters:
        row = f"mail-{message.id}"
        assert page.text(f"{row}-subject") == message.subject
        assert page.text(f"{row}-recipient") == message.recipient
        assert page.text(f"{row}-status") == "Mislukt – opgegeven"
        assert page.text(f"{row}-attempts") == str(MAX_ATTEMPTS)
        assert "ConnectionRefusedError" in page.text(f"{row}-error")
        assert page.text(f"retry-{message.id}").startswith("Opnieuw proberen")
    assert page.text("retry-all") == "Alle mislukte opnieuw proberen"
    [sent] = [message for message in outbox() if message.status == "sent"]
    assert page.text(f"mail-{sent.id}-status") == "Verzonden"
    html = response.text
    assert html.index('id="dead-letters"') < html.index('id="recent-mail"')
    assert "<script" not in html and "style=" not in html and "<style" not in html


def test_without_dead_letters_the_page_says_so_and_offers_no_retry(
    clock: Clock, login: Login, admin: User, reporter: User, signal_data: dict[str, Any]
) -> None:
    submit_signal(reporter, signal_data)

    page = Page(login(admin).get(OUTBOX).text)

    assert page.text("dead-count") == "0"
    assert "Er is geen mislukte e-mail." in page.text("dead-letters")
    assert not page.has("retry-all")
    assert all(page.text(f"mail-{m.id}-status") == "Wacht op verzending" for m in outbox())


# Retrying from the page ----------------------------------------------------------------------


def test_a_retried_dead_letter_is_delivered_exactly_once_when_the_server_is_back(
    clock: Clock,
    smtp_server: SmtpServer,
    login: Login,
    admin: User,
    dead_letters: list[OutboxMessage],
) -> None:
    first, second = dead_letters
    session = login(admin)
    smtp_server.start()
    clock.set(clock.now() + timedelta(hours=2))

    response = session.post(f"{OUTBOX}/{first.id}/opnieuw", {})

    assert response.status_code == 302
    assert response.headers["Location"] == OUTBOX
    [revived, untouched] = outbox()
    assert (revived.status, revived.attempts, revived.last_error) == ("pending", 0, None)
    assert revived.next_attempt_at == clock.now()
    assert (untouched.status, untouched.attempts) == ("dead", MAX_ATTEMPTS)
    page = Page(session.get(OUTBOX).text)
    assert page.flashes() == [
        f"Het bericht aan {first.recipient} wordt opnieuw verstuurd bij de volgende ronde "
        "van de verzender."
    ]
    assert page.text("dead-count") == "1" and not page.has(f"dead-{first.id}")
    assert page.text(f"mail-{first.id}-status") == "Wacht op verzending"

    report = deliver_pending(clock.now())
    again = deliver_pending(clock.now() + timedelta(days=1))

    assert report.sent == [first.id] and again.sent == []
    assert received_ids(smtp_server) == [first.message_id]
    [delivered, still_dead] = outbox()
    assert (delivered.status, delivered.attempts, delivered.sent_at) == ("sent", 1, clock.now())
    assert still_dead.status == "dead"
    assert smtp_server.by_recipient(first.recipient)[0]["Subject"] == first.subject


def test_retry_all_revives_every_dead_letter_and_each_is_delivered_once(
    clock: Clock,
    smtp_server: SmtpServer,
    login: Login,
    admin: User,
    dead_letters: list[OutboxMessage],
) -> None:
    session = login(admin)
    smtp_server.start()

    response = session.post(f"{OUTBOX}/opnieuw", {})

    assert response.status_code == 302 and response.headers["Location"] == OUTBOX
    assert {(m.status, m.attempts, m.last_error) for m in outbox()} == {("pending", 0, None)}
    page = Page(session.get(OUTBOX).text)
    assert page.flashes() == [
        "2 mislukte berichten worden opnieuw verstuurd bij de volgende ronde van de verzender."
    ]
    assert page.text("dead-count") == "0"

    assert len(deliver_pending(clock.now()).sent) == 2
    assert deliver_pending(clock.now() + timedelta(days=1)).sent == []
    assert sorted(received_ids(smtp_server)) == sorted(m.message_id for m in dead_letters)
    assert {message.status for message in outbox()} == {"sent"}

    session.post(f"{OUTBOX}/opnieuw", {})
    assert Page(session.get(OUTBOX).text).flashes() == [
        "Er was geen mislukte e-mail om opnieuw te versturen."
    ]
    assert len(smtp_server.messages) == 2


def test_a_retried_message_that_fails_again_backs_off_and_dies_again(
    clock: Clock, smtp_server: SmtpServer, admin: User, dead_letters: list[OutboxMessage]
) -> None:
    retry_dead_message(admin, dead_letters[0].id)

    sweeps = sweep_until_dead(clock)

    assert sweeps == MAX_ATTEMPTS
    assert [(m.status, m.attempts) for m in outbox()] == [("dead", MAX_ATTEMPTS)] * 2
    assert smtp_server.messages == []


# Refusals ------------------------------------------------------------------------------------


def test_only_admins_see_the_page_and_may_retry_and_a_refusal_changes_nothing(
    clock: Clock,
    smtp_server: SmtpServer,
    login: Login,
    reporter: User,
    manager: User,
    intake_member: User,
    dead_letters: list[OutboxMessage],
) -> None:
    smtp_server.start()
    before = snapshot()

    for user in (reporter, manager, intake_member):
        session = login(user)
        page = session.get(OUTBOX)
        one = session.post(f"{OUTBOX}/{dead_letters[0].id}/opnieuw", {})
        every = session.post(f"{OUTBOX}/opnieuw", {})
        assert (page.status_code, one.status_code, every.status_code) == (403, 403, 403), user
        assert dead_letters[0].subject not in page.text + one.text + every.text

    assert snapshot() == before
    assert deliver_pending(clock.now() + timedelta(days=1)).sent == []
    assert smtp_server.messages == []
    with pytest.raises(Forbidden):
        retry_dead_message(manager, dead_letters[0].id)
    with pytest.raises(Forbidden):
        retry_all_dead(manager)
    assert snapshot() == before


def test_a_retry_without_a_valid_csrf_token_is_refused_and_changes_nothing(
    login: Login, admin: User, dead_letters: list[OutboxMessage]
) -> None:
    session = login(admin)
    before = snapshot()

    one = session.client.post(f"{OUTBOX}/{dead_letters[0].id}/opnieuw", data={})
    every = session.client.post(f"{OUTBOX}/opnieuw", data={"csrf_token": "not-a-token"})

    assert (one.status_code, every.status_code) == (400, 400)
    assert snapshot() == before


def test_retrying_a_message_that_is_not_dead_is_refused_and_changes_nothing(
    clock: Clock,
    smtp_server: SmtpServer,
    login: Login,
    admin: User,
    reporter: User,
    signal_data: dict[str, Any],
) -> None:
    submit_signal(reporter, signal_data)
    smtp_server.stop()
    deliver_pending(clock.now())  # both fail once: pending, with an error and a back-off
    smtp_server.start()
    clock.set(clock.now() + timedelta(minutes=1))
    [to_send, _pending] = outbox()
    deliver_pending(clock.now(), limit=1)
    [sent, pending] = outbox()
    assert (sent.id, sent.status, pending.status) == (to_send.id, "sent", "pending")
    session = login(admin)
    before = snapshot()

    for message in (sent, pending):
        response = session.post(f"{OUTBOX}/{message.id}/opnieuw", {})
        assert response.status_code == 409
        assert "alleen mislukte berichten kunnen opnieuw worden verstuurd" in response.text
    assert "status: verzonden" in session.post(f"{OUTBOX}/{sent.id}/opnieuw", {}).text
    assert session.post(f"{OUTBOX}/{pending.id + 1000}/opnieuw", {}).status_code == 404
    assert session.post(f"{OUTBOX}/opnieuw", {}).status_code == 302

    assert snapshot() == before
    with pytest.raises(StateConflict):
        retry_dead_message(admin, pending.id)
    with pytest.raises(NotFound):
        retry_dead_message(admin, pending.id + 1000)
    assert retry_all_dead(admin) == 0
    assert snapshot() == before
    deliver_pending(clock.now() + timedelta(days=1))
    assert sorted(received_ids(smtp_server)) == sorted([sent.message_id, pending.message_id])


def test_a_second_retry_of_the_same_letter_is_refused_so_it_is_sent_once(
    clock: Clock,
    smtp_server: SmtpServer,
    login: Login,
    admin: User,
    make_user: MakeUser,
    dead_letters: list[OutboxMessage],
) -> None:
    other_admin = make_user("admin", name="Tweede beheerder")
    first, mine = login(admin), login(other_admin)
    smtp_server.start()
    letter = dead_letters[0]

    assert first.post(f"{OUTBOX}/{letter.id}/opnieuw", {}).status_code == 302
    assert mine.post(f"{OUTBOX}/{letter.id}/opnieuw", {}).status_code == 409
    deliver_pending(clock.now())
    late = mine.post(f"{OUTBOX}/{letter.id}/opnieuw", {})

    assert late.status_code == 409 and "status: verzonden" in late.text
    deliver_pending(clock.now() + timedelta(days=1))
    assert received_ids(smtp_server) == [letter.message_id]


def test_the_dev_mailbox_shows_dead_letters_but_offers_retry_to_admins_only(
    app: Flask,
    login: Login,
    admin: User,
    reporter: User,
    dead_letters: list[OutboxMessage],
) -> None:
    app.config["DEBUG"] = True
    try:
        as_reporter = Page(login(reporter).get("/dev/mailbox").text)
        as_admin = Page(login(admin).get("/dev/mailbox").text)
    finally:
        app.config["DEBUG"] = False

    letter = dead_letters[0]
    assert as_reporter.text(f"mail-{letter.id}-status") == "Mislukt – opgegeven"
    assert not as_reporter.has(f"retry-{letter.id}") and not as_reporter.has("retry-all")
    assert as_admin.has(f"retry-{letter.id}") and as_admin.has("retry-all")
