"""The six-month question "houdt de oplossing stand?": who is asked, and their answer.

Months after a resolution (``SIGNALS_FOLLOWUP_MONTHS``) the sweep asks whoever resolved the
signal; the e-mail links to a page where they answer *ja*, *deels* or *nee* with an
explanation. The answer is a ``followup_answered`` event (the figures count it); without an
answer within four weeks the sweep reminds them once (:mod:`signals.workflow.clocks`).
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from signals.auth.models import User
from signals.clock import now
from signals.errors import Forbidden, StateConflict
from signals.extensions import db
from signals.ownership.services import owner_people
from signals.transaction import unit_of_work
from signals.validation import InputSchema, choice_field, load, text_field
from signals.workflow import lifecycle
from signals.workflow.access import Visibility, get_visible_signal, visibility
from signals.workflow.models import Signal, SignalEvent, SignalStatus
from signals.workflow.schemas import MESSAGE_MAX

HELD = {"yes": "Ja, de oplossing houdt stand", "partly": "Deels", "no": "Nee"}
NOT_ASKED = "Deze vraag is (nog) niet gesteld; ze komt een half jaar na de afhandeling."
ANSWERED = "Deze vraag is al beantwoord."
NOT_YOURS = "Alleen wie het signaal afhandelde (of de eigenaar) beantwoordt deze vraag."


class FollowupState(StrEnum):
    """Where the question stands: not asked (yet), asked, answered."""

    NOT_ASKED = "not_asked"
    ASKED = "asked"
    ANSWERED = "answered"


class FollowupSchema(InputSchema):
    """The answer: does the solution hold, and why (or why not)."""

    held = choice_field(HELD)
    note = text_field(max_length=MESSAGE_MAX)


def resolvers_of(signal: Signal) -> list[User]:
    """Who resolved the signal last (if still active and able to open it), else its owners.

    A kwestie's decision resolves its linked signals in its owner's name, and that owner may
    not see all of them: the question about such a signal goes to the signal's own owners.
    """
    resolver = db.session.scalar(
        select(User)
        .join(SignalEvent, SignalEvent.actor_id == User.id)
        .where(SignalEvent.signal_id == signal.id, SignalEvent.type == "resolved")
        .order_by(SignalEvent.id.desc())
        .limit(1)
    )
    if resolver is not None and resolver.active and visibility(resolver, signal) == Visibility.FULL:
        return [resolver]
    return owner_people(signal.owner)


def followup_state(signal: Signal) -> FollowupState:
    if signal.status != SignalStatus.RESOLVED or signal.followup_sent_at is None:
        return FollowupState.NOT_ASKED
    if signal.followup_answered_at is not None:
        return FollowupState.ANSWERED
    return FollowupState.ASKED


def followup_signal(actor: User, reference: str, *, for_update: bool = False) -> Signal:
    """The signal whose six-month question ``actor`` may answer (resolver, owner or admin)."""
    signal = get_visible_signal(actor, reference, for_update=for_update)
    by_admin = actor.is_admin and visibility(actor, signal) == Visibility.FULL
    allowed = by_admin or any(person.id == actor.id for person in resolvers_of(signal))
    if not allowed:
        raise Forbidden(NOT_YOURS)
    return signal


def answer_followup(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Record whether the solution held; once, after the question was asked."""
    signal = followup_signal(actor, reference, for_update=True)
    if signal.is_anonymised:
        raise StateConflict(lifecycle.ANONYMISED)
    state = followup_state(signal)
    if state != FollowupState.ASKED:
        raise StateConflict(ANSWERED if state == FollowupState.ANSWERED else NOT_ASKED)
    fields = load(FollowupSchema(), data)
    with unit_of_work():
        signal.followup_answered_at = now()
        lifecycle.record(
            signal, "followup_answered", actor, held=fields["held"], note=fields["note"]
        )
    return signal


def followup_answer(signal: Signal) -> dict[str, Any] | None:
    """The answer given, as its event holds it."""
    data = db.session.scalar(
        select(SignalEvent.data)
        .where(SignalEvent.signal_id == signal.id, SignalEvent.type == "followup_answered")
        .order_by(SignalEvent.id.desc())
        .limit(1)
    )
    return dict(data) if data is not None else None
