"""Entry decision for a new signal: which node it starts at and who owns it there.

Until the configured route graph decides, a signal goes to the reporter's line manager; a
reporter without one (partner staff, typically) reaches the municipality's intake group.
"""

from dataclasses import dataclass

from flask import current_app

from signals.auth.models import User

LINE_MANAGER_NODE = "leidinggevende"
INTAKE_NODE = "intake"


@dataclass(frozen=True)
class EntryDecision:
    """The node a signal enters at and its owner there: a person or a group, never both."""

    node: str
    owner_user: User | None
    owner_group: str | None


def decide_entry(reporter: User) -> EntryDecision:
    """Choose where a signal by ``reporter`` enters and who owns it."""
    manager = reporter.manager
    if manager is not None and manager.active:
        return EntryDecision(node=LINE_MANAGER_NODE, owner_user=manager, owner_group=None)
    group: str = current_app.config["INTAKE_GROUP"]
    return EntryDecision(node=INTAKE_NODE, owner_user=None, owner_group=group)


NODE_LABELS = {
    LINE_MANAGER_NODE: "Leidinggevende",
    INTAKE_NODE: "Centrale intake gemeente",
}


def node_label(key: str) -> str:
    return NODE_LABELS.get(key, key)
