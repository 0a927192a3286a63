"""Answering the trust pulse with the link's token, and the figures of its rounds.

The answer page needs no log-in: the token in the e-mailed link is the key, and only its
SHA-256 hash is stored (:class:`signals.trust.models.PulseInvitation`). An answer is taken
once, while the round is open; it is stored apart from the person (see
:class:`signals.trust.models.PulseAnswer`).

The figures count per round and kind of organisation in the database; like every figure of
the service none is shown over fewer than five answers (:mod:`signals.figures.cube`).
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, case, func, select, update

from signals.auth.models import OrganisationKind
from signals.clock import now
from signals.errors import NotFound, StateConflict
from signals.extensions import db
from signals.figures.cube import SMALL, suppressed
from signals.figures.measures import local_start
from signals.transaction import unit_of_work
from signals.trust.models import PulseAnswer, PulseInvitation, PulseRound
from signals.trust.schemas import AGREES, PulseAnswerSchema
from signals.validation import load, reusable
from signals.wording import calendar_month

# The source research (survey of 2022, 248 professionals): 38% trust that something is done
# with a signal, 26% do not, 36% are neutral. Its question on partners (37% against 60% feel
# the municipality values signalling) is not "Ik voel me gehoord": no baseline for that one.
TRUST_BASELINE = 0.38
KINDS = (OrganisationKind.STAFF.value, OrganisationKind.PARTNER.value)
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


@dataclass(frozen=True)
class KindFigures:
    """One kind of organisation's answers in a round (None: fewer than five, not shown).

    ``trusting`` and ``heard`` are the shares (0 to 1, three decimals) that agreed (4 or 5)
    with "Ik vertrouw erop dat er iets met mijn signaal gebeurt" and "Ik voel me gehoord".
    """

    answers: int | None
    trusting: float | None
    heard: float | None


@dataclass(frozen=True)
class RoundFigures:
    """A round's figures: its month (first day), label (``maart 2027``) and each kind's."""

    month: date
    label: str
    by_kind: dict[str, KindFigures]  # "staff" and "partner", always both


def pulse_figures(start: date, end: date) -> list[RoundFigures]:
    """The figures of every round opened from ``start`` to ``end`` (local dates, both in).

    In the order the rounds opened; a round nobody answered has its counts at 0.
    """
    since, until = local_start(start), local_start(end + timedelta(days=1))
    rounds = db.session.scalars(
        select(PulseRound)
        .where(PulseRound.opened_at >= since, PulseRound.opened_at < until)
        .order_by(PulseRound.opened_at)
    ).all()
    counts = _counts([pulse_round.id for pulse_round in rounds])
    return [
        RoundFigures(
            month=pulse_round.month,
            label=calendar_month(pulse_round.month),
            by_kind={
                kind: _kind_figures(*counts.get((pulse_round.id, kind), (0, 0, 0)))
                for kind in KINDS
            },
        )
        for pulse_round in rounds
    ]


def _counts(round_ids: list[int]) -> dict[tuple[int, str], tuple[int, int, int]]:
    """Per round and kind: the answers, those agreeing with trust, those agreeing with heard."""
    if not round_ids:
        return {}
    query = (
        select(
            PulseAnswer.round_id,
            PulseAnswer.kind,
            func.count(),
            func.sum(case((PulseAnswer.trust >= AGREES, 1), else_=0)),
            func.sum(case((PulseAnswer.heard >= AGREES, 1), else_=0)),
        )
        .where(PulseAnswer.round_id.in_(round_ids))
        .group_by(PulseAnswer.round_id, PulseAnswer.kind)
    )
    return {
        (round_id, kind): (int(answers), int(trusting), int(heard))
        for round_id, kind, answers, trusting, heard in db.session.execute(query)
    }


def _kind_figures(answers: int, trusting: int, heard: int) -> KindFigures:
    return KindFigures(
        answers=suppressed(answers),
        trusting=_share(trusting, answers),
        heard=_share(heard, answers),
    )


def _share(agreeing: int, answers: int) -> float | None:
    return round(agreeing / answers, 3) if answers >= SMALL else None
