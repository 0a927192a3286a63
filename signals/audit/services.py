"""Writing, reading and forgetting the access log.

:func:`log_access` is the one way in: any service calls it for a view of a signal's content,
an export or an administrative action. Inside the service's unit of work the entry is part
of that transaction (an administrative action and its entry are committed together, or
neither); called on its own (a view, on a GET) it commits in a small transaction of its own.

Administrators and privacy officers read the log (:func:`access_log_page`); the sweep
forgets entries older than ``SIGNALS_ACCESS_LOG_RETENTION_MONTHS``
(:func:`forget_old_access_log`). The anonymous channel is never logged: it has no person.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from marshmallow import fields, validate
from sqlalchemy import delete, func, or_, select

from signals.audit.models import AccessLogEntry
from signals.auth.models import User
from signals.clock import now
from signals.database import MAX_ID
from signals.errors import Forbidden
from signals.extensions import db
from signals.transaction import unit_of_work
from signals.validation import FIELD_MESSAGES, FormSchema, WholeNumber, load, query_args, reusable

PAGE_SIZE = 50
REFERENCE_LENGTH = 254
CURSOR_MESSAGE = "Ongeldige paginaverwijzing."
READERS_ONLY = "Alleen beheerders en de functionaris gegevensbescherming lezen het toegangslog."

# Every action code with its Dutch label (the page shows the label, the API the code).
ACTIONS: Mapping[str, str] = {
    "signal_viewed": "Signaal ingezien",
    "signals_exported": "Signalen geëxporteerd (CSV)",
    "meeting_record_exported": "Verslag van een overleg geëxporteerd (PDF)",
    "privacy_exported": "Gegevens van een persoon geëxporteerd",
    "outbox_retried": "Mislukte e-mail opnieuw verstuurd",
    "user_created": "Gebruiker aangemaakt",
    "user_deactivated": "Gebruiker gedeactiveerd",
    "password_set": "Nieuw wachtwoord gegeven",
    "user_invited": "Uitgenodigd om een wachtwoord in te stellen",
    "token_issued": "API-sleutel gemaakt (opdrachtregel)",
    "group_member_added": "Toegevoegd aan een groep",
    "group_member_removed": "Uit een groep gehaald",
    "partner_contact_set": "Contactpersoon van een partner vastgelegd",
    "legal_hold": "Bewaarplicht ingesteld",
    "release_hold": "Bewaarplicht opgeheven",
}
SUBJECT_KINDS: Mapping[str, str] = {
    "signal": "Signaal",
    "export": "Export",
    "meeting": "Overleg",
    "user": "Persoon",
    "group": "Groep",
    "outbox": "Uitgaande e-mail",
    "organisation": "Organisatie",
}


class HasReference(Protocol):
    """Anything with a reference (a signal)."""

    @property
    def reference(self) -> str: ...


@dataclass(frozen=True)
class Subject:
    """What an entry is about: a kind, a reference, and the person it concerns (if any)."""

    kind: str
    reference: str
    person_id: int | None = None

    @classmethod
    def signal(cls, signal: HasReference) -> "Subject":
        return cls("signal", signal.reference)

    @classmethod
    def person(cls, user: User) -> "Subject":
        return cls("user", user.email, user.id)


def log_access(
    actor: User | None, action: str, subject: Subject, detail: str | None = None
) -> AccessLogEntry:
    """Record that ``actor`` (None: the command line) did ``action`` to ``subject``, now.

    Inside a unit of work the entry commits with it; alone, in a unit of its own.
    """
    if action not in ACTIONS or subject.kind not in SUBJECT_KINDS:
        raise ValueError(f"unknown access log action or subject: {action}, {subject.kind}")
    with unit_of_work():
        entry = AccessLogEntry(
            at=now(),
            actor_id=actor.id if actor is not None else None,
            action=action,
            subject_kind=subject.kind,
            subject_reference=subject.reference.replace("\x00", "")[:REFERENCE_LENGTH],
            person_id=subject.person_id,
            detail=detail.replace("\x00", "") if detail is not None else None,
        )
        db.session.add(entry)
    return entry


def may_read_access_log(user: User) -> bool:
    """Administrators and privacy officers."""
    return user.reads_access_log


class AccessLogFilters(FormSchema):
    """The access log's query string: a person (e-mail address), a signal reference, a page."""

    person = fields.String(
        validate=validate.Length(max=REFERENCE_LENGTH, error="Maximaal 254 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht tekst."},
    )
    signal = fields.String(
        validate=validate.Length(max=40, error="Maximaal 40 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht tekst."},
    )
    cursor = WholeNumber(
        validate=validate.Range(min=1, max=MAX_ID, error=CURSOR_MESSAGE),
        error_messages={**FIELD_MESSAGES, "invalid": CURSOR_MESSAGE, "too_large": CURSOR_MESSAGE},
    )


