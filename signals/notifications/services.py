"""The outbox: writing e-mail into it, reading it, and an administrator's retry of dead letters.

Links in e-mail are made by :func:`link_to`: a route's path after :func:`base_url`. Each
person reads the mail addressed to them (the development mailbox); administrators read all
of it.

``queue_signal_mail`` and ``queue_mail`` write inside the caller's transaction and never
commit themselves: the e-mail is committed with the change that caused it, or not at all.
Retrying a dead letter (an e-mail the sender gave up on after ``MAX_ATTEMPTS``) is an
administrator's action of its own and is its own unit of work. A retried message keeps its
``Message-ID`` and becomes pending again, so the sender delivers it once more like any other.
"""

import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any, Protocol, cast

from flask import current_app
from jinja2 import Environment, select_autoescape
from marshmallow import fields, validate
from sqlalchemy import ColumnElement, CursorResult, func, or_, select, update
from werkzeug.routing import MapAdapter

from signals.anonymous.models import AnonymousContact
from signals.audit.services import Subject, log_access
from signals.auth.models import User
from signals.bulk import add_row
from signals.clock import now
from signals.database import MAX_ID
from signals.errors import Forbidden, NotFound, StateConflict
from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.ownership.services import owner_label
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.validation import (
    FIELD_MESSAGES,
    FormSchema,
    WholeNumber,
    choice_field,
    load,
    one_line,
    query_args,
    reusable,
)
from signals.workflow.access import fully_visible_clause
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
OUTBOX_PAGE_SIZE = 25
RECIPIENT_LENGTH = 254  # OutboxMessage.recipient
CURSOR_MESSAGE = "Ongeldige paginaverwijzing."
NOT_DEAD = (
    "Dit bericht is niet mislukt (status: {status}); alleen mislukte berichten kunnen opnieuw "
    "worden verstuurd."
)

ANONYMOUS_NOTICE = "anonymous_news"
SUBJECTS: Mapping[str, str] = {
    ANONYMOUS_NOTICE: "Nieuws over uw anonieme signaal",
    "receipt": "[{reference}] Uw signaal is ontvangen",
    "new_signal": "[{reference}] Signaal in uw inbox: {title}",
    "feedback": "[{reference}] Terugkoppeling op uw signaal",
    "resolved": "[{reference}] Uw signaal is afgehandeld",
    "forwarded": "[{reference}] Uw signaal ligt nu bij een volgende stap",
    "accepted": "[{reference}] Uw signaal is in behandeling genomen",
    "info_requested": "[{reference}] Een vraag over uw signaal",
    "reporter_replied": "[{reference}] De melder heeft geantwoord",
    "reopened": "[{reference}] Signaal heropend",
    "info_added": "[{reference}] De melder heeft informatie toegevoegd",
    "withdrawn": "[{reference}] De melder heeft het signaal ingetrokken",
    "kwestie_linked": "[{reference}] Uw signaal is gekoppeld aan een kwestie",
    "kwestie_new": "[{reference}] Nieuwe kwestie bij u: {title}",
    "kwestie_message": "[{reference}] Bericht over de kwestie: {title}",
    "kwestie_decided": "[{reference}] Besluit over de kwestie: {title}",
    "pattern_alert": "Zien we dit vaker? Signalen over {regulation} bij {source}",
    "deadline_reminder": "[{reference}] Herinnering: een termijn loopt bijna af",
    "deadline_breached": "[{reference}] Termijn verstreken: {title}",
    "deadline_breached_lead": "Termijn verstreken bij een signaal in uw lijn",
    "status_update": "[{reference}] Stand van zaken van uw signaal",
    "survey": "[{reference}] Hoe tevreden bent u over de afhandeling?",
    "followup": "[{reference}] Houdt de oplossing stand?",
    "followup_reminder": "[{reference}] Herinnering: houdt de oplossing stand?",
    "digest": "Overzicht: {signals} over de termijn",
    "periodic_report": "Rapportage signalen knellende mechanismen, {period}",
    "meeting_agendered": "[{reference}] Uw signaal wordt besproken in een overleg",
    "meeting_discussed": "[{reference}] Uw signaal is besproken: de conclusie",
    "meeting_proposal": "Voorstel voor de agenda van {title}",
    "meeting_proposal_decided": "[{reference}] Besluit over uw voorstel voor de agenda",
    "action_item_new": "Nieuw actiepunt uit {title}",
    "action_item_reminder": "Herinnering: actiepunt uit {title}",
    "action_item_overdue": "Actiepunt over de datum: {title}",
    "action_item_feedback": "Terugkoppelmoment: actiepunt uit {title}",
    "action_item_done": "[{reference}] Een actiepunt over uw signaal is afgerond",
    "meeting_preparation": "Voorbereiding leerdialoog: {title}",
    "meeting_invitation": "Uitnodiging: {title} op {day}",
    "account_invitation": "Uitnodiging voor Signalen knellende mechanismen",
    "password_reset": "Nieuw wachtwoord instellen voor Signalen knellende mechanismen",
    "trust_pulse": "Peiling {month}: vertrouwt u erop dat er iets met signalen gebeurt?",
}


