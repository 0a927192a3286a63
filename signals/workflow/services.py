"""One function per user action on a signal, shared by the web UI and the API.

Every action validates its input, checks that the caller may do it, records its events and
writes its e-mails to the outbox, all in one transaction.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select

from signals.auth.models import GroupMembership, Role, User
from signals.clock import now
from signals.errors import ActionNotAllowed, Forbidden, NotFound
from signals.extensions import db
from signals.notifications.services import queue_signal_mail
from signals.routing.services import decide_entry
from signals.transaction import unit_of_work
from signals.validation import load
from signals.workflow.models import OPEN_STATUSES, Signal, SignalEvent, SignalStatus
from signals.workflow.references import next_reference
from signals.workflow.schemas import FeedbackSchema, ResolveSchema, SignalInputSchema


def submit_signal(reporter: User, data: Mapping[str, Any]) -> Signal:
    """Validate and store a new signal, route it to its first owner and mail the receipt."""
    fields = load(SignalInputSchema(), data)
    with unit_of_work():
        moment = now()
        entry = decide_entry(reporter)
        signal = Signal(
            reference=next_reference(moment.year),
            title=fields["title"],
            situation=fields["situation"],
            resident_experience=fields.get("resident_experience", ""),
            level=fields["level"],
            source_organisation=fields.get("source_organisation"),
            scope=fields["scope"],
            urgency=fields["urgency"],
            impact=fields.get("impact", []),
            maatwerk=fields["maatwerk"],
            maatwerk_grounds=fields.get("maatwerk_grounds", []),
            reporter=reporter,
            organisation_id=reporter.organisation_id,
            status=SignalStatus.NEW,
            node=entry.node,
            owner_user=entry.owner_user,
            owner_group=entry.owner_group,
            created_at=moment,
            updated_at=moment,
        )
        signal.regulations = fields["regulations"]
        db.session.add(signal)
        db.session.flush()
        _record(signal, "submitted", reporter, node=entry.node)
        queue_signal_mail("receipt", reporter.email, signal)
        for owner in owners_of(signal):
            queue_signal_mail("new_signal", owner.email, signal, owner=owner)
    return signal


def give_feedback(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Send a message from the signal's owner to its reporter."""
    signal = signal_for_owner(actor, reference)
    fields = load(FeedbackSchema(), data)
    with unit_of_work():
        signal.updated_at = now()
        _record(signal, "feedback_sent", actor, message=fields["message"])
        queue_signal_mail(
            "feedback", signal.reporter.email, signal, message=fields["message"], actor=actor
        )
    return signal


def resolve_signal(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Close a signal with an outcome, a written rationale and a message to the reporter."""
    signal = signal_for_owner(actor, reference)
    fields = load(ResolveSchema(), data)
    with unit_of_work():
        moment = now()
        signal.status = SignalStatus.RESOLVED
        signal.outcome = fields["outcome"]
        signal.rationale = fields["rationale"]
        signal.resolved_at = moment
        signal.updated_at = moment
        _record(
            signal,
            "resolved",
            actor,
            outcome=fields["outcome"],
            rationale=fields["rationale"],
            message=fields["message"],
        )
        queue_signal_mail(
            "resolved", signal.reporter.email, signal, message=fields["message"], actor=actor
        )
    return signal


def owners_of(signal: Signal) -> list[User]:
    """The people who own ``signal`` now: its owner, or the active members of its group."""
    if signal.owner_user is not None:
        return [signal.owner_user]
    query = (
        select(User)
        .join(GroupMembership)
        .where(GroupMembership.group == signal.owner_group, User.active.is_(True))
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


def is_owner(user: User, signal: Signal) -> bool:
    if signal.owner_user_id is not None:
        return signal.owner_user_id == user.id
    return signal.owner_group in user.groups


def may_view(user: User, signal: Signal) -> bool:
    return user.role == Role.ADMIN or signal.reporter_id == user.id or is_owner(user, signal)


def get_visible_signal(user: User, reference: str, *, for_update: bool = False) -> Signal:
    """The signal ``reference`` if ``user`` may see it; otherwise :class:`NotFound`.

    ``for_update`` locks the row until the transaction ends (PostgreSQL), so two owners acting
    at once are serialised and the second sees the first one's result.
    """
    query = select(Signal).where(Signal.reference == reference)
    if for_update:
        query = query.with_for_update(of=Signal).execution_options(populate_existing=True)
    signal = db.session.scalar(query)
    if signal is None or not may_view(user, signal):
        raise NotFound("Dit signaal bestaat niet of u heeft er geen toegang toe.")
    return signal


def signal_for_owner(user: User, reference: str) -> Signal:
    """The open signal ``reference`` when ``user`` owns it; the reason why not otherwise."""
    signal = get_visible_signal(user, reference, for_update=True)
    if not is_owner(user, signal):
        raise Forbidden("Alleen de eigenaar van dit signaal kan dit doen.")
    if not signal.is_open:
        raise ActionNotAllowed("Dit signaal is al afgehandeld.")
    return signal


def signals_reported_by(user: User) -> list[Signal]:
    """The user's own signals, newest first."""
    query = (
        select(Signal)
        .where(Signal.reporter_id == user.id)
        .order_by(Signal.created_at.desc(), Signal.id.desc())
    )
    return list(db.session.scalars(query))


def inbox_for(user: User) -> list[Signal]:
    """Open signals owned by ``user`` or one of the user's groups, oldest first."""
    ownership = [Signal.owner_user_id == user.id]
    if user.groups:
        ownership.append(Signal.owner_group.in_(user.groups))
    query = (
        select(Signal)
        .where(or_(*ownership), Signal.status.in_(OPEN_STATUSES))
        .order_by(Signal.created_at, Signal.id)
    )
    return list(db.session.scalars(query))


def _record(signal: Signal, event_type: str, actor: User | None, **data: Any) -> SignalEvent:
    event = SignalEvent(signal=signal, type=event_type, actor=actor, at=now(), data=data)
    db.session.add(event)
    return event
