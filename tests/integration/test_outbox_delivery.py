"""Outbox delivery over a real SMTP server: sending, retries with back-off, dead letters, volume.

What one failing message does to the others: ``test_outbox_faults.py``.
"""

import math
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.delivery import BATCH_SIZE, MAX_ATTEMPTS, deliver_pending, retry_delay
from signals.notifications.models import OutboxMessage
from signals.workflow.services import give_feedback, submit_signal
from tests.fixtures.outbox import outbox_row, store_rows
from tests.fixtures.smtp import SmtpServer


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_pending_mail_is_delivered_once_with_text_and_html(
    clock: Clock,
    smtp_server: SmtpServer,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(reporter, signal_data)

    report = deliver_pending(clock.now())
    again = deliver_pending(clock.now())

    assert len(report.sent) == 2 and not report.failed
    assert again.sent == []
    assert [message.status for message in outbox()] == ["sent", "sent"]
    receipt = smtp_server.by_recipient(reporter.email)[0]
    assert receipt["Subject"] == f"[{signal.reference}] Uw signaal is ontvangen"
    assert receipt["From"] == "signalen@gemeente.test"
    assert receipt["Message-ID"] == outbox()[0].message_id
    text_part = receipt.get_body(preferencelist=("plain",))
    html_part = receipt.get_body(preferencelist=("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    assert signal.reference in text and "Bedankt voor uw signaal" in text
    assert f'href="http://signalen.test/signalen/{signal.reference}"' in html
    assert len(smtp_server.by_recipient(manager.email)) == 1


def test_without_smtp_configured_mail_stays_in_the_outbox(
    clock: Clock, reporter: User, signal_data: dict[str, Any]
) -> None:
    submit_signal(reporter, signal_data)

    report = deliver_pending(clock.now())

    assert report.sent == [] and report.failed == []
    assert {message.status for message in outbox()} == {"pending"}


def test_a_mail_server_outage_loses_nothing_and_sends_nothing_twice(
    clock: Clock,
    smtp_server: SmtpServer,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(reporter, signal_data)
    smtp_server.stop()

    failed = deliver_pending(clock.now())

    assert len(failed.failed) == 2 and failed.sent == []
    for message in outbox():
        assert message.status == "pending"
        assert message.attempts == 1
        assert message.last_error
        assert message.next_attempt_at == clock.now() + retry_delay(1)

    give_feedback(manager, signal.reference, {"message": "We nemen het mee naar het overleg."})
    smtp_server.start()
    clock.set(clock.now() + timedelta(seconds=10))
    early = deliver_pending(clock.now())
    assert len(early.sent) == 1, "only the new feedback mail is due; the failed ones wait"

    clock.set(clock.now() + retry_delay(1))
    late = deliver_pending(clock.now())
    assert len(late.sent) == 2
    assert deliver_pending(clock.now() + timedelta(days=1)).sent == []
    subjects = sorted(message["Subject"] for message in smtp_server.messages)
    assert len(subjects) == 3 == len(set(subjects))
    assert {message.status for message in outbox()} == {"sent"}


def failure_minutes(queued: int, until: int) -> list[int]:
    """The minutes at which a message queued at ``queued`` fails while the server is down.

    With a sweep every minute the sender tries exactly when the back-off says it is due.
    """
    minutes: list[int] = []
    due = queued
    while due < until:
        minutes.append(due)
        due += retry_delay(len(minutes)) // timedelta(minutes=1)
    return minutes


def test_an_hour_long_outage_with_sweeps_through_the_back_off_delivers_every_message_once(
    clock: Clock,
    smtp_server: SmtpServer,
    reporter: User,
    manager: User,
    partner_reporter: User,
    signal_data: dict[str, Any],
) -> None:
    start = clock.now()
    signal = submit_signal(reporter, signal_data)  # the receipt and the manager's notice
    smtp_server.stop()
    failures: dict[int, list[int]] = defaultdict(list)

    for minute in range(60):  # down for an hour, the sender sweeping every minute
        clock.set(start + timedelta(minutes=minute))
        if minute == 20:
            give_feedback(manager, signal.reference, {"message": "We kijken ernaar."})
        if minute == 40:
            submit_signal(partner_reporter, {**signal_data, "title": "Tijdens de storing gemeld"})
        report = deliver_pending(clock.now())
        assert report.sent == [] and report.dead == []
        for message_id in report.failed:
            failures[message_id].append(minute)

    messages = outbox()
    assert len(messages) == 4 and smtp_server.messages == []
    for message in messages:
        queued = (message.created_at - start) // timedelta(minutes=1)
        expected = failure_minutes(queued, until=60)
        assert failures[message.id] == expected, message.subject
        assert (message.status, message.attempts) == ("pending", len(expected))
        assert message.attempts < MAX_ATTEMPTS
        assert message.last_error and "ConnectionRefusedError" in message.last_error
        last_failure = start + timedelta(minutes=expected[-1])
        assert message.next_attempt_at == last_failure + retry_delay(len(expected))

    smtp_server.start()
    restart = start + timedelta(hours=1)
    sent_at_minute: dict[int, int] = {}
    for minute in range(60, 60 + 6 * 60):  # sweeps go on; the longest back-off is six hours
        clock.set(start + timedelta(minutes=minute))
        due = {m.id for m in outbox() if m.status == "pending" and m.next_attempt_at <= clock.now()}
        report = deliver_pending(clock.now())
        assert set(report.sent) == due and report.failed == [] and report.dead == []
        assert deliver_pending(clock.now()).sent == [], "a second sweep sends nothing again"
        sent_at_minute.update(dict.fromkeys(report.sent, minute))
        if len(sent_at_minute) == len(messages):
            break

    final = outbox()
    assert {message.status for message in final} == {"sent"}
    for message in final:
        assert message.sent_at is not None and message.sent_at >= restart
        assert message.attempts == len(failures[message.id]) + 1
    received = Counter(str(message["Message-ID"]) for message in smtp_server.messages)
    assert received == Counter(message.message_id for message in final)
    assert set(received.values()) == {1}
    assert deliver_pending(clock.now() + timedelta(days=2)).sent == []
    assert len(smtp_server.messages) == len(final)


def test_a_message_that_keeps_failing_becomes_dead_after_the_maximum_attempts(
    clock: Clock, smtp_server: SmtpServer, partner_reporter: User, signal_data: dict[str, Any]
) -> None:
    submit_signal(partner_reporter, signal_data)  # no intake members: only the receipt
    smtp_server.stop()

    for _attempt in range(MAX_ATTEMPTS):
        deliver_pending(clock.now())
        clock.set(clock.now() + timedelta(days=1))

    [message] = outbox()
    assert message.status == "dead"
    assert message.attempts == MAX_ATTEMPTS
    smtp_server.start()
    assert deliver_pending(clock.now()).sent == []
    assert smtp_server.messages == []


def test_back_off_doubles_and_is_capped() -> None:
    delays = [retry_delay(attempts) for attempts in range(1, 12)]
    assert delays[:4] == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert max(delays) == timedelta(hours=6)
    assert delays == sorted(delays)


def test_delivery_goes_on_past_200_messages_until_the_queue_is_empty_over_few_connections(
    clock: Clock, smtp_server: SmtpServer
) -> None:
    queued = 2 * BATCH_SIZE + 50
    store_rows([outbox_row(f"ontvanger{n}@gemeente.test", clock.now()) for n in range(queued)])

    report = deliver_pending(clock.now())

    assert len(report.sent) == queued and report.failed == report.dead == []
    assert {message.status for message in outbox()} == {"sent"}
    received = Counter(str(message["Message-ID"]) for message in smtp_server.messages)
    assert received == Counter(message.message_id for message in outbox())
    assert smtp_server.connections == math.ceil(queued / BATCH_SIZE), "one per batch"
    assert deliver_pending(clock.now()).sent == []
