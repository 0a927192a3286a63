"""Answering the trust pulse with the link's token.

The answer page needs no log-in: the token in the e-mailed link is the key, and only its
SHA-256 hash is stored (:class:`signals.trust.models.PulseInvitation`). An answer is taken
once, while the round is open; it is stored apart from the person (see
:class:`signals.trust.models.PulseAnswer`).
"""

import hashlib
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from signals.clock import now
from signals.errors import NotFound, StateConflict
from signals.extensions import db
from signals.transaction import unit_of_work
from signals.trust.models import PulseAnswer, PulseInvitation
from signals.trust.schemas import PulseAnswerSchema
from signals.validation import load, reusable

UNKNOWN_LINK = (
    "Deze peiling bestaat niet. Gebruik de link uit uw e-mail precies zoals hij daar staat."
)
ANSWERED = "Deze peiling is al beantwoord; een peiling kan één keer worden beantwoord."
CLOSED = "Deze peiling is gesloten; antwoorden kan niet meer. Dank u wel voor uw moeite."


def token_hash(token: str) -> str:
    """The SHA-256 hash of a link's token, as an invitation keeps it (hexadecimal)."""
    return hashlib.sha256(token.encode()).hexdigest()


class PulseState(StrEnum):
    """Where an invitation stands: open to an answer, answered, or its round closed."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


def invitation_for(token: str) -> PulseInvitation:
    """The invitation whose link holds ``token``; NotFound for any other text."""
    invitation = db.session.scalar(
        select(PulseInvitation).where(PulseInvitation.token_hash == token_hash(token))
    )
    if invitation is None:
        raise NotFound(UNKNOWN_LINK)
    return invitation


def pulse_state(invitation: PulseInvitation) -> PulseState:
    """Answered (whenever), else closed once its round's four weeks are over, else open."""
    if invitation.answered:
        return PulseState.ANSWERED
    if now() >= invitation.pulse_round.closes_at:
        return PulseState.CLOSED
    return PulseState.OPEN


def answer_pulse(token: str, data: Mapping[str, Any]) -> None:
    """Store the answer to the invitation of ``token``, once, while its round is open.

    The answer and the invitation's "answered" flag are one transaction. The flag is set by a
    conditional update (``WHERE NOT answered``), so two answers sent at the same moment store
    one, and the other is refused like a second answer.
    """
    invitation = invitation_for(token)
    state = pulse_state(invitation)
    if state != PulseState.OPEN:
        raise StateConflict(ANSWERED if state == PulseState.ANSWERED else CLOSED)
    scores = load(reusable(PulseAnswerSchema), data)
    kind = invitation.user.organisation.kind
    with unit_of_work():
        if not _claim(invitation):
            raise StateConflict(ANSWERED)
        db.session.add(
            PulseAnswer(
                round_id=invitation.round_id,
                kind=kind,
                trust=int(scores["trust"]),
                heard=int(scores["heard"]),
            )
        )


def _claim(invitation: PulseInvitation) -> bool:
    """Mark ``invitation`` answered if nobody did yet; whether this call did."""
    statement = (
        update(PulseInvitation)
        .where(PulseInvitation.id == invitation.id, PulseInvitation.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session="fetch")
    )
    result = cast(CursorResult[Any], db.session.execute(statement))
    return result.rowcount == 1