# Where e-mail links point without SIGNALS_BASE_URL outside debug (and in debug with nothing
# better known).
DEFAULT_BASE_URL = "http://localhost:5000"
SERVED_AT = "signals.served_at"
# The address the current request came in at: set by the web layer for each request
# (signals.app), read here only in debug without SIGNALS_BASE_URL.
_request_address: ContextVar[str | None] = ContextVar("signals_request_address", default=None)


def base_url() -> str:
    """The start of every link in an e-mail: ``SIGNALS_BASE_URL`` as configured.

    In debug without it, the address the service is used at: the current request's (what
    the developer's browser shows), else the one this process serves on (:func:`serve_at`,
    for the demo's scheduler), else ``DEFAULT_BASE_URL``. Outside debug, an unset
    ``SIGNALS_BASE_URL`` is ``DEFAULT_BASE_URL``: production never takes a link from a
    request's Host header.
    """
    configured = settings().base_url
    if configured:
        return str(configured).rstrip("/")
    if current_app.debug:
        address = _request_address.get() or current_app.extensions.get(SERVED_AT)
        if address:
            return str(address).rstrip("/")
    return DEFAULT_BASE_URL


def serve_at(address: str) -> None:
    """Record the address this process serves the web pages on (the demo's ``run``)."""
    current_app.extensions[SERVED_AT] = address


def use_request_address(address: str | None) -> None:
    """The web layer's word on where the current request came in (None when it ends)."""
    _request_address.set(address)


def link_to(endpoint: str, **values: Any) -> str:
    """The absolute link to the page of ``endpoint``, for use in e-mails (and the API's ``url``).

    The path is the route's, built as ``url_for`` builds it: ``values`` fill the route's
    parts, the others become its query string. Everything before the path is
    :func:`base_url`, word for word (with any path the service is mounted under), in a request
    or outside one: never the address the current request came in at unless ``base_url``
    says so.
    """
    return f"{base_url()}{_route_paths().build(endpoint, values)}"


def _route_paths() -> MapAdapter:
    """The app's routes, bound only to build paths: no server, mounted at ``/``."""
    return current_app.url_map.bind("")


def signal_url(reference: str) -> str:
    """The absolute link to a signal's page, for use in e-mails."""
    return link_to("web.show_signal", reference=reference)


