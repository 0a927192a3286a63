"""The signal state machine: whether an action is allowed in a status, for this person.

Each action's transition (the statuses it starts from, the status it leads to, who may take
it) is declared with the action in the registry, :mod:`signals.workflow.actions`. Every
service checks its action here before it changes anything, so a refused action changes
nothing and says why (``Forbidden`` for the wrong person, ``StateConflict`` for the wrong
moment).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from signals.errors import Forbidden, StateConflict
from signals.workflow.models import SignalStatus

NEW, IN_PROGRESS, AWAITING, RESOLVED, WITHDRAWN = (
    SignalStatus.NEW,
    SignalStatus.IN_PROGRESS,
    SignalStatus.AWAITING_REPORTER,
    SignalStatus.RESOLVED,
    SignalStatus.WITHDRAWN,
)
OPEN = frozenset({NEW, IN_PROGRESS, AWAITING})


class Actor(StrEnum):
    """Who may take an action."""

    OWNER = "owner"
    REPORTER = "reporter"
    REPORTER_OR_OWNER = "reporter_or_owner"
    ADMIN = "admin"  # an administrator (the legal hold on retention)


@dataclass(frozen=True)
class Transition:
    """An action: the statuses it starts from, the status it leads to (None: unchanged).

    ``refusals``: what to say instead of the status's own message when the action is refused
    in that status (where another action is the right one).
    """

    allowed_from: frozenset[SignalStatus]
    leads_to: SignalStatus | None
    actor: Actor
    label: str
    refusals: Mapping[SignalStatus, str] = field(default_factory=dict)


STATE_MESSAGES: Mapping[SignalStatus, str] = {
    NEW: "Dit signaal is nog niet in behandeling genomen.",
    IN_PROGRESS: "Dit signaal is al in behandeling.",
    AWAITING: "Dit signaal wacht op een antwoord van de melder.",
    RESOLVED: "Dit signaal is al afgehandeld.",
    WITHDRAWN: "Dit signaal is ingetrokken door de melder.",
}
ACTOR_MESSAGES: Mapping[Actor, str] = {
    Actor.OWNER: "Alleen de eigenaar van dit signaal kan dit doen.",
    Actor.REPORTER: "Alleen de melder kan dit doen.",
    Actor.REPORTER_OR_OWNER: "Alleen de melder of de eigenaar kan dit doen.",
    Actor.ADMIN: "Alleen een beheerder kan dit doen.",
}


@cache
def transition_table() -> Mapping[str, Transition]:
    """Every signal action's transition, in the registry's order.

    Read from the registry when first asked, not when this module is imported: the registry
    names each action's service, and the services check their actions here.
    """
    from signals.workflow.actions import SIGNAL_ACTIONS

    return {name: action.transition for name, action in SIGNAL_ACTIONS.items()}


def check(
    action: str, status: str, *, is_owner: bool, is_reporter: bool, is_admin: bool = False
) -> Transition:
    """The transition of ``action``, or the reason it is refused now for this person."""
    transition = transition_table()[action]
    permitted = {
        Actor.OWNER: is_owner,
        Actor.REPORTER: is_reporter,
        Actor.REPORTER_OR_OWNER: is_owner or is_reporter,
        Actor.ADMIN: is_admin,
    }[transition.actor]
    if not permitted:
        raise Forbidden(ACTOR_MESSAGES[transition.actor])
    if status not in transition.allowed_from:
        state = SignalStatus(status)
        raise StateConflict(transition.refusals.get(state, STATE_MESSAGES[state]))
    return transition


def allowed_actions(
    status: str, *, is_owner: bool, is_reporter: bool, is_admin: bool = False
) -> list[str]:
    """The actions this person may take now, in the registry's order (what the page offers)."""
    allowed = []
    for action in transition_table():
        try:
            check(action, status, is_owner=is_owner, is_reporter=is_reporter, is_admin=is_admin)
        except (Forbidden, StateConflict):
            continue
        allowed.append(action)
    return allowed