@dataclass(frozen=True)
class LoggedAccess:
    """One entry as the log's readers see it: with the actor's name and e-mail address."""

    entry: AccessLogEntry
    actor: User | None

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.entry.action, self.entry.action)

    @property
    def subject_label(self) -> str:
        return SUBJECT_KINDS.get(self.entry.subject_kind, self.entry.subject_kind)


@dataclass(frozen=True)
class AccessLogPage:
    """One page of the access log, newest first."""

    entries: list[LoggedAccess]
    filters: dict[str, Any]
    next_cursor: int | None
    continued: bool

    def query_args(self, **changes: str | int | None) -> dict[str, str]:
        return query_args(self.filters, **changes)


def access_log_page(
    reader: User, filters: Mapping[str, Any], limit: int = PAGE_SIZE
) -> AccessLogPage:
    """A page of the log for ``reader`` (administrator or privacy officer), newest first.

    ``person``: the e-mail address of who acted or whom an entry is about (exact, any case);
    ``signal``: a signal's reference. Pages are cut by id. Forbidden for anyone else;
    :class:`signals.errors.InputInvalid` for bad filters.
    """
    if not may_read_access_log(reader):
        raise Forbidden(READERS_ONLY)
    values = load(reusable(AccessLogFilters), filters)
    cursor = values.pop("cursor", None)
    query = select(AccessLogEntry, User).outerjoin(User, User.id == AccessLogEntry.actor_id)
    if "person" in values:
        person = values["person"].strip().lower()
        ids = select(User.id).where(func.lower(User.email) == person).scalar_subquery()
        query = query.where(
            or_(
                AccessLogEntry.actor_id == ids,
                AccessLogEntry.person_id == ids,
                func.lower(AccessLogEntry.subject_reference) == person,
            )
        )
    if "signal" in values:
        query = query.where(
            AccessLogEntry.subject_kind == "signal",
            AccessLogEntry.subject_reference == values["signal"].strip().upper(),
        )
    if cursor is not None:
        query = query.where(AccessLogEntry.id < cursor)
    rows = db.session.execute(query.order_by(AccessLogEntry.id.desc()).limit(limit + 1)).all()
    entries = [LoggedAccess(entry, actor) for entry, actor in rows[:limit]]
    return AccessLogPage(
        entries=entries,
        filters=values,
        next_cursor=entries[-1].entry.id if len(rows) > limit else None,
        continued=cursor is not None,
    )


def entries_about(person: User) -> list[AccessLogEntry]:
    """Every entry in which ``person`` acted or which is about them, oldest first."""
    query = select(AccessLogEntry).where(
        or_(AccessLogEntry.actor_id == person.id, AccessLogEntry.person_id == person.id)
    )
    return list(db.session.scalars(query.order_by(AccessLogEntry.id)))


def forget_old_access_log(before: datetime) -> int:
    """Delete the entries made before ``before``; how many (the sweep, every round)."""
    with unit_of_work():
        result = db.session.execute(delete(AccessLogEntry).where(AccessLogEntry.at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def retention_cutoff(moment: datetime, months: int) -> datetime:
    """``months`` calendar months before ``moment`` (the last day of a shorter month)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
