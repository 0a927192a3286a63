"""Meeting, AgendaItem, ActionItem and MeetingEvent: the tables that meet and what they agree.

A meeting belongs to a node of the route (its owners meet there). Its agenda holds signals,
kwesties and action items that came back at their terugkoppelmoment; a proposal by someone
who is not an owner waits on the agenda until the chair accepts or declines it. Holding the
meeting records the minutes and a conclusion per item. Action items run like clocks (see
:mod:`signals.meetings.sweep`).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signals.auth.models import User
from signals.database import Base, UTCDateTime
from signals.ownership.models import OwnerMixin, exactly_one_owner

if TYPE_CHECKING:
    from signals.kwesties.models import Kwestie
    from signals.workflow.models import Signal


class MeetingKind(StrEnum):
    """What a meeting is for: a casuïstiek table, a signalenoverleg, or a leerdialoog."""

    CASUISTIEK = "casuistiek"
    SIGNALENOVERLEG = "signalenoverleg"
    LEERDIALOOG = "leerdialoog"


class MeetingStatus(StrEnum):
    """Planned until it is held (minutes and conclusions recorded); closed when archived."""

    PLANNED = "planned"
    HELD = "held"
    CLOSED = "closed"


class ItemStatus(StrEnum):
    """An agenda item: proposed (waiting for the chair), on the agenda, declined, concluded."""

    PROPOSED = "proposed"
    AGENDERED = "agendered"
    DECLINED = "declined"
    CONCLUDED = "concluded"


class Role(StrEnum):
    """The roles of a leerdialoog (its rules: :func:`signals.meetings.leerdialoog.check_roles`)."""

    GESPREKSLEIDER = "gespreksleider"
    CASUSINBRENGER = "casusinbrenger"
    VERDIEPINGSPANEL = "verdiepingspanel"
    NOTULIST = "notulist"
    ORGANISATOR = "organisator"


class ActionStatus(StrEnum):
    """Open until its owner reports it done."""

    OPEN = "open"
    DONE = "done"


class Meeting(Base):
    """One meeting of the owners of a route node."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("kind IN ('casuistiek', 'signalenoverleg', 'leerdialoog')", name="kind"),
        CheckConstraint("status IN ('planned', 'held', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    node: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.PLANNED)
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    minutes: Mapped[str | None] = mapped_column(Text)
    # A leerdialoog's structured record: dominant views, values, crucial moments, lessons.
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A leerdialoog is about one finished case.
    case_signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"))
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # role instructions sent
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    chair: Mapped[User] = relationship(foreign_keys=[chair_id], lazy="joined")
    case_signal: Mapped["Signal | None"] = relationship(foreign_keys=[case_signal_id])
    roles: Mapped[list["MeetingRole"]] = relationship(
        back_populates="meeting", order_by="MeetingRole.id", cascade="all, delete-orphan"
    )
    timeline: Mapped[list["TimelineEntry"]] = relationship(
        back_populates="meeting",
        order_by="[TimelineEntry.day, TimelineEntry.id]",
        cascade="all, delete-orphan",
    )
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.id", cascade="all, delete-orphan"
    )
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="meeting",
        order_by="ActionItem.id",
        foreign_keys="ActionItem.meeting_id",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_planned(self) -> bool:
        return self.status == MeetingStatus.PLANNED


class AgendaItem(Base):
    """A signal, a kwestie or a returning action item on a meeting's agenda."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint(
            "status IN ('proposed', 'agendered', 'declined', 'concluded')", name="status"
        ),
        CheckConstraint(
            "(CASE WHEN signal_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN kwestie_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN action_item_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"), index=True)
    kwestie_id: Mapped[int | None] = mapped_column(ForeignKey("kwesties.id"))
    action_item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id"))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)  # why a proposal was declined
    conclusion: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    signal: Mapped["Signal | None"] = relationship(lazy="joined")
    kwestie: Mapped["Kwestie | None"] = relationship(lazy="joined")
    action_item: Mapped["ActionItem | None"] = relationship(foreign_keys=[action_item_id])
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])


class ActionItem(OwnerMixin, Base):
    """What a meeting agreed someone (a person or a group) does by a date, and reports back on."""

    __tablename__ = "action_items"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done')", name="status"),
        exactly_one_owner(),
        CheckConstraint("feedback_on >= due", name="feedback_after_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    due: Mapped[date] = mapped_column(Date)
    feedback_on: Mapped[date] = mapped_column(Date)  # the terugkoppelmoment
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"))
    kwestie_id: Mapped[int | None] = mapped_column(ForeignKey("kwesties.id"))
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_note: Mapped[str | None] = mapped_column(Text)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The earliest moment the sweep has work for this item (None when there is none).
    next_work_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    meeting: Mapped[Meeting] = relationship(
        back_populates="action_items", foreign_keys=[meeting_id]
    )
    signal: Mapped["Signal | None"] = relationship()
    kwestie: Mapped["Kwestie | None"] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN


class MeetingRole(Base):
    """A person's role in a leerdialoog."""

    __tablename__ = "meeting_roles"
    __table_args__ = (
        CheckConstraint(
            "role IN ('gespreksleider', 'casusinbrenger', 'verdiepingspanel', 'notulist', "
            "'organisator')",
            name="role",
        ),
        UniqueConstraint("meeting_id", "user_id", name="one_role_each"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    meeting: Mapped[Meeting] = relationship(back_populates="roles")
    person: Mapped[User] = relationship(lazy="joined")


class TimelineEntry(Base):
    """One moment in the case of a leerdialoog: when, what happened, and who was involved."""

    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(Text)
    parties: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="timeline")


class MeetingEvent(Base):
    """An append-only entry in a meeting's history (planned, agendered, held, overdue …)."""

    __tablename__ = "meeting_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    action_item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id"))
    type: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
