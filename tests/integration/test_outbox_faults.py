"""One message that cannot be delivered never stops the others.

Faults come from where they come from in production: rows stored before input was checked
(a subject or a recipient with a line break), and a real SMTP server that refuses a
recipient, answers 4xx, or stores a message without acknowledging it in time.
"""

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import update

from signals.auth.models import User
from signals.clock import Clock
from signals.config import Config
from signals.extensions import db
from signals.notifications.delivery import deliver_pending, retry_delay
from signals.notifications.services import queue_signal_mail
from signals.settings import settings_of
from signals.transaction import unit_of_work
from signals.workflow.models import Signal
from signals.workflow.services import submit_signal
from tests.fixtures.app import make_test_app
from tests.fixtures.outbox import by_recipient, outbox, outbox_row, store_rows
from tests.fixtures.smtp import SmtpServer

SPY = "spion@elders.test"
INJECTED_SUBJECT = f"Poison\r\nBcc: {SPY}"
UNUSABLE_RECIPIENTS = [
    f"jan@gemeente.test\r\nBcc: {SPY}",  # a second recipient smuggled in
    f"jan@gemeente.test, {SPY}",
    f"Jan <jan@gemeente.test>, {SPY}",
    "geen adres",
    "jan@",
    "jös@gemeente.test",  # not ASCII: we do not speak SMTPUTF8
]


def queue_in_order(recipients: list[str], now: datetime) -> None:
    """One stored message to each of ``recipients``, due in this order before ``now``."""
    due = [now - timedelta(minutes=len(recipients) - i) for i in range(len(recipients))]
    store_rows([outbox_row(recipient, at) for recipient, at in zip(recipients, due, strict=True)])


