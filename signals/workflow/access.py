"""Who may see what of a signal: one rule set for pages, lists, counts, e-mails and the API.

- Administrators see everything.
- Reporters see their own signals.
- Owners, and members of owning groups, see the signals that are or were at their nodes
  (``SignalParticipant``); staff of a partner organisation see nothing of another
  organisation unless such a node placed it with them.
- An independent node (the ombudsman) is a closed room: while a signal is there, earlier
  owners see only *that* it is there, not its content.
- The reporter's identity is hidden at nodes whose route config sets ``shows_reporter: false``.
"""

from collections.abc import Iterable
from enum import IntEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from signals.auth.models import Role, User
from signals.extensions import db
from signals.routing.services import active_graph
from signals.workflow.models import Signal, SignalParticipant


class Visibility(IntEnum):
    """How much of a signal a person may see."""

    NONE = 0
    WHEREABOUTS = 1  # only that it is at an independent node
    FULL = 2


def is_owner(user: User, signal: Signal) -> bool:
    if signal.owner_user_id is not None:
        return signal.owner_user_id == user.id
    return signal.owner_group in user.groups


def _participation(user: User) -> ColumnElement[bool]:
    return _person_or_groups(user, SignalParticipant.user_id, SignalParticipant.group)


def participated_nodes(user: User, signal: Signal) -> set[str]:
    """The nodes at which ``user`` (or one of their groups) owned ``signal``."""
    query = select(SignalParticipant.node).where(
        SignalParticipant.signal_id == signal.id, _participation(user)
    )
    return set(db.session.scalars(query))


def visibility(user: User, signal: Signal) -> Visibility:
    if user.role == Role.ADMIN or signal.reporter_id == user.id or is_owner(user, signal):
        return Visibility.FULL
    nodes = participated_nodes(user, signal)
    if not nodes:
        return Visibility.NONE
    graph = active_graph()
    current = graph.nodes.get(signal.node)
    if current is not None and current.independent and signal.node not in nodes:
        return Visibility.WHEREABOUTS
    return Visibility.FULL


def shows_reporter(user: User, signal: Signal) -> bool:
    """Whether ``user`` may see who reported ``signal``."""
    if user.role == Role.ADMIN or signal.reporter_id == user.id:
        return True
    graph = active_graph()
    nodes = participated_nodes(user, signal) | ({signal.node} if is_owner(user, signal) else set())
    return any(graph.nodes[key].shows_reporter for key in nodes if key in graph.nodes)


def visible_clause(user: User) -> ColumnElement[bool]:
    """SQL condition for lists: signals ``user`` may see at least the whereabouts of."""
    if user.role == Role.ADMIN:
        return true()
    return or_(Signal.reporter_id == user.id, _participated_at(user, None), false())


def fully_visible_clause(user: User) -> ColumnElement[bool]:
    """SQL condition for lists that show content: signals ``user`` may see in full.

    :func:`visible_clause` without the signals that are now at an independent node where
    ``user`` has no part (of those they may know only the whereabouts).
    """
    if user.role == Role.ADMIN:
        return true()
    independent = [key for key, node in active_graph().nodes.items() if node.independent]
    participated = _participated_at(user, None)
    at_closed_room = Signal.node.in_(independent) if independent else false()
    return or_(
        Signal.reporter_id == user.id,
        owns_clause(user),
        and_(participated, or_(~at_closed_room, _participated_at(user, Signal.node))),
    )


def fully_visible_references(user: User, references: Iterable[str]) -> set[str]:
    """Those of ``references`` whose signal ``user`` may see in full (one query).

    For texts that name signals to one reader (an e-mail, a history): name only these.
    """
    wanted = sorted(set(references))
    if not wanted:
        return set()
    query = select(Signal.reference).where(Signal.reference.in_(wanted), fully_visible_clause(user))
    return set(db.session.scalars(query))


def owns_clause(user: User) -> ColumnElement[bool]:
    """SQL condition: ``user`` or one of their groups owns the signal now."""
    return _person_or_groups(user, Signal.owner_user_id, Signal.owner_group)


def _person_or_groups(user: User, person: Any, group: Any) -> ColumnElement[bool]:
    """``person`` (a user id column) is ``user``, or ``group`` is one of their groups."""
    clauses = [person == user.id]
    if user.groups:
        clauses.append(group.in_(user.groups))
    return or_(*clauses)


def _participated_at(user: User, node: Any) -> ColumnElement[bool]:
    """Whether ``user`` owned the signal at some node (at ``node``, an SQL expression, if given)."""
    condition = and_(SignalParticipant.signal_id == Signal.id, _participation(user))
    if node is not None:
        condition = and_(condition, SignalParticipant.node == node)
    return exists().where(condition)