def kwestie_url(kwestie_id: int) -> str:
    """The absolute link to a kwestie's page, for use in e-mails."""
    return link_to("kwesties.show_kwestie", kwestie_id=kwestie_id)


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

    For the members of a group, who are addressed together ("Beste leden van …", see
    :func:`queue_owner_mail`): the scheduler writes tens of thousands of these, and rendering
    is most of an e-mail's cost.
    """
    context = {"signal": signal, "url": signal_url(signal.reference), **context}
    subject = SUBJECTS[subject_key or kind].format(reference=signal.reference, title=signal.title)
    _queue(kind, recipients, subject, signal.id, context)


def queue_reporter_mail(kind: str, signal: Signal, **context: Any) -> None:
    """The ``kind`` e-mail about ``signal`` to whoever reported it, if they can be reached.

    A reporter we know gets the e-mail itself. An anonymous reporter who left an address gets
    a notice without content (:func:`queue_anonymous_notice`); no one is told when retention
    has removed the reporter.
    """
    if signal.reporter is not None:
        queue_signal_mail(kind, signal.reporter.email, signal, **context)
    elif signal.anonymous and kind in ANONYMOUS_NEWS:
        queue_anonymous_notice(signal, kind)


# The reporter's e-mails that are news for an anonymous reporter too (not the survey, which
# asks for a verdict they cannot give without logging in).
ANONYMOUS_NEWS = frozenset(
    {
        "receipt",
        "kwestie_message",
        "kwestie_decided",
        "accepted",
        "forwarded",
        "info_requested",
        "feedback",
        "resolved",
        "status_update",
        "kwestie_linked",
        "meeting_agendered",
        "meeting_discussed",
        "action_item_done",
    }
)


def queue_anonymous_notice(signal: Signal, kind: str) -> None:
    """Tell an anonymous reporter there is news, at the address they left (if they did).

    The notice says nothing about the signal, not even its reference, and the outbox row is
    not linked to it: what the mail server and the outbox keep cannot tie the address to the
    signal. The last notice about a closed signal deletes the address.
    """
    contact = db.session.get(AnonymousContact, signal.id)
    if contact is None:
        return
    context = {"first": kind == "receipt", "url": link_to("anonymous.follow")}
    _queue(ANONYMOUS_NOTICE, [contact.email], SUBJECTS[ANONYMOUS_NOTICE], None, context)
    if not signal.is_open:
        db.session.delete(contact)


class Addressee(Protocol):
    """Whom an e-mail is for, as the templates greet them: a user, or a scheduler's copy of one."""

    @property
    def email(self) -> str: ...

    @property
    def name(self) -> str: ...


def queue_owner_mail(
    kind: str,
    signal: Signal,
    owners: Sequence[Addressee],
    *,
    role: str = "owner",
    **context: Any,
) -> None:
    """The ``kind`` e-mail about ``signal`` to its ``owners``, addressed as who owns it.

    A person who owns the signal is greeted by name (the template gets them as ``role``). The
    members of an owning group get one e-mail written once for all of them and greeted as that
    group: the template gets the group's label as ``group`` ("Beste leden van Centrale intake
    signalen"), so each member knows the whole group received it.
    """
    if signal.owner.user is not None:
        for owner in owners:
            addressed: dict[str, Any] = {role: owner, **context}
            queue_signal_mail(kind, owner.email, signal, **addressed)
        return
    group = owner_label(signal.owner)
    emails = [owner.email for owner in owners]
    queue_signal_mail_to_each(kind, emails, signal, group=group, **context)


def queue_mail(
    kind: str,
    recipient: str,
    subject_values: Mapping[str, Any],
    *,
    calendar: str | None = None,
    attachment: tuple[str, bytes] | None = None,
    **context: Any,
) -> None:
    """Render the ``kind`` e-mail that is not about one signal (a kwestie, a pattern alert).

    ``subject_values`` fill the placeholders of the subject; ``context`` (which should hold
    the ``url`` the e-mail links to) goes to the templates; ``calendar`` is an iCalendar
    invitation attached to it, ``attachment`` a document (file name, PDF content).
    """
    subject = SUBJECTS[kind].format(**subject_values)
    _queue(kind, [recipient], subject, None, context, calendar=calendar, attachment=attachment)


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
    *,
    calendar: str | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> None:
    """One outbox row per recipient, all with the same (once rendered) body.

    The subject becomes a header: made one line here, whatever the text it was filled with.
    """
    subject = one_line(subject)[:SUBJECT_LENGTH]
    moment = now()
    sender = parseaddr(settings().mail_from)[1]  # also "Naam <adres@domein>"
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
            "calendar": calendar,
            "attachment_name": attachment[0] if attachment else None,
            "attachment": attachment[1] if attachment else None,
            "kind": kind,
            "signal_id": signal_id,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": moment,
            "created_at": moment,
        }
        add_row(OutboxMessage, values)


# Reading the outbox, and dead letters ---------------------------------------------------------


def status_label(status: str) -> str:
    """The Dutch label of an outbox status, for the administrator's page."""
    return STATUS_LABELS.get(status, status)


def count_dead_messages(reader: User) -> int:
    """How many dead messages ``reader`` may read, also beyond what a page shows."""
    query = select(func.count()).where(
        OutboxMessage.status == OutboxStatus.DEAD, *_readable_by(reader)
    )
    return db.session.scalar(query) or 0


