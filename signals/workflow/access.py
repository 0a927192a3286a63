"""Who may see what of a signal: one rule set for pages, lists, counts, e-mails and the API.

- Administrators see everything, except the content of what is at an independent node
  (the ombudsman): of that they see only the whereabouts, like any other outsider.
- The ombudsman's administrator (``ombudsman_admin``) sees what is or was at an independent
  node as its group does; a privacy officer sees by that role no content at all.
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

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    and_,
    exists,
    false,
    or_,
    select,
    true,
    union_all,
)

from signals.audit.services import Subject, log_access
from signals.auth.models import Role, User
from signals.errors import Forbidden, NotFound
from signals.extensions import db
from signals.ownership.models import person_or_groups
from signals.routing.services import active_graph, independent_nodes
from signals.validation import readable
from signals.workflow.models import Signal, SignalParticipant

WHEREABOUTS_ONLY = (
    "Dit signaal ligt bij een onafhankelijke plek in de route; u ziet alleen dat het daar is."
)


class Visibility(IntEnum):
    """How much of a signal a person may see."""

    NONE = 0
    WHEREABOUTS = 1  # only that it is at an independent node
    FULL = 2


def _participation(user: User) -> ColumnElement[bool]:
    return person_or_groups(user, SignalParticipant.user_id, SignalParticipant.group)


def participated_nodes(user: User, signal: Signal) -> set[str]:
    """The nodes at which ``user`` (or one of their groups) owned ``signal``."""
    query = select(SignalParticipant.node).where(
        SignalParticipant.signal_id == signal.id, _participation(user)
    )
    return set(db.session.scalars(query))


def visibility(user: User, signal: Signal) -> Visibility:
    """How much of ``signal`` ``user`` may see (see the module's description)."""
    if signal.reporter_id == user.id or signal.is_owned_by(user):
        return Visibility.FULL
    independent = independent_nodes()
    if user.role == Role.OMBUDSMAN_ADMIN and _was_at_any(signal, independent):
        return Visibility.FULL
    nodes = participated_nodes(user, signal)
    if not nodes and user.role != Role.ADMIN:
        return Visibility.NONE
    if signal.node in independent and signal.node not in nodes:
        return Visibility.WHEREABOUTS
    return Visibility.FULL


def _was_at_any(signal: Signal, nodes: list[str]) -> bool:
    """Whether ``signal`` is or was at one of ``nodes``."""
    if not nodes:
        return False
    if signal.node in nodes:
        return True
    query = select(SignalParticipant.node).where(
        SignalParticipant.signal_id == signal.id, SignalParticipant.node.in_(nodes)
    )
    return db.session.scalar(query.limit(1)) is not None


def get_visible_signal(user: User, reference: str, *, for_update: bool = False) -> Signal:
    """The signal ``reference`` if ``user`` may see (at least where) it is; else NotFound.

    ``for_update`` locks the row until the transaction ends (PostgreSQL), so two owners acting
    at once are serialised and the second sees the first one's result.
    """
    if not readable(reference):  # a NUL would reach the database as a server error
        raise NotFound("Dit signaal bestaat niet of u heeft er geen toegang toe.")
    query = select(Signal).where(Signal.reference == reference)
    if for_update:
        query = query.with_for_update(of=Signal).execution_options(populate_existing=True)
    signal = db.session.scalar(query)
    if signal is None or visibility(user, signal) == Visibility.NONE:
        raise NotFound("Dit signaal bestaat niet of u heeft er geen toegang toe.")
    return signal


def record_view(user: User, signal: Signal) -> None:
    """Log (in a transaction of its own) that ``user`` read all of ``signal``: page, API."""
    log_access(user, "signal_viewed", Subject.signal(signal))


def get_fully_visible_signal(user: User, reference: str) -> Signal:
    """The signal ``reference`` if ``user`` may see all of it.

    NotFound if they may not know it exists; Forbidden if they may know only where it is
    (at an independent node that is not theirs).
    """
    signal = get_visible_signal(user, reference)
    if visibility(user, signal) != Visibility.FULL:
        raise Forbidden(WHEREABOUTS_ONLY)
    return signal


def shows_reporter(user: User, signal: Signal) -> bool:
    """Whether ``user`` may see who reported ``signal``."""
    if signal.reporter_id == user.id:
        return True
    if user.role == Role.ADMIN:
        return visibility(user, signal) == Visibility.FULL
    graph = active_graph()
    owned = {signal.node} if signal.is_owned_by(user) else set()
    nodes = participated_nodes(user, signal) | owned
    if user.role == Role.OMBUDSMAN_ADMIN:
        independent = independent_nodes()
        if _was_at_any(signal, independent):
            nodes |= {key for key in _nodes_of(signal) if key in independent}
    return any(graph.nodes[key].shows_reporter for key in nodes if key in graph.nodes)


def _nodes_of(signal: Signal) -> set[str]:
    """Every node ``signal`` is or was at."""
    query = select(SignalParticipant.node).where(SignalParticipant.signal_id == signal.id)
    return set(db.session.scalars(query)) | {signal.node}


def visible_clause(user: User) -> ColumnElement[bool]:
    """SQL condition for lists: signals ``user`` may see at least the whereabouts of."""
    if user.role == Role.ADMIN:
        return true()
    return or_(
        Signal.reporter_id == user.id,
        _participated_at(user, None),
        _at_independent_for(user),
        false(),
    )


def fully_visible_clause(user: User) -> ColumnElement[bool]:
    """SQL condition for lists that show content: signals ``user`` may see in full.

    :func:`visible_clause` without the signals that are now at an independent node where
    ``user`` has no part (of those they may know only the whereabouts).
    """
    independent = independent_nodes()
    at_closed_room = Signal.node.in_(independent) if independent else false()
    here = _participated_at(user, Signal.node)
    if user.role == Role.ADMIN:
        return or_(~at_closed_room, Signal.reporter_id == user.id, Signal.is_owned_by(user), here)
    participated = _participated_at(user, None)
    return or_(
        Signal.reporter_id == user.id,
        Signal.is_owned_by(user),
        and_(participated, or_(~at_closed_room, here)),
        _at_independent_for(user),
    )


def _at_independent_for(user: User) -> ColumnElement[bool]:
    """SQL: for the ombudsman's administrator, the signals that are or were at its nodes."""
    independent = independent_nodes()
    if user.role != Role.OMBUDSMAN_ADMIN or not independent:
        return false()
    was_there = exists().where(
        SignalParticipant.signal_id == Signal.id, SignalParticipant.node.in_(independent)
    )
    return or_(Signal.node.in_(independent), was_there)


def reachable_signal_ids(user: User) -> CompoundSelect[tuple[int]]:
    """The ids of the signals ``user`` reported or owned at some node (as a person or a group).

    A superset of what they may see in full (:func:`fully_visible_clause` still decides), read
    from indexes only: where a search starts for someone who sees a small part of the signals.
    May name a signal twice (so that a ``LIMIT`` stops it early).
    """
    # One index scan per part (not one OR over them), each of which a LIMIT can stop early.
    parts = [
        select(Signal.id).where(Signal.reporter_id == user.id),
        select(SignalParticipant.signal_id).where(SignalParticipant.user_id == user.id),
    ]
    if user.groups:
        in_groups = SignalParticipant.group.in_(user.groups)
        parts.append(select(SignalParticipant.signal_id).where(in_groups))
    independent = independent_nodes()
    if user.role == Role.OMBUDSMAN_ADMIN and independent:
        at_independent = SignalParticipant.node.in_(independent)
        parts.append(select(SignalParticipant.signal_id).where(at_independent))
    return union_all(*parts)


def fully_visible_references(user: User, references: Iterable[str]) -> set[str]:
    """Those of ``references`` whose signal ``user`` may see in full (one query).

    For texts that name signals to one reader (an e-mail, a history): name only these.
    """
    wanted = sorted(set(references))
    if not wanted:
        return set()
    query = select(Signal.reference).where(Signal.reference.in_(wanted), fully_visible_clause(user))
    return set(db.session.scalars(query))


def _participated_at(user: User, node: Any) -> ColumnElement[bool]:
    """Whether ``user`` owned the signal at some node (at ``node``, an SQL expression, if given)."""
    condition = and_(SignalParticipant.signal_id == Signal.id, _participation(user))
    if node is not None:
        condition = and_(condition, SignalParticipant.node == node)
    return exists().where(condition)
