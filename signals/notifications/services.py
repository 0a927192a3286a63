"""The outbox: writing e-mail into it, and an administrator's view and retry of dead letters.

``queue_signal_mail`` and ``queue_mail`` write inside the caller's transaction and never
commit themselves: the e-mail is committed with the change that caused it, or not at all.
Retrying a dead letter (an e-mail the sender gave up on after ``MAX_ATTEMPTS``) is an
administrator's action of its own and is its own unit of work. A retried message keeps its
``Message-ID`` and becomes pending again, so the sender delivers it once more like any other.
"""

import uuid
from collections.abc import Mapping, Sequence
from email.utils import parseaddr
from typing import Any, cast

from flask import current_app
from jinja2 import Environment, select_autoescape
from sqlalchemy import ColumnElement, CursorResult, func, select, update

from signals.auth.models import User
from signals.bulk import gather
from signals.clock import now
from signals.errors import ActionNotAllowed, Forbidden, NotFound
from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.transaction import unit_of_work
from signals.validation import one_line
from signals.workflow.models import Signal

STATUS_LABELS: Mapping[str, str] = {
    OutboxStatus.PENDING: "Wacht op verzending",
    OutboxStatus.SENT: "Verzonden",
    OutboxStatus.DEAD: "Mislukt – opgegeven",
}
MAIL_TEMPLATES = "signals.mail_templates"
SUBJECT_LENGTH = 300  # OutboxMessage.subject
ADMIN_ONLY = "Alleen beheerders kunnen mislukte e-mail opnieuw laten versturen."
MESSAGE_NOT_FOUND = "Dit bericht bestaat niet (meer)."
NOT_DEAD = (
    "Dit bericht is niet mislukt (status: {status}); alleen mislukte berichten kunnen opnieuw "
    "worden verstuurd."
)

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
    "pattern_alert": "Zien we dit vaker? Signalen over {regulation} bij {source}",
    "deadline_reminder": "[{reference}] Herinnering: een termijn loopt bijna af",
    "deadline_breached": "[{reference}] Termijn verstreken: {title}",
    "deadline_breached_lead": "Termijn verstreken bij een signaal in uw lijn",
    "status_update": "[{reference}] Stand van zaken van uw signaal",
    "survey": "[{reference}] Hoe tevreden bent u over de afhandeling?",
    "followup": "[{reference}] Houdt de oplossing stand?",
    "digest": "Overzicht: {count} signalen over de termijn",
}


def home_url() -> str:
    """The absolute link to the service's start page, for use in e-mails."""
    base: str = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/"


def signal_url(reference: str) -> str:
    """The absolute link to a signal's page, for use in e-mails."""
    base: str = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/signalen/{reference}"


def inbox_url(**filters: Any) -> str:
    """The absolute link to the inbox with ``filters`` in its query string."""
    base: str = current_app.config["BASE_URL"].rstrip("/")
    query = "&".join(
        f"{name}={'true' if value is True else 'false' if value is False else value}"
        for name, value in filters.items()
    )
    return f"{base}/inbox{'?' + query if query else ''}"


def kwestie_url(kwestie_id: int) -> str:
    """The absolute link to a kwestie's page, for use in e-mails."""
    base: str = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/kwesties/{kwestie_id}"


def queue_signal_mail(
    kind: str,
    recipient: str,
    signal: Signal,
    *,
    subject_key: str | None = None,
    **context: Any,
) -> None:
    """Render the ``kind`` e-mail about ``signal`` for ``recipient`` and add it to the outbox.

    ``subject_key`` picks another subject than the kind's own (one without the title, say).
    """
    queue_signal_mail_to_each(kind, [recipient], signal, subject_key=subject_key, **context)


def queue_signal_mail_to_each(
    kind: str,
    recipients: Sequence[str],
    signal: Signal,
    *,
    subject_key: str | None = None,
    **context: Any,
) -> None:
    """The same ``kind`` e-mail about ``signal`` to each of ``recipients``, rendered once.

    For the members of a group, who are addressed together ("Beste collega"): the scheduler
    writes tens of thousands of these, and rendering is most of an e-mail's cost.
    """
    context = {"signal": signal, "url": signal_url(signal.reference), **context}
    subject = SUBJECTS[subject_key or kind].format(reference=signal.reference, title=signal.title)
    _queue(kind, recipients, subject, signal.id, context)


def queue_mail(
    kind: str, recipient: str, subject_values: Mapping[str, Any], **context: Any
) -> None:
    """Render the ``kind`` e-mail that is not about one signal (a kwestie, a pattern alert).

    ``subject_values`` fill the placeholders of the subject; ``context`` (which should hold
    the ``url`` the e-mail links to) goes to the templates.
    """
    subject = SUBJECTS[kind].format(**subject_values)
    _queue(kind, [recipient], subject, None, context)


