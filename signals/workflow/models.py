"""Signal, SignalRegulation, SignalEvent and the per-year reference counter.

Also the inbox's sort key as SQL (:func:`due_expression`) and the partial indexes built on
it: the index expression and the query expression must be the same text for PostgreSQL to
walk the index, so both come from here.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    false,
    func,
    literal,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signals.auth.models import Organisation, User
from signals.clock import now
from signals.database import NOT_COMPARED, Base, UTCDateTime
from signals.ownership.models import OwnerMixin, exactly_one_owner

if TYPE_CHECKING:
    from signals.kwesties.models import Kwestie


class SignalStatus(StrEnum):
    """Where a signal is in its lifecycle (CONTRACT: Statuses)."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    AWAITING_REPORTER = "awaiting_reporter"
    RESOLVED = "resolved"
    # Withdrawn by its reporter before it was resolved: closed, without an outcome. Not a
    # resolution, so no survey, no follow-up and no place in the figures of outcomes.
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = (SignalStatus.NEW, SignalStatus.IN_PROGRESS, SignalStatus.AWAITING_REPORTER)


class Signal(OwnerMixin, Base):
    """One observation of a knellend mechanisme by one professional.

    An open signal always has exactly one owner: a person (``owner_user``) or a route-node
    group (``owner_group``); the database enforces it.
    """

    __tablename__ = "signals"
    __table_args__ = (
        CheckConstraint(
            "status IN ('new', 'in_progress', 'awaiting_reporter', 'resolved', 'withdrawn')",
            name="status",
        ),
        exactly_one_owner(),
        CheckConstraint(
            "status <> 'resolved' OR (outcome IS NOT NULL AND rationale IS NOT NULL)",
            name="resolved_has_outcome",
        ),
        # The inbox's "niet te laat" filter reads the sort key as a range and relies on it.
        CheckConstraint(
            "status = 'resolved' OR (accept_due IS NOT NULL AND feedback_due IS NOT NULL)",
            name="open_has_deadlines",
        ),
        Index("ix_signals_owner_user_status_created", "owner_user_id", "status", "created_at"),
        Index("ix_signals_owner_group_status_created", "owner_group", "status", "created_at"),
        Index("ix_signals_reporter_created", "reporter_id", "created_at"),
        # "Wacht op u" in every page's navigation: a count within one reporter's statuses.
        Index("ix_signals_reporter_status", "reporter_id", "status"),
        Index("ix_signals_node_status", "node", "status"),
        # The figures: signals by month of submission, and the latest "niet mogelijk".
        Index("ix_signals_created_at", "created_at"),
        Index("ix_signals_outcome_resolved_at", "outcome", "resolved_at"),
        # Retention (signals.retention): the closed signals not yet anonymised, in the order
        # the sweep takes them (partial: PostgreSQL walks it in that order, no sort).
        Index(
            "ix_signals_retention",
            "closed_at",
            "id",
            postgresql_where=text("anonymised_at IS NULL"),
            sqlite_where=text("anonymised_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str] = mapped_column(Text)
    resident_experience: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(32))
    source_organisation: Mapped[str | None] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(16))
    impact: Mapped[list[str]] = mapped_column(JSON, default=list)
    maatwerk: Mapped[str] = mapped_column(String(16))
    maatwerk_grounds: Mapped[list[str]] = mapped_column(JSON, default=list)

    # None for an anonymous signal (``anonymous``) and once retention has anonymised it.
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Came in through the anonymous channel (signals.anonymous): nothing links it to a person.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=SignalStatus.NEW)
    node: Mapped[str] = mapped_column(String(64))
    route_version: Mapped[str] = mapped_column(String(32))
    accept_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    update_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(32))
    rationale: Mapped[str | None] = mapped_column(Text)
    # The regulations once more as "|code|code|", kept by the ``regulations`` setter: a form
    # the inbox's indexes can include, so that filtering on a regulation never reads the table.
    regulation_codes: Mapped[str] = mapped_column(String(1000), default="")

    # The clocks (signals.workflow.clocks): the visit to the current node, when it began, a
    # pause while waiting for the reporter, and what each clock has already done, so that a
    # sweep repeated at the same moment does nothing twice.
    node_visit: Mapped[int] = mapped_column(Integer, default=0)
    node_entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accept_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accept_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    survey_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followup_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followup_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followup_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followup_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The earliest moment a clock has something to do; NULL when none has. The sweep reads
    # only signals whose moment has come, so its cost follows the due work.
    next_clock_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    kwestie_id: Mapped[int | None] = mapped_column(ForeignKey("kwesties.id"), index=True)
    # Optimistic concurrency: every change bumps it; a stale writer gets a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it was last closed (resolved or withdrawn); None while open. Retention counts from it.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Retention (signals.retention): when its free text and names were removed (once), and
    # whether an administrator keeps it from that (``legal_hold`` / ``release_hold``).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __mapper_args__ = {"version_id_col": version}

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id], lazy="joined")
    organisation: Mapped[Organisation] = relationship()
    regulation_rows: Mapped[list["SignalRegulation"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SignalRegulation.position"
    )
    # The history is append-only: the ORM never deletes an event (nor a signal with events);
    # on PostgreSQL a trigger refuses UPDATE and DELETE as well (signals.retention.audit).
    events: Mapped[list["SignalEvent"]] = relationship(
        back_populates="signal", order_by="SignalEvent.id", passive_deletes="all"
    )
    kwestie: Mapped["Kwestie | None"] = relationship()
    participants: Mapped[list["SignalParticipant"]] = relationship(
        cascade="all, delete-orphan", order_by="SignalParticipant.id"
    )

    @property
    def regulations(self) -> list[str]:
        return [row.code for row in self.regulation_rows]

    @regulations.setter
    def regulations(self, codes: list[str]) -> None:
        self.regulation_rows = [
            SignalRegulation(code=code, position=position) for position, code in enumerate(codes)
        ]
        self.regulation_codes = "".join(f"|{code}" for code in codes) + "|" if codes else ""

    @staticmethod
    def regulation_code_pattern(code: str) -> str:
        """What ``regulation_codes`` contains when ``code`` is one of the regulations."""
        return f"|{code}|"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None


# The inbox's sort key and its indexes ------------------------------------------------------

# Sorts after every real deadline; stands in for "no deadline at all".
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def sql_constant(value: Any, type_: Any = None) -> ColumnElement[Any]:
    """A constant written into the SQL text rather than sent as a parameter.

    The sort expression and the status condition must read exactly like an expression index
    (and a partial index's predicate) for PostgreSQL to use it, also with a generic plan.
    """
    return literal(value, type_, literal_execute=True)


def due_expression() -> ColumnElement[datetime]:
    """The deadline a signal is sorted by in the inbox, as SQL: the clock running against it.

    A new signal's accept deadline; a signal in progress its feedback deadline until the
    reporter has had feedback at this node; nothing (``FAR_FUTURE``) while the clocks are
    paused for the reporter, after feedback, and once resolved.
    :func:`signals.workflow.inbox.due_of` computes the same for a loaded signal.
    """
    running = case(
        (Signal.status == sql_constant(SignalStatus.NEW.value), Signal.accept_due),
        (
            and_(
                Signal.status == sql_constant(SignalStatus.IN_PROGRESS.value),
                Signal.feedback_sent_at.is_(None),
            ),
            Signal.feedback_due,
        ),
    )
    return func.coalesce(running, sql_constant(FAR_FUTURE, UTCDateTime()))


def open_status_clause() -> ColumnElement[bool]:
    """``status IN (the open statuses)``, the codes written into the SQL text."""
    return Signal.status.in_([sql_constant(status.value) for status in OPEN_STATUSES])


def resolved_status_clause() -> ColumnElement[bool]:
    return Signal.status == sql_constant(SignalStatus.RESOLVED.value)


# One ordered index per way of owning (person, group) and per part of the inbox (open,
# resolved): PostgreSQL walks it from the cursor and stops after a page. Partial, because
# the open signals are the small recent part and would otherwise sit behind every resolved
# one with an older deadline. The included columns are what the filters and the sort
# expression read, so that filtering and counting are index-only scans that never visit the
# table. PostgreSQL only; SQLite sorts the (small) owner scope itself.
# Made by a hand-written migration; tests/integration/test_inbox_plans.py asks the planner.
INBOX_INDEX_INCLUDES = (
    "status",
    "accept_due",
    "feedback_due",
    "update_due",
    "node",
    "urgency",
    "scope",
    "organisation_id",
    "regulation_codes",
    "feedback_sent_at",
)
for _owner in (Signal.owner_user_id, Signal.owner_group):
    for _part, _clause in (("open", open_status_clause()), ("resolved", resolved_status_clause())):
        Index(
            f"ix_signals_{_owner.key}_{_part}_due",
            _owner,
            due_expression(),
            Signal.id,
            postgresql_where=_clause,
            postgresql_include=list(INBOX_INDEX_INCLUDES),
            info={NOT_COMPARED: True},
        ).ddl_if(dialect="postgresql")


class SignalParticipant(Base):
    """A node owner (person or group) a signal has been with: they keep seeing it."""

    __tablename__ = "signal_participants"
    __table_args__ = (
        CheckConstraint('(user_id IS NULL) <> ("group" IS NULL)', name="person_or_group"),
        Index("ix_signal_participants_user", "user_id", "signal_id"),
        Index("ix_signal_participants_group", "group", "signal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), index=True)
    node: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    group: Mapped[str | None] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(UTCDateTime())


class SignalRegulation(Base):
    """One regulation a signal concerns; a table of its own so signals can be filtered by it."""

    __tablename__ = "signal_regulations"

    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class SignalEvent(Base):
    """An append-only entry in a signal's history: who did what, when, with which data."""

    __tablename__ = "signal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Indexed for the monthly figures: which signals changed since their last refresh.
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    signal: Mapped[Signal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def by_anonymous_reporter(self) -> bool:
        """Taken by an anonymous signal's reporter: shown with no name and only its day."""
        return (
            self.actor_id is None
            and self.type in ANONYMOUS_REPORTER_EVENTS
            and self.signal.anonymous
        )


# What the reporter of an anonymous signal does (the rest of its history is the owners').
ANONYMOUS_REPORTER_EVENTS = frozenset({"submitted", "reporter_replied"})


class ReferenceCounter(Base):
    """The last reference number handed out per year (``KM-<year>-<number>``)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class SubmissionKey(Base):
    """An ``Idempotency-Key`` a client sent with a new signal: a retry returns that signal.

    The key is the client's, per user; ``request_hash`` tells a retry (the same body) from a
    different submission that reuses the key by mistake.
    """

    __tablename__ = "submission_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    signal: Mapped[Signal] = relationship()