class OutboxFilters(FormSchema):
    """The outbox page's query string: a state, part of the recipient's address, a page."""

    status = choice_field(STATUS_LABELS, required=False)
    recipient = fields.String(
        validate=validate.Length(
            max=RECIPIENT_LENGTH, error=f"Maximaal {RECIPIENT_LENGTH} tekens."
        ),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht tekst."},
    )
    cursor = WholeNumber(
        validate=validate.Range(min=1, max=MAX_ID, error=CURSOR_MESSAGE),
        error_messages={**FIELD_MESSAGES, "invalid": CURSOR_MESSAGE, "too_large": CURSOR_MESSAGE},
    )


@dataclass(frozen=True)
class OutboxPage:
    """One page of the outbox as one reader may read it, the newest message first."""

    messages: list[OutboxMessage]
    filters: dict[str, Any]  # the validated filters, without the cursor
    next_cursor: int | None  # the next page holds the messages below this id; None: no more
    continued: bool  # a later page (a cursor was given)

    def query_args(self, **changes: str | int | None) -> dict[str, str]:
        """The page's filters as query string values, with ``changes`` (None drops one)."""
        return query_args(self.filters, **changes)


def outbox_page(
    reader: User, filters: Mapping[str, Any], limit: int = OUTBOX_PAGE_SIZE
) -> OutboxPage:
    """A page of the messages ``reader`` may read, filtered, newest first.

    ``filters`` are a query string's values (:class:`OutboxFilters`): ``status``, ``recipient``
    (part of the address, any case) and ``cursor`` (the id the previous page ended after).
    Pages are cut by id, so a page deep in a large outbox costs what the first one costs and
    a message written meanwhile never moves another onto the wrong page. Raises
    :class:`signals.errors.InputInvalid` with Dutch per-field messages.
    """
    values = load(reusable(OutboxFilters), filters)
    cursor = values.pop("cursor", None)
    query = select(OutboxMessage).where(*_readable_by(reader))
    if "status" in values:
        query = query.where(OutboxMessage.status == values["status"])
    if "recipient" in values:
        part = values["recipient"].lower()
        query = query.where(
            func.lower(OutboxMessage.recipient).contains(part, autoescape=True),
            OutboxMessage.kind != ANONYMOUS_NOTICE,  # an anonymous reporter's address: never
        )
    if cursor is not None:
        query = query.where(OutboxMessage.id < cursor)
    found = list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit + 1)))
    messages = found[:limit]
    return OutboxPage(
        messages=messages,
        filters=values,
        next_cursor=messages[-1].id if len(found) > limit else None,
        continued=cursor is not None,
    )


def readable_message(reader: User, message_id: int) -> OutboxMessage:
    """The message ``message_id`` if ``reader`` may read it; else NotFound."""
    query = select(OutboxMessage).where(OutboxMessage.id == message_id, *_readable_by(reader))
    message = db.session.scalar(query)
    if message is None:
        raise NotFound(MESSAGE_NOT_FOUND)
    return message


def _readable_by(reader: User) -> list[ColumnElement[bool]]:
    """Administrators read the outbox; anyone else only the mail to them.

    Not even an administrator reads the mail about a signal whose content they may not see
    (one at an independent node, the ombudsman), unless it was addressed to them.
    """
    to_reader = func.lower(OutboxMessage.recipient) == reader.email.lower()
    if reader.is_admin:
        readable = select(Signal.id).where(fully_visible_clause(reader))
        return [
            or_(OutboxMessage.signal_id.is_(None), OutboxMessage.signal_id.in_(readable), to_reader)
        ]
    return [to_reader]


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
            raise StateConflict(_not_dead(message))
        if not _revive(OutboxMessage.id == message_id):  # changed since it was read above
            db.session.refresh(message)
            raise StateConflict(_not_dead(message))
        log_access(actor, "outbox_retried", Subject("outbox", str(message.id)))
    return message


def retry_all_dead(actor: User) -> int:
    """Make every dead message pending again, due now; return how many there were."""
    _require_admin(actor)
    with unit_of_work():
        count = _revive(None)
        if count:
            log_access(actor, "outbox_retried", Subject("outbox", "alle"), detail=f"{count}")
        return count


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