def test_a_stored_subject_with_a_line_break_goes_out_on_one_line_and_the_rest_is_delivered(
    clock: Clock,
    smtp_server: SmtpServer,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    earlier = clock.now() - timedelta(hours=1)  # due first, as old data would be
    store_rows([outbox_row("oud@gemeente.test", earlier, subject=INJECTED_SUBJECT)])
    submit_signal(reporter, signal_data)

    report = deliver_pending(clock.now())

    assert len(report.sent) == 3 and report.failed == report.dead == []
    assert {message.status for message in outbox()} == {"sent"}
    [old] = smtp_server.received_for("oud@gemeente.test")
    assert old.message["Subject"] == f"Poison Bcc: {SPY}"
    assert old.message["Bcc"] is None
    assert old.recipients == ["oud@gemeente.test"]
    assert all(SPY not in received.recipients for received in smtp_server.received)
    assert len(smtp_server.by_recipient(reporter.email)) == 1
    assert len(smtp_server.by_recipient(manager.email)) == 1


def test_a_recipient_that_cannot_be_put_in_a_header_is_dead_at_once_and_the_rest_is_delivered(
    clock: Clock,
    smtp_server: SmtpServer,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    earlier = clock.now() - timedelta(hours=1)
    store_rows([outbox_row(recipient, earlier) for recipient in UNUSABLE_RECIPIENTS])
    submit_signal(reporter, signal_data)

    report = deliver_pending(clock.now())

    assert len(report.sent) == 2 and len(report.dead) == len(UNUSABLE_RECIPIENTS)
    for recipient in UNUSABLE_RECIPIENTS:
        message = by_recipient(recipient)
        assert (message.status, message.attempts) == ("dead", 1), recipient
        assert message.last_error and "geen bruikbaar e-mailadres" in message.last_error
    assert [by_recipient(r.email).status for r in (reporter, manager)] == ["sent", "sent"]
    assert all(SPY not in received.recipients for received in smtp_server.received)
    assert smtp_server.by_recipient(SPY) == []


def test_the_commands_deliver_past_a_poison_message_without_crashing(
    runner: FlaskCliRunner,
    clock: Clock,
    smtp_server: SmtpServer,
    reporter: User,
    signal_data: dict[str, Any],
) -> None:
    earlier = clock.now() - timedelta(hours=1)
    store_rows(
        [
            outbox_row("oud@gemeente.test", earlier, subject=INJECTED_SUBJECT),
            outbox_row(UNUSABLE_RECIPIENTS[0], earlier),
        ]
    )
    submit_signal(reporter, signal_data)

    delivered = runner.invoke(args=["outbox", "deliver"])

    assert delivered.exit_code == 0, delivered.output
    assert "verzonden: 3, mislukt: 0, opgegeven: 1" in delivered.output
    store_rows([outbox_row(UNUSABLE_RECIPIENTS[1], earlier, subject=INJECTED_SUBJECT)])
    submit_signal(reporter, {**signal_data, "title": "Een tweede signaal"})
    ticked = runner.invoke(args=["scheduler", "tick", "--now", clock.now().isoformat()])
    assert ticked.exit_code == 0, ticked.output
    assert "e-mail: verzonden: 2, mislukt: 0, opgegeven: 1" in ticked.output
    assert [m.status for m in outbox()].count("sent") == 5
    assert len(smtp_server.messages) == 5


def test_a_title_with_a_line_break_stored_earlier_is_queued_with_a_one_line_subject(
    clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    db.session.execute(update(Signal).where(Signal.id == signal.id).values(title=INJECTED_SUBJECT))
    db.session.commit()
    db.session.refresh(signal)

    with unit_of_work():
        queue_signal_mail("new_signal", manager.email, signal)

    subject = outbox()[-1].subject
    assert subject == f"[{signal.reference}] Signaal in uw inbox: Poison Bcc: {SPY}"


@pytest.mark.parametrize(
    ("refuse", "reply", "for_good"),
    [
        ("recipient", "550 5.1.1 Deze mailbox bestaat niet", True),
        ("data", "554 5.7.1 Bericht geweigerd", True),
        ("recipient", "451 4.3.0 Probeer het later opnieuw", False),
        ("data", "452 4.3.1 Onvoldoende opslagruimte", False),
    ],
)
def test_a_refused_message_is_dead_at_once_for_5xx_retried_for_4xx_and_the_others_are_sent(
    refuse: str,
    reply: str,
    for_good: bool,
    clock: Clock,
    smtp_server: SmtpServer,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    if refuse == "recipient":
        smtp_server.refuse(manager.email, reply)
    else:
        smtp_server.answer_data(manager.email, reply)
    submit_signal(reporter, signal_data)

    report = deliver_pending(clock.now())

    refused = by_recipient(manager.email)
    assert refused.attempts == 1
    assert refused.last_error and reply.split()[0] in refused.last_error
    if for_good:
        assert refused.status == "dead"
        assert report.dead == [refused.id] and report.failed == []
    else:
        assert refused.status == "pending"
        assert refused.next_attempt_at == clock.now() + retry_delay(1)
        assert report.failed == [refused.id] and report.dead == []
    assert by_recipient(reporter.email).status == "sent"
    assert smtp_server.by_recipient(manager.email) == []

    # Once the server takes it again, only what was refused for now goes out.
    smtp_server.handler.rcpt_replies.clear()
    smtp_server.handler.data_replies.clear()
    clock.set(clock.now() + retry_delay(1))
    assert deliver_pending(clock.now()).sent == ([] if for_good else [refused.id])
    assert len(smtp_server.by_recipient(manager.email)) == (0 if for_good else 1)


def test_a_timeout_on_one_message_is_recorded_and_the_others_go_over_a_fresh_connection(
    clock: Clock, smtp_server: SmtpServer
) -> None:
    recipients = ["a@gemeente.test", "b@gemeente.test", "c@gemeente.test"]
    queue_in_order(recipients, clock.now())
    smtp_server.stall_once("b@gemeente.test")

    report = deliver_pending(clock.now())

    first, stalled, last = (by_recipient(r) for r in recipients)
    assert (first.status, last.status) == ("sent", "sent")
    assert (stalled.status, stalled.attempts) == ("pending", 1)
    assert stalled.last_error and "timed out" in stalled.last_error
    assert stalled.next_attempt_at == clock.now() + retry_delay(1)
    assert report.failed == [stalled.id] and not report.server_hanging
    connection = {r.recipients[0]: r.connection for r in smtp_server.received}
    assert connection["a@gemeente.test"] == connection["b@gemeente.test"]
    assert connection["c@gemeente.test"] != connection["b@gemeente.test"]


def test_a_message_acknowledged_too_late_is_sent_again_with_the_same_message_id(
    clock: Clock, smtp_server: SmtpServer, partner_reporter: User, signal_data: dict[str, Any]
) -> None:
    submit_signal(partner_reporter, signal_data)  # no intake members: only the receipt
    smtp_server.stall_once(partner_reporter.email)

    assert deliver_pending(clock.now()).sent == []
    clock.set(clock.now() + retry_delay(1))
    assert len(deliver_pending(clock.now()).sent) == 1

    [message] = outbox()
    assert (message.status, message.attempts) == ("sent", 2)
    copies = smtp_server.by_recipient(partner_reporter.email)
    assert len(copies) == 2, "stored by the server, then again: at-least-once"
    assert [copy["Message-ID"] for copy in copies] == [message.message_id] * 2


def test_the_second_timeout_in_a_batch_ends_the_run_and_the_untried_keep_their_place(
    clock: Clock, smtp_server: SmtpServer
) -> None:
    recipients = ["a@gemeente.test", "b@gemeente.test", "c@gemeente.test", "d@gemeente.test"]
    queue_in_order(recipients, clock.now())
    smtp_server.stall_once("a@gemeente.test")
    smtp_server.stall_once("c@gemeente.test")

    report = deliver_pending(clock.now())

    assert report.server_hanging and "gestopt" in report.summary()
    first, second, third, untried = (by_recipient(r) for r in recipients)
    assert [(m.status, m.attempts) for m in (first, third)] == [("pending", 1)] * 2
    assert second.status == "sent"
    assert (untried.status, untried.attempts, untried.last_error) == ("pending", 0, None)
    assert untried.next_attempt_at == clock.now() - timedelta(minutes=1)
    assert deliver_pending(clock.now()).sent == [untried.id], "the next sweep starts with it"


def test_the_smtp_timeout_is_generous_and_set_by_signals_smtp_timeout(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Config.SMTP_TIMEOUT >= 120
    monkeypatch.setenv("SIGNALS_SMTP_TIMEOUT", "300")
    configured = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"])
    assert settings_of(configured).smtp_timeout == 300
