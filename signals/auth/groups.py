"""Route-node group membership: who may manage which group; adding and removing members.

The groups of independent nodes (the ombudsman) are managed only by the ombudsman's own
administrator (role ``ombudsman_admin``); the municipality's administrators manage every
other group, and cannot put anyone (themselves included) in an independent node's group,
where they would read what the municipality may not. Every change is access-logged in its
own transaction.

``actor=None`` is the operator setting the service up (the demo, a seed): trusted, and
logged as the command line.
"""

from collections.abc import Iterable

from sqlalchemy import select

from signals.audit.services import Subject, log_access
from signals.auth.models import GroupMembership, User
from signals.database import MAX_ID
from signals.errors import Forbidden, InputInvalid, NotFound
from signals.extensions import db
from signals.routing.services import active_graph
from signals.transaction import unit_of_work

INDEPENDENT_GROUP = (
    "Alleen de beheerder van de ombudsman beheert wie in de groep van een onafhankelijke plek zit."
)
NOT_YOURS = "U beheert deze groep niet."
UNKNOWN_GROUP = "Deze groep bestaat niet in de route."
UNKNOWN_PERSON = "Er is geen gebruiker met dit e-mailadres."
ALREADY = "Deze persoon zit al in de groep."
NOT_IN = "Deze persoon zit niet in de groep."


def node_groups() -> dict[str, str]:
    """Every group of the active route, with its Dutch label."""
    graph = active_graph()
    return {
        node.owner.group: graph.group_label(node.owner.group)
        for node in graph.nodes.values()
        if node.owner.group
    }


def independent_groups() -> set[str]:
    """The groups that own an independent node (the ombudsman's)."""
    return {
        node.owner.group
        for node in active_graph().nodes.values()
        if node.independent and node.owner.group
    }


def may_manage_group(actor: User | None, group: str) -> bool:
    """Whether ``actor`` may change who is in ``group`` (see the module's description)."""
    if actor is None:
        return True
    if group in independent_groups():
        return actor.is_ombudsman_admin
    return actor.is_admin


def manageable_groups(actor: User) -> dict[str, str]:
    """The groups ``actor`` manages, with their labels, sorted by label."""
    groups = node_groups()
    mine = {key: label for key, label in groups.items() if may_manage_group(actor, key)}
    return dict(sorted(mine.items(), key=lambda item: item[1].lower()))


def check_groups(actor: User | None, groups: Iterable[str]) -> None:
    """Refuse (422, field ``groups``) groups ``actor`` may not put a person in."""
    refused = [group for group in groups if not may_manage_group(actor, group)]
    if refused:
        independent = independent_groups()
        message = INDEPENDENT_GROUP if set(refused) & independent else NOT_YOURS
        raise InputInvalid({"groups": [message]})


def members_of(group: str) -> list[User]:
    """Everyone in ``group`` (active or not), by name."""
    query = (
        select(User).join(GroupMembership).where(GroupMembership.group == group).order_by(User.name)
    )
    return list(db.session.scalars(query))


def add_to_group(actor: User | None, group: str, member: User) -> None:
    """Put ``member`` in ``group``; logged. Forbidden if ``actor`` does not manage it."""
    _check(actor, group)
    if group in member.groups:
        raise InputInvalid({"email": [ALREADY]})
    with unit_of_work():
        member.group_memberships.append(GroupMembership(group=group))
        log_access(actor, "group_member_added", Subject.person(member), detail=group)


def remove_from_group(actor: User | None, group: str, member: User) -> None:
    """Take ``member`` out of ``group``; logged. Forbidden if ``actor`` does not manage it."""
    _check(actor, group)
    membership = next((m for m in member.group_memberships if m.group == group), None)
    if membership is None:
        raise NotFound(NOT_IN)
    with unit_of_work():
        member.group_memberships.remove(membership)
        log_access(actor, "group_member_removed", Subject.person(member), detail=group)


def _check(actor: User | None, group: str) -> None:
    if group not in node_groups():
        raise NotFound(UNKNOWN_GROUP)
    if not may_manage_group(actor, group):
        independent = group in independent_groups()
        raise Forbidden(INDEPENDENT_GROUP if independent else NOT_YOURS)


def member_by_id(user_id: int) -> User:
    """The person ``user_id``; NotFound if there is none."""
    member = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if member is None:
        raise NotFound(UNKNOWN_PERSON)
    return member
