"""The trust pulse's rounds, who was invited to each, and the answers, kept apart from people.

The source research found that only 38% of professionals trust that a signal is acted on, and
that far fewer partners than municipal staff feel the municipality values their signals (37%
against 60%). Twice a year (by default) a round asks every reporting professional two
questions; the figures show whether trust grows, and whether partners feel as heard as staff.
"""

import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signals.auth.models import User
from signals.database import Base, UTCDateTime

ANSWER_KEY_LENGTH = 32  # hexadecimal characters of an answer's random key


class PulseRound(Base):
    """One round of the pulse, at most one per month: when it opened and when it closes."""

    __tablename__ = "pulse_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The first day of the round's month; unique, so a second sweep (or a second scheduler)
    # that tries to open the month's round again fails before it invites anyone.
    month: Mapped[date] = mapped_column(Date, unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PulseInvitation(Base):
    """One person's invitation to one round: the key to its page, and whether it was used.

    Only the SHA-256 hash of the link's token is kept: whoever reads the database cannot
    answer in someone's name. ``answered`` says only *that* the person answered, not when
    nor what (see :class:`PulseAnswer`).
    """

    __tablename__ = "pulse_invitations"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)

    pulse_round: Mapped[PulseRound] = relationship(lazy="joined")
    user: Mapped[User] = relationship()


def _answer_key() -> str:
    return secrets.token_hex(ANSWER_KEY_LENGTH // 2)


class PulseAnswer(Base):
    """One anonymous answer: the round, the kind of organisation, and the two scores (1 to 5).

    Anonymity by design. The row holds nothing that leads to a person: no user, no
    invitation, no moment (a time could be matched against a log of who opened the page
    when). Its key is random rather than a sequence, so that no list sorted by key puts the
    answers in the order they came in, which a log of requests could tie to people. The
    invitation keeps only a flag that it was used, without a time.

    The kind of organisation (``staff`` or ``partner``) is the one thing kept about the
    person, because the research's question is whether partners feel as heard as staff.
    Figures over fewer than five answers are never shown
    (:func:`signals.trust.services.pulse_figures`).

    What the design cannot hide: someone with direct access to the database server may see
    which rows one transaction wrote (PostgreSQL's ``xmin``, the write-ahead log) and the
    order rows were stored in, until those are frozen, vacuumed and recycled; and in a round
    with a single partner professional, "partner" is that person. The application and its
    pages never put an answer and a person together.
    """

    __tablename__ = "pulse_answers"
    __table_args__ = (
        CheckConstraint("kind IN ('staff', 'partner')", name="kind"),
        CheckConstraint("trust BETWEEN 1 AND 5", name="trust"),
        CheckConstraint("heard BETWEEN 1 AND 5", name="heard"),
    )

    id: Mapped[str] = mapped_column(
        String(ANSWER_KEY_LENGTH), primary_key=True, default=_answer_key
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_rounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # "Ik vertrouw erop dat er iets met mijn signaal gebeurt" and "Ik voel me gehoord":
    # 1 = helemaal oneens … 5 = helemaal eens.
    trust: Mapped[int] = mapped_column(Integer)
    heard: Mapped[int] = mapped_column(Integer)
