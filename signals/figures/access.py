"""Who sees which figures: *leren, niet afrekenen* — figures per place, never per person.

Administrators and the members of a policy (``beleid``) or governing (``bestuur``) node's
group see the figures of the whole municipality: counts with small numbers hidden say nothing
about a person or a case. A manager sees the figures of the signals at their nodes; anybody
else only those of the signals they may read in full (their own), through the API.
"""

from sqlalchemy import ColumnElement, true

from signals.auth.models import Role, User
from signals.routing.graph import NodeKind
from signals.routing.services import active_graph
from signals.workflow.access import fully_visible_clause

WHOLE_MUNICIPALITY_KINDS = (NodeKind.BELEID, NodeKind.BESTUUR)


def sees_whole_municipality(user: User) -> bool:
    if user.role == Role.ADMIN:
        return True
    groups = {
        node.owner.group
        for node in active_graph().nodes.values()
        if node.kind in WHOLE_MUNICIPALITY_KINDS
    }
    return bool(groups.intersection(user.groups))


def may_see_dashboard(user: User) -> bool:
    return user.role == Role.MANAGER or sees_whole_municipality(user)


def figure_scope(user: User) -> ColumnElement[bool]:
    """SQL: the signals whose figures ``user`` sees (see the module's description)."""
    return true() if sees_whole_municipality(user) else fully_visible_clause(user)
