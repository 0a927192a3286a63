"""Delivery of the outbox over SMTP, with retries and back-off; one commit per message.

Each message is committed as sent straight after the SMTP server accepted it, so a crash
can repeat at most the message in hand. On PostgreSQL rows are claimed with
``FOR UPDATE SKIP LOCKED`` so that two senders never pick the same message.
"""

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import select

from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"verzonden: {len(self.sent)}, mislukt: {len(self.failed)}, opgegeven: {len(self.dead)}"
        )


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off after ``attempts`` failed attempts: 1, 2, 4 … minutes, capped."""
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


def deliver_pending(now: datetime, limit: int = 200) -> DeliveryReport:
    """Send every pending message that is due at ``now``; return what happened."""
    report = DeliveryReport()
    if not smtp_configured():
        return report
    for _ in range(limit):
        message = _claim_next(now)
        if message is None:
            break
        _deliver_one(message, now, report)
        db.session.commit()
    return report


def _claim_next(now: datetime) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalars(query).first()


def _deliver_one(message: OutboxMessage, now: datetime, report: DeliveryReport) -> None:
    try:
        _send(message)
    except (OSError, smtplib.SMTPException) as error:
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.DEAD
            report.dead.append(message.id)
        else:
            message.next_attempt_at = now + retry_delay(message.attempts)
            report.failed.append(message.id)
        return
    message.attempts += 1
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.last_error = None
    report.sent.append(message.id)


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message for an outbox row: plain text with an HTML alternative."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def _send(message: OutboxMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(
        config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=config["SMTP_TIMEOUT"]
    ) as smtp:
        smtp.send_message(build_email(message))
