"""Writing e-mail into the outbox, inside the caller's transaction (never commits itself)."""

import uuid
from collections.abc import Mapping
from typing import Any

from flask import current_app, render_template

from signals.clock import now
from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.workflow.models import Signal

SUBJECTS: Mapping[str, str] = {
    "receipt": "[{reference}] Uw signaal is ontvangen",
    "new_signal": "[{reference}] Signaal in uw inbox: {title}",
    "feedback": "[{reference}] Terugkoppeling op uw signaal",
    "resolved": "[{reference}] Uw signaal is afgehandeld",
    "forwarded": "[{reference}] Uw signaal ligt nu bij een volgende stap",
    "accepted": "[{reference}] Uw signaal is in behandeling genomen",
    "info_requested": "[{reference}] Een vraag over uw signaal",
    "reporter_replied": "[{reference}] De melder heeft geantwoord",
    "reopened": "[{reference}] Signaal heropend",
}


def signal_url(reference: str) -> str:
    """The absolute link to a signal's page, for use in e-mails."""
    base: str = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/signalen/{reference}"


def queue_signal_mail(kind: str, recipient: str, signal: Signal, **context: Any) -> OutboxMessage:
    """Render the ``kind`` e-mail about ``signal`` for ``recipient`` and add it to the outbox."""
    context = {"signal": signal, "url": signal_url(signal.reference), **context}
    subject = SUBJECTS[kind].format(reference=signal.reference, title=signal.title)
    moment = now()
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    message = OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        recipient=recipient,
        subject=subject,
        body_text=render_template(f"mail/{kind}.txt", **context),
        body_html=render_template(f"mail/{kind}.html", subject=subject, **context),
        kind=kind,
        signal_id=signal.id,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=moment,
        created_at=moment,
    )
    db.session.add(message)
    return message