def _render(name: str, context: Mapping[str, Any]) -> str:
    """Render a mail template: the app's filters, none of a web page's context."""
    return _mail_templates().get_template(name).render(context)


def _mail_templates() -> Environment:
    """The app's templates and filters without a web page's globals, never reloaded.

    Mail is written in bulk by the scheduler (tens of thousands in a sweep); without Flask's
    context processors, the globals and the reload check a mail renders in about half the
    time. Made on first use, when every filter is registered.
    """
    templates = current_app.extensions.get(MAIL_TEMPLATES)
    if templates is None:
        templates = Environment(
            loader=current_app.jinja_env.loader,
            autoescape=select_autoescape(["html"]),
            auto_reload=False,
            cache_size=-1,
            undefined=current_app.jinja_env.undefined,
        )
        templates.filters.update(current_app.jinja_env.filters)
        # Not even Jinja's own (range, dict, …): every render copies the globals, and a mail
        # template needs nothing but what it is given.
        templates.globals.clear()
        current_app.extensions[MAIL_TEMPLATES] = templates
    return cast(Environment, templates)


def _queue(
    kind: str,
    recipients: Sequence[str],
    subject: str,
    signal_id: int | None,
    context: Mapping[str, Any],
) -> None:
    """One outbox row per recipient, all with the same (once rendered) body.

    The subject becomes a header: made one line here, whatever the text it was filled with.
    """
    subject = one_line(subject)[:SUBJECT_LENGTH]
    moment = now()
    sender = parseaddr(current_app.config["MAIL_FROM"])[1]  # also "Naam <adres@domein>"
    domain = sender.rpartition("@")[2] or "localhost"
    body_text = _render(f"mail/{kind}.txt", context)
    body_html = _render(f"mail/{kind}.html", {"subject": subject, **context})
    for recipient in recipients:
        values = {
            "message_id": f"<{uuid.uuid4().hex}@{domain}>",
            "recipient": recipient,
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
            "kind": kind,
            "signal_id": signal_id,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": moment,
            "created_at": moment,
        }
        if not gather(OutboxMessage, values):
            db.session.add(OutboxMessage(**values))


# Dead letters ---------------------------------------------------------------------------------


def status_label(status: str) -> str:
    """The Dutch label of an outbox status, for the administrator's page."""
    return STATUS_LABELS.get(status, status)


def dead_messages(limit: int = 200) -> list[OutboxMessage]:
    """Messages the sender gave up on, the most recently created first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.DEAD)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_dead_messages() -> int:
    """How many messages are dead, also beyond what a page shows."""
    query = select(func.count()).where(OutboxMessage.status == OutboxStatus.DEAD)
    return db.session.scalar(query) or 0


def recent_messages(limit: int = 200, include_dead: bool = True) -> list[OutboxMessage]:
    """The most recently written messages, newest first; optionally without the dead ones."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if not include_dead:
        query = query.where(OutboxMessage.status != OutboxStatus.DEAD)
    return list(db.session.scalars(query))


def retry_dead_message(actor: User, message_id: int) -> OutboxMessage:
    """Make one dead message pending again, due now, with a fresh count of attempts.

    Only administrators may do this; a message that is not dead (pending, or already sent)
    is refused and left as it is. The change is a conditional update (``WHERE status =
    'dead'``), so two administrators retrying at once, or a retry racing the sender after
    another administrator's retry, can never make a sent message pending again.
    """
    _require_admin(actor)
    with unit_of_work():
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .execution_options(populate_existing=True)
        )
        if message is None:
            raise NotFound(MESSAGE_NOT_FOUND)
        if message.status != OutboxStatus.DEAD:
            raise ActionNotAllowed(_not_dead(message))
        if not _revive(OutboxMessage.id == message_id):  # changed since it was read above
            db.session.refresh(message)
            raise ActionNotAllowed(_not_dead(message))
    return message


def retry_all_dead(actor: User) -> int:
    """Make every dead message pending again, due now; return how many there were."""
    _require_admin(actor)
    with unit_of_work():
        return _revive(None)


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden(ADMIN_ONLY)


def _not_dead(message: OutboxMessage) -> str:
    return NOT_DEAD.format(status=status_label(message.status).lower())


def _revive(criterion: ColumnElement[bool] | None) -> int:
    """Set the dead messages matching ``criterion`` (all, for ``None``) pending; count them."""
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.DEAD)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now(), last_error=None)
        .execution_options(synchronize_session="fetch")
    )
    if criterion is not None:
        statement = statement.where(criterion)
    result = cast(CursorResult[Any], db.session.execute(statement))
    return result.rowcount
