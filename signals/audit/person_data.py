"""A person's data (AVG art. 15): everything the service stores about one person, as JSON.

One function, :func:`export_person`, serves the command line (``signals privacy export``),
the page and the API of administrators and privacy officers. The export is access-logged.
What others wrote about signals the person reported is theirs to read only as far as it is
the person's own signal (its events); nothing of other people's signals is included except
the events in which the person acted.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select

from signals.audit.models import AccessLogEntry
from signals.audit.services import ACTIONS, Subject, entries_about, log_access
from signals.auth.models import ApiToken, LoginAddress, User
from signals.clock import now
from signals.errors import Forbidden, InputInvalid
from signals.extensions import db
from signals.kwesties.models import Kwestie, KwestieEvent
from signals.meetings.models import ActionItem, Meeting, MeetingRole
from signals.notifications.models import OutboxMessage
from signals.routing.services import independent_nodes
from signals.trust.models import PulseInvitation
from signals.validation import readable
from signals.workflow.access import fully_visible_clause
from signals.workflow.models import Signal, SignalEvent

READERS_ONLY = "Alleen beheerders en de functionaris gegevensbescherming maken deze export."
UNKNOWN = "Er is geen gebruiker met dit e-mailadres."


def export_person(actor: User | None, email: str) -> dict[str, Any]:
    """Everything stored about the person with ``email``, JSON-ready; logged.

    ``actor``: an administrator or privacy officer, or None for the command line (the
    operator). Forbidden for anyone else; InputInvalid (field ``email``) for no such person.
    """
    if actor is not None and not actor.reads_access_log:
        raise Forbidden(READERS_ONLY)
    address = email.strip().lower() if isinstance(email, str) and readable(email) else ""
    person = db.session.scalar(select(User).where(func.lower(User.email) == address))
    if not address or person is None:
        raise InputInvalid({"email": [UNKNOWN]})
    log_access(actor, "privacy_exported", Subject.person(person))
    data = {
        "generated_at": _value(now()),
        "user": _user(person),
        "signals_reported": [_signal(signal) for signal in _reported(person)],
        "signal_events": [_event(event) for event in _signal_events(person)],
        "kwesties_created": [_kwestie(kwestie) for kwestie in _kwesties(person)],
        "kwestie_events": [_kwestie_event(event) for event in _kwestie_events(person)],
        "meetings_chaired": [_meeting(meeting) for meeting in _chaired(person)],
        "meeting_roles": [_meeting_role(role) for role in _meeting_roles(person)],
        "action_items": [_action_item(item) for item in _action_items(person)],
        "trust_pulse_invitations": [_invitation(item) for item in _invitations(person)],
        "api_tokens": [_token(token) for token in _tokens(person)],
        "login_addresses": _login_addresses(person),
        "outbox_messages": [_message(message) for message in _messages(person)],
        "access_log": [_log_entry(entry) for entry in entries_about(person)],
    }
    if actor is not None and actor.is_admin:
        _withhold_closed_rooms(actor, data)
    return data


def _withhold_closed_rooms(actor: User, data: dict[str, Any]) -> None:
    """Leave out what concerns signals at an independent node ``actor`` may not read.

    A municipal administrator does not read the ombudsman's signals, kwesties and meetings,
    not even through a person's export: those parts are counted under ``withheld``; the
    privacy officer (or the command line) makes the complete export.
    """
    readable_ids = select(Signal.id).where(fully_visible_clause(actor))
    open_references = set(
        db.session.scalars(select(Signal.reference).where(Signal.id.in_(readable_ids)))
    )
    withheld: dict[str, int] = {}
    for key, field in (("signals_reported", "reference"), ("signal_events", "signal")):
        kept = [item for item in data[key] if item[field] in open_references]
        withheld[key] = len(data[key]) - len(kept)
        data[key] = kept
    closed = select(OutboxMessage.id).where(
        OutboxMessage.signal_id.is_not(None), OutboxMessage.signal_id.not_in(readable_ids)
    )
    closed_ids = set(db.session.scalars(closed))
    kept_messages = [item for item in data["outbox_messages"] if item["id"] not in closed_ids]
    withheld["outbox_messages"] = len(data["outbox_messages"]) - len(kept_messages)
    data["outbox_messages"] = kept_messages
    independent = independent_nodes()
    closed_kwesties = set(
        db.session.scalars(select(Kwestie.id).where(Kwestie.node.in_(independent)))
    )
    closed_meetings = set(
        db.session.scalars(select(Meeting.id).where(Meeting.node.in_(independent)))
    )
    for key, field, closed_set in (
        ("kwesties_created", "id", closed_kwesties),
        ("kwestie_events", "kwestie", closed_kwesties),
        ("meetings_chaired", "id", closed_meetings),
        ("meeting_roles", "meeting", closed_meetings),
        ("action_items", "meeting", closed_meetings),
    ):
        kept = [item for item in data[key] if item[field] not in closed_set]
        withheld[key] = len(data[key]) - len(kept)
        data[key] = kept
    data["withheld"] = withheld


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _user(person: User) -> dict[str, Any]:
    organisation = person.organisation
    return {
        "id": person.id,
        "email": person.email,
        "name": person.name,
        "role": person.role,
        "active": person.active,
        "created_at": _value(person.created_at),
        "organisation": {"name": organisation.name, "kind": organisation.kind},
        "manager": person.manager.email if person.manager is not None else None,
        "groups": person.groups,
    }


def _reported(person: User) -> list[Signal]:
    query = select(Signal).where(Signal.reporter_id == person.id).order_by(Signal.id)
    return list(db.session.scalars(query))


def _signal(signal: Signal) -> dict[str, Any]:
    return {
        "reference": signal.reference,
        "title": signal.title,
        "situation": signal.situation,
        "resident_experience": signal.resident_experience,
        "regulations": signal.regulations,
        "level": signal.level,
        "source_organisation": signal.source_organisation,
        "scope": signal.scope,
        "urgency": signal.urgency,
        "impact": list(signal.impact or []),
        "maatwerk": signal.maatwerk,
        "maatwerk_grounds": list(signal.maatwerk_grounds or []),
        "status": signal.status,
        "node": signal.node,
        "outcome": signal.outcome,
        "rationale": signal.rationale,
        "created_at": _value(signal.created_at),
        "resolved_at": _value(signal.resolved_at),
        "events": [
            {"type": event.type, "at": _value(event.at), "data": event.data}
            for event in sorted(signal.events, key=lambda event: (event.at, event.id))
        ],
    }


def _signal_events(person: User) -> list[SignalEvent]:
    query = select(SignalEvent).where(SignalEvent.actor_id == person.id)
    return list(db.session.scalars(query.order_by(SignalEvent.id)))


def _event(event: SignalEvent) -> dict[str, Any]:
    return {
        "signal": event.signal.reference,
        "type": event.type,
        "at": _value(event.at),
        "data": event.data,
    }


def _kwesties(person: User) -> list[Kwestie]:
    query = select(Kwestie).where(Kwestie.created_by_id == person.id).order_by(Kwestie.id)
    return list(db.session.scalars(query))


def _kwestie(kwestie: Kwestie) -> dict[str, Any]:
    return {
        "id": kwestie.id,
        "title": kwestie.title,
        "description": kwestie.description,
        "status": kwestie.status,
        "created_at": _value(kwestie.created_at),
    }


def _kwestie_events(person: User) -> list[KwestieEvent]:
    query = select(KwestieEvent).where(KwestieEvent.actor_id == person.id)
    return list(db.session.scalars(query.order_by(KwestieEvent.id)))


def _kwestie_event(event: KwestieEvent) -> dict[str, Any]:
    return {
        "kwestie": event.kwestie_id,
        "type": event.type,
        "at": _value(event.at),
        "data": event.data,
    }


def _chaired(person: User) -> list[Meeting]:
    query = select(Meeting).where(Meeting.chair_id == person.id).order_by(Meeting.id)
    return list(db.session.scalars(query))


def _meeting(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "kind": meeting.kind,
        "starts_at": _value(meeting.starts_at),
    }


def _meeting_roles(person: User) -> list[MeetingRole]:
    query = select(MeetingRole).where(MeetingRole.user_id == person.id)
    return list(db.session.scalars(query.order_by(MeetingRole.id)))


def _meeting_role(role: MeetingRole) -> dict[str, Any]:
    return {"meeting": role.meeting_id, "title": role.meeting.title, "role": role.role}


def _action_items(person: User) -> list[ActionItem]:
    query = select(ActionItem).where(
        or_(ActionItem.owner_user_id == person.id, ActionItem.created_by_id == person.id)
    )
    return list(db.session.scalars(query.order_by(ActionItem.id)))


def _action_item(item: ActionItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "meeting": item.meeting_id,
        "description": item.description,
        "due": _value(item.due),
        "status": item.status,
        "done_note": item.done_note,
    }


def _invitations(person: User) -> list[PulseInvitation]:
    query = select(PulseInvitation).where(PulseInvitation.user_id == person.id)
    return list(db.session.scalars(query.order_by(PulseInvitation.id)))


def _invitation(invitation: PulseInvitation) -> dict[str, Any]:
    # The answers themselves are stored without a link to the person (and so not here).
    return {"month": _value(invitation.pulse_round.month), "answered": invitation.answered}


def _tokens(person: User) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == person.id).order_by(ApiToken.id)
    return list(db.session.scalars(query))


def _token(token: ApiToken) -> dict[str, Any]:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "created_at": _value(token.created_at),
        "last_used_at": _value(token.last_used_at),
        "revoked_at": _value(token.revoked_at),
    }


def _login_addresses(person: User) -> dict[str, Any]:
    # Only keyed hashes are kept: the export says how many and when last used, not the hashes.
    query = select(LoginAddress.last_login_at).where(LoginAddress.user_id == person.id)
    moments = sorted(db.session.scalars(query))
    return {"count": len(moments), "last_login_at": _value(moments[-1]) if moments else None}


def _messages(person: User) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == person.email.lower())
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _message(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "subject": message.subject,
        "body_text": message.body_text,
        "kind": message.kind,
        "status": message.status,
        "created_at": _value(message.created_at),
        "sent_at": _value(message.sent_at),
    }


def _log_entry(entry: AccessLogEntry) -> dict[str, Any]:
    return {
        "at": _value(entry.at),
        "action": entry.action,
        "action_label": ACTIONS.get(entry.action, entry.action),
        "actor_id": entry.actor_id,
        "subject": {"kind": entry.subject_kind, "reference": entry.subject_reference},
        "detail": entry.detail,
    }
