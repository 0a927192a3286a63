"""The signal state machine as one table: which action is allowed in which status, by whom.

Every service checks an action here before it changes anything, so a refused action changes
nothing and says why (``Forbidden`` for the wrong person, ``ActionNotAllowed`` for the wrong
moment).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from signals.errors import ActionNotAllowed, Forbidden
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


TRANSITIONS: Mapping[str, Transition] = {
    "accept": Transition(frozenset({NEW}), IN_PROGRESS, Actor.OWNER, "In behandeling nemen"),
    "forward": Transition(frozenset({NEW, IN_PROGRESS}), NEW, Actor.OWNER, "Doorsturen"),
    "request_info": Transition(
        frozenset({NEW, IN_PROGRESS}), AWAITING, Actor.OWNER, "Vraag aan de melder"
    ),
    "reply": Transition(frozenset({AWAITING}), IN_PROGRESS, Actor.REPORTER, "Antwoorden"),
    "feedback": Transition(OPEN, None, Actor.OWNER, "Terugkoppeling geven"),
    "resolve": Transition(OPEN, RESOLVED, Actor.OWNER, "Afhandelen"),
    "reopen": Transition(frozenset({RESOLVED}), IN_PROGRESS, Actor.REPORTER_OR_OWNER, "Heropenen"),
    "link": Transition(OPEN, None, Actor.OWNER, "Koppelen aan een kwestie"),
    # The reporter's own: more information at any time the signal is open (the clocks do not
    # change; while a question waits for them, answering it is the way), and withdrawing it.
    "add_info": Transition(
        frozenset({NEW, IN_PROGRESS}),
        None,
        Actor.REPORTER,
        "Informatie toevoegen",
        refusals={
            AWAITING: "Er staat een vraag aan u open: beantwoord die, dan lopen de termijnen weer."
        },
    ),
    "withdraw": Transition(OPEN, WITHDRAWN, Actor.REPORTER, "Intrekken"),
}

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
}


def check(action: str, status: str, *, is_owner: bool, is_reporter: bool) -> Transition:
    """The transition of ``action``, or the reason it is refused now for this person."""
    transition = TRANSITIONS[action]
    permitted = {
        Actor.OWNER: is_owner,
        Actor.REPORTER: is_reporter,
        Actor.REPORTER_OR_OWNER: is_owner or is_reporter,
    }[transition.actor]
    if not permitted:
        raise Forbidden(ACTOR_MESSAGES[transition.actor])
    if status not in transition.allowed_from:
        state = SignalStatus(status)
        raise ActionNotAllowed(transition.refusals.get(state, STATE_MESSAGES[state]))
    return transition


def allowed_actions(status: str, *, is_owner: bool, is_reporter: bool) -> list[str]:
    """The actions this person may take now, in table order (what the page offers)."""
    allowed = []
    for action in TRANSITIONS:
        try:
            check(action, status, is_owner=is_owner, is_reporter=is_reporter)
        except (Forbidden, ActionNotAllowed):
            continue
        allowed.append(action)
    return allowed
