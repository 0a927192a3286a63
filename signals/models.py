"""Every model of every domain, imported in one place for Alembic and the shell."""

from signals.auth.models import GroupMembership, Organisation, User
from signals.notifications.models import OutboxMessage
from signals.workflow.models import ReferenceCounter, Signal, SignalEvent, SignalRegulation

__all__ = [
    "GroupMembership",
    "Organisation",
    "OutboxMessage",
    "ReferenceCounter",
    "Signal",
    "SignalEvent",
    "SignalRegulation",
    "User",
]
