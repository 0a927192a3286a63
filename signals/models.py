"""Every model of every domain, imported in one place for Alembic and the shell."""

from signals.anonymous.models import AnonymousContact, AnonymousQuota, AnonymousReceipt
from signals.audit.models import AccessLogEntry
from signals.auth.models import (
    ApiToken,
    AuthFailure,
    GroupMembership,
    LoginAddress,
    Organisation,
    User,
)
from signals.figures.models import FigureMonth, MonthlyFigure, PeriodicReport
from signals.knowledge.models import KnowledgeArticle
from signals.kwesties.models import Kwestie, KwestieEvent, PatternAlert
from signals.meetings.models import (
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingEvent,
    MeetingRole,
    TimelineEntry,
)
from signals.notifications.models import OutboxMessage
from signals.scheduler.models import ManagerDigest, SchedulerLease
from signals.search.models import SearchEntry
from signals.trust.models import PulseAnswer, PulseInvitation, PulseRound
from signals.workflow.models import (
    ReferenceCounter,
    Signal,
    SignalEvent,
    SignalParticipant,
    SignalRegulation,
    SubmissionKey,
)

__all__ = [
    "AnonymousContact",
    "AnonymousQuota",
    "AnonymousReceipt",
    "AccessLogEntry",
    "ActionItem",
    "AgendaItem",
    "ApiToken",
    "AuthFailure",
    "FigureMonth",
    "GroupMembership",
    "KnowledgeArticle",
    "Kwestie",
    "ManagerDigest",
    "MonthlyFigure",
    "PeriodicReport",
    "KwestieEvent",
    "LoginAddress",
    "Meeting",
    "MeetingEvent",
    "MeetingRole",
    "PatternAlert",
    "PulseAnswer",
    "PulseInvitation",
    "PulseRound",
    "Organisation",
    "OutboxMessage",
    "ReferenceCounter",
    "SchedulerLease",
    "SearchEntry",
    "Signal",
    "SignalEvent",
    "SignalParticipant",
    "SignalRegulation",
    "SubmissionKey",
    "TimelineEntry",
    "User",
]
