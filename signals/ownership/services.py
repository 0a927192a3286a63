"""Who an owner's people are and how an owner is named, for every owned thing.

One place for both: the inbox, the pages, the API, the e-mails and the sweep all ask here.
A group's name comes from the active route file, so it is read here and not in the models.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar

from signals.auth.models import User
from signals.auth.services import group_members
from signals.ownership.models import Owner
from signals.routing.services import active_graph

Person = TypeVar("Person")


def owner_people(owner: Owner) -> list[User]:
    """The people who own now: the person, or the active members of the group."""
    return people_as(owner, _as_user, group_members)


def people_as(
    owner: Owner,
    person: Callable[[User], Person],
    members: Callable[[str], Sequence[Person]],
) -> list[Person]:
    """:func:`owner_people` as ``person`` makes them, a group's members from ``members``.

    For a caller that keeps its own copies of people (the sweep reads each group once).
    """
    if owner.user is not None:
        return [person(owner.user)]
    return list(members(owner.group or ""))


def owner_label(owner: Owner) -> str:
    """How the owner is named: the person's name, or the label of the group in the route."""
    if owner.user is not None:
        return owner.user.name
    return active_graph().group_label(owner.group or "")


def _as_user(user: User) -> User:
    return user
