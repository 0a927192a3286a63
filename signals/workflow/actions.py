"""The action registry: every action a person takes on a signal or a kwestie, declared once.

Per action: its name, its service (the one function the web and the API both call), the
schema of its fields, what the API's documentation says of it (who, what it changes; its
fields come from the schema) and how the web offers it (its URL part, the notice after it).
A signal action also has its transition: in which statuses, by whom, and where it leads
(:mod:`signals.workflow.transitions` checks it). The web, the API and the API's document all
read the actions from here, in this order.

A new action is an entry here, its service (with its input schema, when none of
:mod:`signals.workflow.schemas` fits) and its form on the page: ``signal_detail.html`` (the
form and its field labels) or ``kwestie_detail.html``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from signals.auth.models import User
from signals.knowledge import services as knowledge
from signals.knowledge.schemas import PublishSchema
from signals.kwesties import services as kwesties
from signals.kwesties.models import Kwestie
from signals.kwesties.schemas import DecideSchema, KwestieMessageSchema, LinkSchema
from signals.retention import services as retention
from signals.retention.schemas import HoldSchema
from signals.workflow import services
from signals.workflow.models import Signal
from signals.workflow.schemas import (
    AcceptSchema,
    ActionSchema,
    AddInfoSchema,
    FeedbackSchema,
    ForwardSchema,
    MessageSchema,
    ResolveSchema,
    WithdrawSchema,
)
from signals.workflow.transitions import (
    AWAITING,
    IN_PROGRESS,
    NEW,
    OPEN,
    RESOLVED,
    WITHDRAWN,
    Actor,
    Transition,
)

EVERY_STATUS = OPEN | {RESOLVED, WITHDRAWN}

Key = TypeVar("Key")  # what names the object acted on: a signal's reference, a kwestie's id
Result = TypeVar("Result")
A = TypeVar("A", bound="Action[Any, Any]")


@dataclass(frozen=True, kw_only=True)
class Action(Generic[Key, Result]):
    """One action, as its service, the API, the API's document and the web know it.

    ``who``, ``effect`` and ``note`` (a footnote, if any) are its row in the document's table
    of actions. ``slug`` is its URL part on the web (``/signalen/<reference>/<slug>``,
    ``/kwesties/<id>/<slug>``), None when its form is sent elsewhere; ``done`` the notice
    the web shows after it.
    """

    name: str
    service: Callable[[User, Key, Mapping[str, Any]], Result]
    schema: type[ActionSchema]
    who: str
    effect: str
    note: str = ""
    slug: str | None
    done: str


@dataclass(frozen=True, kw_only=True)
class SignalAction(Action[str, Signal]):
    """An action on a signal; ``transition``: the statuses it starts from, by whom, to where."""

    transition: Transition


KwestieAction = Action[int, Kwestie]

NOT_RESOLVED = "Een signaal kan pas als kennisartikel worden gepubliceerd als het is afgehandeld."


def _by_name(*actions: A) -> dict[str, A]:
    return {action.name: action for action in actions}


SIGNAL_ACTIONS: Mapping[str, SignalAction] = _by_name(
    SignalAction(
        name="accept",
        service=services.accept_signal,
        schema=AcceptSchema,
        transition=Transition(frozenset({NEW}), IN_PROGRESS, Actor.OWNER, "In behandeling nemen"),
        who="eigenaar",
        effect="`new` → `in_progress`",
        slug="accepteren",
        done="U heeft het signaal in behandeling genomen; de melder krijgt bericht.",
    ),
    SignalAction(
        name="forward",
        service=services.forward_signal,
        schema=ForwardSchema,
        transition=Transition(frozenset({NEW, IN_PROGRESS}), NEW, Actor.OWNER, "Doorsturen"),
        who="eigenaar",
        effect="naar plek `to` (een lijn in de route), status `new`",
        slug="doorsturen",
        done="Het signaal is doorgestuurd; de nieuwe eigenaar en de melder krijgen bericht.",
    ),
    SignalAction(
        name="request_info",
        service=services.request_info,
        schema=MessageSchema,
        transition=Transition(
            frozenset({NEW, IN_PROGRESS}), AWAITING, Actor.OWNER, "Vraag aan de melder"
        ),
        who="eigenaar",
        effect="→ `awaiting_reporter`, termijnen staan stil",
        slug="vraag",
        done="Uw vraag is naar de melder gestuurd; de termijnen staan stil tot het antwoord.",
    ),
    SignalAction(
        name="reply",
        service=services.reply_to_question,
        schema=MessageSchema,
        transition=Transition(frozenset({AWAITING}), IN_PROGRESS, Actor.REPORTER, "Antwoorden"),
        who="melder",
        effect="→ `in_progress`, termijnen lopen weer",
        slug="antwoord",
        done="Uw antwoord is verstuurd; het signaal is weer in behandeling.",
    ),
    SignalAction(
        name="feedback",
        service=services.give_feedback,
        schema=FeedbackSchema,
        transition=Transition(OPEN, None, Actor.OWNER, "Terugkoppeling geven"),
        who="eigenaar",
        effect="bericht aan de melder; terugkoppeltermijn voldaan",
        slug="terugkoppeling",
        done="Uw terugkoppeling is verstuurd naar de melder.",
    ),
    SignalAction(
        name="resolve",
        service=services.resolve_signal,
        schema=ResolveSchema,
        transition=Transition(OPEN, RESOLVED, Actor.OWNER, "Afhandelen"),
        who="eigenaar",
        effect="→ `resolved`",
        slug="afhandelen",
        done="Het signaal is afgehandeld; de melder krijgt uw bericht per e-mail.",
    ),
    SignalAction(
        name="reopen",
        service=services.reopen_signal,
        schema=MessageSchema,
        transition=Transition(
            frozenset({RESOLVED}), IN_PROGRESS, Actor.REPORTER_OR_OWNER, "Heropenen"
        ),
        who="melder (binnen de termijn) of eigenaar",
        effect="→ `in_progress`",
        slug="heropenen",
        done="Het signaal is heropend.",
    ),
    SignalAction(
        name="link",
        service=kwesties.link_signal,
        schema=LinkSchema,
        transition=Transition(OPEN, None, Actor.OWNER, "Koppelen aan een kwestie"),
        who="eigenaar",
        effect="het signaal hoort bij een kwestie",
        slug=None,  # its form is part of the kwesties' pages: /kwesties/koppelen/<reference>
        done="Het signaal is aan de kwestie gekoppeld; de melder krijgt bericht.",
    ),
    # The reporter's own: more information at any time the signal is open (the clocks do not
    # change; while a question waits for them, answering it is the way), and withdrawing it.
    SignalAction(
        name="add_info",
        service=services.add_info,
        schema=AddInfoSchema,
        transition=Transition(
            frozenset({NEW, IN_PROGRESS}),
            None,
            Actor.REPORTER,
            "Informatie toevoegen",
            refusals={
                AWAITING: "Er staat een vraag aan u open: beantwoord die, dan lopen de "
                "termijnen weer."
            },
        ),
        who="melder",
        effect="aanvulling voor de eigenaar; status en termijnen blijven",
        note="Bij `new` en `in_progress`; bij `awaiting_reporter` is `reply` de actie (die laat "
        "de termijnen weer lopen). De eigenaar krijgt de aanvulling per e-mail.",
        slug="aanvullen",
        done="Uw aanvulling is toegevoegd; de eigenaar krijgt bericht.",
    ),
    SignalAction(
        name="withdraw",
        service=services.withdraw_signal,
        schema=WithdrawSchema,
        transition=Transition(OPEN, WITHDRAWN, Actor.REPORTER, "Intrekken"),
        who="melder",
        effect="open → `withdrawn`: gesloten zonder uitkomst",
        note="Bij elke open status. De termijnen stoppen, de eigenaar krijgt de reden per e-mail.",
        slug="intrekken",
        done="U heeft het signaal ingetrokken; de eigenaar krijgt bericht.",
    ),
    # After the resolution: what was learned, for the next professional (signals.knowledge).
    SignalAction(
        name="publish",
        service=knowledge.publish_signal,
        schema=PublishSchema,
        transition=Transition(
            frozenset({RESOLVED}),
            None,
            Actor.OWNER,
            "Publiceren als kennisartikel",
            refusals=dict.fromkeys(OPEN, NOT_RESOLVED),
        ),
        who="eigenaar",
        effect="een kennisartikel (zonder de situatie, de melder of gegevens van een inwoner)",
        note="Bij `resolved`. Opnieuw publiceren werkt het artikel bij; er komt geen tweede.",
        slug="publiceren",
        done="Het signaal is gepubliceerd als kennisartikel.",
    ),
    # Retention (signals.retention): an administrator keeps a signal from anonymisation.
    SignalAction(
        name="legal_hold",
        service=retention.place_legal_hold,
        schema=HoldSchema,
        transition=Transition(EVERY_STATUS, None, Actor.ADMIN, "Bewaarplicht instellen"),
        who="beheerder",
        effect="het signaal wordt niet geanonimiseerd na de bewaartermijn",
        note="In elke status, zolang het signaal niet geanonimiseerd is en nog geen "
        "bewaarplicht heeft (anders 409). De reden komt in de tijdlijn.",
        slug="bewaarplicht",
        done="Het signaal staat onder bewaarplicht: het wordt niet geanonimiseerd.",
    ),
    SignalAction(
        name="release_hold",
        service=retention.release_legal_hold,
        schema=HoldSchema,
        transition=Transition(EVERY_STATUS, None, Actor.ADMIN, "Bewaarplicht opheffen"),
        who="beheerder",
        effect="de bewaarplicht vervalt; na de bewaartermijn wordt het signaal geanonimiseerd",
        note="Alleen bij een signaal met bewaarplicht (anders 409). Is de bewaartermijn al "
        "verstreken, dan wordt het bij de volgende ronde van de planner geanonimiseerd.",
        slug="bewaarplicht-opheffen",
        done="De bewaarplicht is opgeheven.",
    ),
)

# Who may take a kwestie action, and when, is the kwestie services' to check: its owner, and
# for a decision only while the kwestie is open, for publishing only once it is decided.
KWESTIE_ACTIONS: Mapping[str, KwestieAction] = _by_name(
    KwestieAction(
        name="message",
        service=kwesties.kwestie_message,
        schema=KwestieMessageSchema,
        who="eigenaar",
        effect="een bericht aan elke gekoppelde melder",
        slug="bericht",
        done="Uw bericht is verstuurd naar alle gekoppelde melders (één e-mail per melder).",
    ),
    KwestieAction(
        name="decide",
        service=kwesties.decide_kwestie,
        schema=DecideSchema,
        who="eigenaar",
        effect="het besluit; open gekoppelde signalen worden ermee afgehandeld",
        slug="besluit",
        done="Het besluit is vastgelegd; de open gekoppelde signalen zijn afgehandeld en de "
        "melders krijgen bericht.",
    ),
    KwestieAction(
        name="publish",
        service=knowledge.publish_kwestie,
        schema=PublishSchema,
        who="eigenaar",
        effect="een kennisartikel (zonder gegevens van melders of inwoners)",
        note="Na het besluit; bij een open kwestie 409. Opnieuw publiceren werkt het artikel "
        "bij; er komt geen tweede.",
        slug="publiceren",
        done="De kwestie is gepubliceerd als kennisartikel.",
    ),
)
