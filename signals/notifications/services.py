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
    "kwestie_linked": "[{reference}] Uw signaal is gekoppeld aan een kwestie",
    "kwestie_new": "Kwestie bij u: {title}",
    "kwestie_message": "Bericht over de kwestie: {title}",
    "kwestie_decided": "Besluit over de kwestie: {title}",
    "pattern_alert": "Zien we dit vaker? {count} signalen over {regulation} bij {source}",
}


def signal_url(reference: str) -> str:
    """The absolute link to a signal's page, for use in e-mails."""
    base: str = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/signalen/{reference}"


def kwestie_url(kwestie_id: int) -> str:
    """The absolute link to a kwestie's page, for use in e-mails."""
    base: str = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/kwesties/{kwestie_id}"


def queue_signal_mail(kind: str, recipient: str, signal: Signal, **context: Any) -> OutboxMessage:
    """Render the ``kind`` e-mail about ``signal`` for ``recipient`` and add it to the outbox."""
    context = {"signal": signal, "url": signal_url(signal.reference), **context}
    subject = SUBJECTS[kind].format(reference=signal.reference, title=signal.title)
    return _queue(kind, recipient, subject, signal.id, context)


def queue_mail(
    kind: str, recipient: str, subject_values: Mapping[str, Any], **context: Any
) -> OutboxMessage:
    """Render the ``kind`` e-mail that is not about one signal (a kwestie, a pattern alert).

    ``subject_values`` fill the placeholders of the subject; ``context`` (which should hold
    the ``url`` the e-mail links to) goes to the templates.
    """
    subject = SUBJECTS[kind].format(**subject_values)
    return _queue(kind, recipient, subject, None, context)


def _queue(
    kind: str, recipient: str, subject: str, signal_id: int | None, context: Mapping[str, Any]
) -> OutboxMessage:
    moment = now()
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    message = OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        recipient=recipient,
        subject=subject,
        body_text=render_template(f"mail/{kind}.txt", **context),
        body_html=render_template(f"mail/{kind}.html", subject=subject, **context),
        kind=kind,
        signal_id=signal_id,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=moment,
        created_at=moment,
    )
    db.session.add(message)
    return message
