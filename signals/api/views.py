"""The API's routes: parse the request, call the service the web UI calls too, answer JSON.

No rules live here. Who may see and do what, what a valid input is and what an action
changes are the services' to decide; a refusal arrives as a domain error and leaves in the
error envelope (:mod:`signals.api.errors`).
"""

import json
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from marshmallow import Schema
from werkzeug.exceptions import HTTPException

from signals.anonymous import services as anonymous
from signals.anonymous.schemas import AnonymousReplySchema
from signals.anonymous.schemas import AnonymousSignalSchema as AnonymousSignalInput
from signals.api import schemas
from signals.api.auth import basic_user, current_user, token_user
from signals.api.errors import (
    domain_error_response,
    error_response,
    http_error_response,
    is_api_request,
)
from signals.api.openapi import action_bodies, actions_table, build_spec, operation
from signals.audit.services import AccessLogFilters, access_log_page
from signals.auth.tokens import TokenSchema, issue_token
from signals.errors import InputInvalid, MalformedJson, SignalsError
from signals.extensions import csrf, db
from signals.figures import stats as statistics
from signals.figures.stats import StatsQuery
from signals.knowledge import services as knowledge
from signals.knowledge.schemas import KnowledgeFilters
from signals.kwesties import services as kwesties
from signals.kwesties.schemas import KwestieInputSchema
from signals.meetings import leerdialoog
from signals.meetings import services as meetings
from signals.meetings.schemas import (
    ActionItemSchema,
    AgendaSchema,
    DecisionSchema,
    DoneSchema,
    MinutesSchema,
    PlanMeetingSchema,
    RolesSchema,
    TimelineSchema,
)
from signals.routing.services import active_graph
from signals.search.schemas import SearchQuery
from signals.search.services import search
from signals.search.similar import similar_to_draft
from signals.validation import reusable
from signals.workflow import access, export, services
from signals.workflow.actions import KWESTIE_ACTIONS, SIGNAL_ACTIONS
from signals.workflow.export import ExportFilters
from signals.workflow.listing import SignalListSchema, list_signals
from signals.workflow.schemas import SignalInputSchema
from signals.workflow.services import IDEMPOTENCY_HEADER, MAX_KEY_LENGTH

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies: every request carries its own credentials
PUBLIC = {
    "api.openapi_document",
    "api.docs",
    "api.create_token",
    "api.create_anonymous_signal",
    "api.follow_anonymous_signal",
    "api.reply_anonymous_signal",
}
MALFORMED_JSON = "De body is geen geldige JSON."
NO_BODY = "Stuur een JSON-object met de velden in de body."
# Our deepest input is an object holding a list of texts; anything far deeper is not ours.
MAX_JSON_DEPTH = 16
TOO_DEEP = f"De JSON is te diep genest (meer dan {MAX_JSON_DEPTH} niveaus)."

# The actions endpoints' descriptions: the registry's table of actions, then what holds for all.
SIGNAL_ACTIONS_TEXT = f"""
{actions_table(SIGNAL_ACTIONS)}

Statussen: `new`, `in_progress`, `awaiting_reporter` (termijnen staan stil) zijn open;
`resolved` (afgehandeld, met uitkomst en onderbouwing) en `withdrawn` (door de melder
ingetrokken: geen uitkomst, geen tevredenheidsvraag, geen controle na zes maanden) zijn
gesloten. Een ingetrokken signaal kan niet opnieuw worden ingetrokken of heropend en
niemand kan er nog een actie op doen (behalve de bewaarplicht van een beheerder); de melder
dient zo nodig een nieuw signaal in.

Bewaartermijn: `SIGNALS_RETENTION_MONTHS` maanden na het sluiten (afhandelen of intrekken)
wordt een signaal geanonimiseerd (`anonymised_at`): titel *Geanonimiseerd signaal*, teksten
leeg, geen melder, geen namen in de tijdlijn; codes, data, route en uitkomst blijven. Daarna
is geen actie meer mogelijk (409). Een signaal met bewaarplicht (`legal_hold`) wordt niet
geanonimiseerd.

Elke actie neemt ook `version` (de versie die u zag): is het signaal intussen gewijzigd, dan
409 en verandert er niets.
"""
KWESTIE_ACTIONS_TEXT = f"""{actions_table(KWESTIE_ACTIONS)}

Elke actie neemt ook `version` (de versie die u zag): is de kwestie intussen gewijzigd, dan
409 en verandert er niets.
"""


def register(app: Flask) -> None:
    """Register the API blueprint (errors outside its views: :func:`api_error_for`)."""
    app.register_blueprint(bp)


@bp.before_request
def _authenticate() -> None:
    # The answer shows what the request itself just committed: no reloading it all from the
    # database after the commit (the session is this request's alone).
    db.session().expire_on_commit = False
    if request.endpoint not in PUBLIC:
        g.api_user = token_user()


@bp.errorhandler(SignalsError)
def _domain_error(error: SignalsError) -> Response:
    return domain_error_response(error)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return http_error_response(error)


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request's JSON object; 400 for what is not JSON, 422 for JSON that is no object.

    JSON nested deeper than any of our inputs (:data:`MAX_JSON_DEPTH`) is refused like
    malformed JSON: parsing and validating it would recurse until the interpreter gives up.
    No body at all is 422 where the operation needs one (``required``), else no fields.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise InputInvalid({"_schema": [NO_BODY]}, message=NO_BODY)
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedJson(MALFORMED_JSON) from None
    if nesting_depth(body) > MAX_JSON_DEPTH:
        raise MalformedJson(TOO_DEEP)
    if not isinstance(body, dict):
        raise InputInvalid({"_schema": ["Verwacht een JSON-object met velden."]})
    return body


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar: 0), without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_JSON_DEPTH:
            break
        pending.extend((child, depth + 1) for child in children)
    return deepest


def _answer(schema: type[Schema], data: Any, status: int = 200) -> Response:
    response = jsonify(reusable(schema).dump(data))
    response.status_code = status
    return response


# Tokens --------------------------------------------------------------------------------------


@bp.post("/tokens")
@operation(
    summary="Een API-sleutel aanmaken",
    description="Met HTTP Basic (e-mailadres en wachtwoord). De sleutel staat alleen in dit "
    "antwoord; bewaar hem. Intrekken kan op de pagina API-sleutels in de webapplicatie.",
    tag="Sleutels",
    body=TokenSchema,
    responses={201: ("De nieuwe sleutel", schemas.TokenCreateSchema)},
    errors=(401, 403, 409, 429),
    security="basic",
    body_required=False,
)
def create_token() -> Response:
    user = basic_user()
    issued = issue_token(user, json_body(required=False))
    return _answer(
        schemas.TokenCreateSchema, schemas.present_token(issued.token, issued.secret), 201
    )


# Signals -------------------------------------------------------------------------------------


@bp.post("/signals")
@operation(
    summary="Een signaal indienen",
    description="Het signaal gaat volgens de routekaart naar zijn eerste plek, met termijnen; "
    f"de melder krijgt een ontvangstbevestiging. Met `{IDEMPOTENCY_HEADER}` geeft een herhaald "
    "verzoek (dezelfde sleutel, dezelfde inhoud) het eerder gemaakte signaal terug in plaats "
    "van een tweede; dezelfde sleutel met andere inhoud is 409.",
    tag="Signalen",
    body=SignalInputSchema,
    headers=(
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_KEY_LENGTH,
                "pattern": "^[ -~]*[!-~][ -~]*$",  # printable ASCII, not only spaces
            },
            "description": "Uw eigen unieke sleutel voor deze inzending",
        },
    ),
    responses={
        201: (
            "Het nieuwe signaal (of, bij een herhaling, het eerder gemaakte)",
            schemas.SignalDetailSchema,
        )
    },
    errors=(403, 409),
    extra_response_headers={
        201: {
            "Idempotent-Replayed": {
                "description": "`true` als dit het eerder gemaakte signaal is",
                "schema": {"type": "string"},
            }
        }
    },
)
def create_signal() -> Response:
    user = current_user()
    body = json_body()
    key = request.headers.get(IDEMPOTENCY_HEADER)
    submission = services.submit_signal_once(user, body, key)
    signal = submission.signal
    response = _answer(
        schemas.SignalDetailSchema,
        schemas.present_signal(user, signal, with_events=True),
        201,
    )
    response.headers["Location"] = url_for(".get_signal", reference=signal.reference)
    if key is not None:
        response.headers["Idempotent-Replayed"] = "true" if submission.replayed else "false"
    return response


# The anonymous channel -------------------------------------------------------------------------

ANONYMOUS_TEXT = (
    "Zonder inloggen. Niets koppelt het signaal aan een persoon: geen gebruiker, geen "
    "IP-adres of user agent wordt bewaard. Uit met `SIGNALS_ANONYMOUS=false` (dan 404). "
)


@bp.post("/anonymous/signals")
@operation(
    summary="Anoniem een signaal indienen",
    description=ANONYMOUS_TEXT + "Dezelfde velden en controles als een gewoon signaal (zonder "
    "`kwestie_id`), plus een optioneel `email` voor berichten zonder inhoud, los van het signaal "
    "bewaard en gewist bij afhandeling. Het antwoord bevat de ontvangstcode: de enige keer. "
    "Per netwerk een beperkt aantal per dag (429).",
    tag="Anoniem",
    body=AnonymousSignalInput,
    responses={201: ("Het kenmerk en de ontvangstcode", schemas.AnonymousCreatedSchema)},
    errors=(404, 429),
    security="",
)
def create_anonymous_signal() -> Response:
    made = anonymous.submit_anonymous_signal(json_body(), request.remote_addr)
    return _answer(
        schemas.AnonymousCreatedSchema,
        {"reference": made.signal.reference, "receipt": made.receipt},
        201,
    )


@bp.get("/anonymous/<receipt>")
@operation(
    summary="Een anoniem signaal volgen met de ontvangstcode",
    description=ANONYMOUS_TEXT + "Een onbekende code: 404 na een pauze, zonder te zeggen waarom.",
    tag="Anoniem",
    responses={200: ("Het signaal zoals de melder het leest", schemas.AnonymousSignalViewSchema)},
    errors=(404, 429),
    security="",
)
def follow_anonymous_signal(receipt: str) -> Response:
    view = anonymous.follow_signal(receipt, request.remote_addr)
    return _answer(schemas.AnonymousSignalViewSchema, view)


@bp.post("/anonymous/<receipt>/reply")
@operation(
    summary="Als anonieme melder een vraag beantwoorden",
    description=ANONYMOUS_TEXT + "Alleen als het signaal op de melder wacht (anders 409).",
    tag="Anoniem",
    body=AnonymousReplySchema,
    responses={
        200: ("Het signaal zoals de melder het nu leest", schemas.AnonymousSignalViewSchema)
    },
    errors=(404, 409, 429),
    security="",
)
def reply_anonymous_signal(receipt: str) -> Response:
    anonymous.reply_anonymously(receipt, json_body(), request.remote_addr)
    return _answer(schemas.AnonymousSignalViewSchema, anonymous.follow_signal(receipt, None))


@bp.get("/signals")
@operation(
    summary="Signalen die u mag zien",
    description="Nieuwste eerst. `mine=true`: door u gemeld, of nu bij u (of uw groep) in "
    "behandeling. `overdue=true`: open en de lopende termijn (oppakken, eerste "
    "terugkoppeling) verstreken. Volgende pagina: `cursor` = `next_cursor`.",
    tag="Signalen",
    query=SignalListSchema,
    responses={200: ("Een pagina signalen", schemas.SignalPageSchema)},
)
def list_signals_view() -> Response:
    user = current_user()
    page = list_signals(user, request.args.to_dict())
    return _answer(
        schemas.SignalPageSchema,
        {
            "items": [schemas.present_signal(user, signal) for signal in page.signals],
            "next_cursor": page.next_cursor,
        },
    )


@bp.get("/signals.csv")
@operation(
    summary="De signalen die u mag zien, als CSV",
    description="Dezelfde filters als de lijst (zonder pagina's): één regel per signaal, nieuwste "
    "eerst, met codes en datums (UTF-8 met BOM, kopregel). Geen namen; de titel blijft leeg bij "
    "een plek die de melder verbergt. Wordt gestreamd: ook 100.000 regels gebruiken weinig "
    "geheugen.",
    tag="Signalen",
    query=ExportFilters,
    responses={
        200: (
            "CSV",
            {"content": {"text/csv": {"schema": {"type": "string"}}}},
        )
    },
    errors=(),
)
def export_signals() -> Response:
    user = current_user()
    conditions = export.list_conditions(user, request.args)
    lines = export.csv_lines(
        user, conditions, "signalen.csv", request.query_string.decode(errors="replace")
    )
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="signalen.csv"'
    return response


@bp.get("/signals/<reference>")
@operation(
    summary="Eén signaal met zijn tijdlijn",
    tag="Signalen",
    responses={200: ("Het signaal", schemas.SignalDetailSchema)},
    errors=(401, 403, 404, 429),
)
def get_signal(reference: str) -> Response:
    user = current_user()
    signal = access.get_fully_visible_signal(user, reference)
    access.record_view(user, signal)
    return _answer(
        schemas.SignalDetailSchema, schemas.present_signal(user, signal, with_events=True)
    )


@bp.post("/signals/<reference>/actions")
@operation(
    summary="Een actie op een signaal",
    description=SIGNAL_ACTIONS_TEXT,
    tag="Signalen",
    body=action_bodies(SIGNAL_ACTIONS),
    responses={200: ("Het signaal na de actie", schemas.SignalDetailSchema)},
    errors=(403, 404, 409),
)
def signal_action(reference: str) -> Response:
    user = current_user()
    body = json_body()
    action = SIGNAL_ACTIONS[_action(body, SIGNAL_ACTIONS)]
    signal = action.service(user, reference, body)
    return _answer(
        schemas.SignalDetailSchema, schemas.present_signal(user, signal, with_events=True)
    )


def _action(body: dict[str, Any], actions: Mapping[str, Any]) -> str:
    """Take ``action`` out of ``body`` (the rest is the action's input); 422 if unknown."""
    action = body.pop("action", None)
    if not isinstance(action, str) or action not in actions:
        choices = ", ".join(actions)
        raise InputInvalid({"action": [f"Kies een van: {choices}."]})
    return action


# Routes and codes ----------------------------------------------------------------------------


@bp.get("/routes")
@operation(
    summary="De actieve routekaart",
    tag="Routekaart",
    responses={200: ("Plekken, lijnen en de regels voor de eerste plek", schemas.RouteGraphSchema)},
    errors=(),
)
def route_graph() -> Response:
    return _answer(schemas.RouteGraphSchema, schemas.present_graph(active_graph()))


@bp.post("/routes/preview")
@operation(
    summary="Waar zou dit signaal heen gaan?",
    description="Dezelfde velden als bij indienen, alle optioneel; er wordt niets opgeslagen. "
    "Met u als melder: uw organisatie en leidinggevende tellen mee.",
    tag="Routekaart",
    body=SignalInputSchema(partial=True),
    responses={200: ("De eerste plek, de eigenaar en de termijnen", schemas.RoutePreviewSchema)},
    errors=(),
)
def route_preview() -> Response:
    user = current_user()
    body = json_body()
    decision = services.preview_valid_signal(user, body)
    similar = similar_to_draft(user, body)
    return _answer(schemas.RoutePreviewSchema, schemas.present_preview(decision, similar))


@bp.get("/codes")
@operation(
    summary="De codelijsten met hun Nederlandse labels",
    tag="Routekaart",
    responses={200: ("Per lijst de codes", schemas.CodeListsSchema)},
    errors=(),
)
def code_lists() -> Response:
    return _answer(schemas.CodeListsSchema, schemas.present_codes())


# Search --------------------------------------------------------------------------------------


@bp.get("/search")
@operation(
    summary="Zoeken in wat u mag zien",
    description="`q` is een kenmerk (`KM-2026-000123`, `Kwestie 12`: dan staat dat in `exact`) of "
    "woorden: signalen, kwesties, overleggen (notulen) en kennisartikelen die u mag openen en "
    'die alle woorden bevatten, met Nederlandse woordvormen ("schulden" vindt "schuld"); '
    "de beste eerst, per soort de tien beste. Per soort wordt gerangschikt binnen de 100 "
    "nieuwste treffers.",
    tag="Zoeken en kennis",
    query=SearchQuery,
    responses={200: ("Wat is gevonden", schemas.SearchResultSchema)},
    errors=(),
)
def search_view() -> Response:
    result = search(current_user(), request.args.to_dict())
    return _answer(schemas.SearchResultSchema, schemas.present_search(result))


# Access log ----------------------------------------------------------------------------------


@bp.get("/access-log")
@operation(
    summary="Het toegangslog (beheerders en de functionaris gegevensbescherming)",
    description="Wie de inhoud van een signaal inzag, wat werd geëxporteerd en wat beheerders "
    "deden; de nieuwste eerst. Filters: `person` (e-mailadres van wie iets deed of om wie het "
    "gaat), `signal` (kenmerk); `cursor` uit `next_cursor` voor de volgende pagina.",
    tag="Privacy",
    query=AccessLogFilters,
    responses={200: ("Een pagina van het toegangslog", schemas.AccessLogSchema)},
    errors=(401, 403, 422, 429),
)
def get_access_log() -> Response:
    page = access_log_page(current_user(), request.args.to_dict())
    return _answer(schemas.AccessLogSchema, schemas.present_access_log(page))


# Kwesties ------------------------------------------------------------------------------------


@bp.get("/kwesties")
@operation(
    summary="Kwesties die u mag zien",
    tag="Kwesties",
    responses={200: ("Open kwesties eerst", schemas.KwestieListSchema)},
    errors=(),
)
def list_kwesties() -> Response:
    summaries = kwesties.list_kwesties(current_user())
    return _answer(
        schemas.KwestieListSchema,
        {"items": [schemas.present_kwestie(summary) for summary in summaries]},
    )


@bp.post("/kwesties")
@operation(
    summary="Een kwestie starten",
    description="Met `from_signal` (en de `version` van dat signaal) wordt dat signaal meteen "
    "gekoppeld. Ligt de nieuwe kwestie op een onafhankelijke plek die niet de uwe is (de "
    "ombudsman), dan ziet u alleen waar ze ligt (`whereabouts_only`).",
    tag="Kwesties",
    body=KwestieInputSchema,
    responses={
        201: (
            "De nieuwe kwestie, of alleen waar ze ligt",
            {"anyOf": [schemas.KwestieDetailSchema, schemas.KwestieWhereaboutsSchema]},
        )
    },
    errors=(403, 404, 409),
)
def create_kwestie() -> Response:
    user = current_user()
    kwestie = kwesties.create_kwestie(user, json_body())
    if kwesties.may_see_kwestie(user, kwestie.id):
        response = _kwestie_answer(user, kwestie.id, 201)
    else:  # at an independent node that is not theirs: only where it went, as on the web
        response = _answer(
            schemas.KwestieWhereaboutsSchema, schemas.present_kwestie_whereabouts(kwestie), 201
        )
    response.headers["Location"] = url_for(".get_kwestie", kwestie_id=kwestie.id)
    return response


@bp.get("/kwesties/<int:kwestie_id>")
@operation(
    summary="Eén kwestie met haar signalen en geschiedenis",
    tag="Kwesties",
    responses={200: ("De kwestie", schemas.KwestieDetailSchema)},
)
def get_kwestie(kwestie_id: int) -> Response:
    return _kwestie_answer(current_user(), kwestie_id)


@bp.post("/kwesties/<int:kwestie_id>/actions")
@operation(
    summary="Een actie op een kwestie",
    description=KWESTIE_ACTIONS_TEXT,
    tag="Kwesties",
    body=action_bodies(KWESTIE_ACTIONS, prefix="Kwestie"),
    responses={200: ("De kwestie na de actie", schemas.KwestieDetailSchema)},
    errors=(403, 404, 409),
)
def kwestie_action(kwestie_id: int) -> Response:
    user = current_user()
    body = json_body()
    KWESTIE_ACTIONS[_action(body, KWESTIE_ACTIONS)].service(user, kwestie_id, body)
    return _kwestie_answer(user, kwestie_id)


def _kwestie_answer(user: Any, kwestie_id: int, status: int = 200) -> Response:
    kwestie = kwesties.get_visible_kwestie(user, kwestie_id)
    linked = kwesties.linked_signals_for(user, kwestie)
    timeline = kwesties.kwestie_timeline(user, kwestie)
    return _answer(
        schemas.KwestieDetailSchema,
        schemas.present_kwestie_detail(kwestie, linked, timeline),
        status,
    )


# Knowledge -----------------------------------------------------------------------------------


@bp.get("/knowledge")
@operation(
    summary="Kennisartikelen",
    description="Wat afgehandelde signalen en besloten kwesties hebben geleerd, in de woorden "
    "van wie ze publiceerde: het mechanisme, de regelingen, wat er is gedaan, de uitkomst en "
    "de gronden voor maatwerk. Nooit gegevens van een melder of inwoner. Iedereen die is "
    "ingelogd mag elk artikel lezen. Nieuwste eerst; `maatwerk=applied` of `not_applied`. "
    "Volgende pagina: `cursor` = `next_cursor`.",
    tag="Kennis",
    query=KnowledgeFilters,
    responses={200: ("Een pagina kennisartikelen", schemas.KnowledgePageSchema)},
    errors=(),
)
def list_knowledge() -> Response:
    page = knowledge.list_articles(current_user(), request.args.to_dict())
    return _answer(
        schemas.KnowledgePageSchema,
        {
            "items": [schemas.present_article(view) for view in page.articles],
            "next_cursor": page.next_cursor,
        },
    )


@bp.get("/knowledge/<int:article_id>")
@operation(
    summary="Eén kennisartikel",
    description="Met zijn kwestie, als u die mag zien.",
    tag="Kennis",
    responses={200: ("Het artikel", schemas.KnowledgeArticleSchema)},
)
def get_knowledge_article(article_id: int) -> Response:
    view = knowledge.get_article(current_user(), article_id)
    return _answer(schemas.KnowledgeArticleSchema, schemas.present_article(view))


# Meetings ------------------------------------------------------------------------------------


@bp.get("/meetings")
@operation(
    summary="Overleggen die u mag zien",
    tag="Overleggen",
    responses={200: ("Geplande overleggen eerst", schemas.MeetingListSchema)},
    errors=(),
)
def list_meetings_view() -> Response:
    user = current_user()
    items = [_present_meeting(user, m) for m in meetings.list_meetings(user)]
    return _answer(schemas.MeetingListSchema, {"items": items})


@bp.post("/meetings")
@operation(
    summary="Een overleg plannen",
    description="Voor een plek in de route waarvan u (met uw groep) eigenaar bent. Actiepunten "
    "die op hun terugkoppelmoment wachten, komen meteen op de agenda.",
    tag="Overleggen",
    body=PlanMeetingSchema,
    responses={201: ("Het geplande overleg", schemas.MeetingOutSchema)},
    errors=(403, 404),
)
def plan_meeting() -> Response:
    user = current_user()
    meeting = meetings.plan_meeting(user, json_body())
    response = _meeting_answer(user, meeting.id, 201)
    response.headers["Location"] = url_for(".get_meeting", meeting_id=meeting.id)
    return response


@bp.get("/meetings/<int:meeting_id>")
@operation(
    summary="Eén overleg met agenda, verslag en actiepunten",
    tag="Overleggen",
    responses={200: ("Het overleg", schemas.MeetingOutSchema)},
)
def get_meeting(meeting_id: int) -> Response:
    return _meeting_answer(current_user(), meeting_id)


@bp.post("/meetings/<int:meeting_id>/agenda")
@operation(
    summary="Iets agenderen (of voorstellen)",
    description="Een deelnemer zet een signaal of kwestie op de agenda: de melder hoort wanneer "
    "het besproken wordt. Wie geen deelnemer is maar het signaal mag zien, stelt het voor: het "
    "item krijgt `status` `proposed` en de voorzitter beslist.",
    tag="Overleggen",
    body=AgendaSchema,
    responses={201: ("Het agendapunt", schemas.AgendaItemOutSchema)},
    errors=(403, 404, 409),
)
def add_to_agenda(meeting_id: int) -> Response:
    user = current_user()
    item = meetings.add_to_agenda(user, meeting_id, json_body())
    return _answer(schemas.AgendaItemOutSchema, _present_item(item), 201)


@bp.post("/meetings/<int:meeting_id>/agenda/<int:agenda_item_id>/decision")
@operation(
    summary="Een voorstel voor de agenda aannemen of afwijzen",
    description="`decision`: `accept` of `decline` (dan met `reason`, voor de voorsteller).",
    tag="Overleggen",
    body=DecisionSchema,
    responses={200: ("Het agendapunt", schemas.AgendaItemOutSchema)},
    errors=(404, 409),
)
def decide_proposal(meeting_id: int, agenda_item_id: int) -> Response:
    user = current_user()
    item = meetings.decide_proposal(user, meeting_id, agenda_item_id, json_body())
    return _answer(schemas.AgendaItemOutSchema, _present_item(item))


@bp.post("/meetings/<int:meeting_id>/minutes")
@operation(
    summary="Het overleg vastleggen: verslag en conclusies",
    description="Per besproken signaal of kwestie een conclusie (`message`); de melder krijgt "
    "die, en dat telt als terugkoppeling. Met `then` volgt in dezelfde stap `forward` (`to`), "
    "`resolve` (`outcome`, `rationale`) of `link` (`kwestie`). Lukt één stap niet, dan wordt "
    "niets vastgelegd.",
    tag="Overleggen",
    body=MinutesSchema,
    responses={200: ("Het gehouden overleg", schemas.MeetingOutSchema)},
    errors=(403, 404, 409),
)
def record_minutes(meeting_id: int) -> Response:
    user = current_user()
    meetings.hold_meeting(user, meeting_id, json_body())
    return _meeting_answer(user, meeting_id)


@bp.post("/meetings/<int:meeting_id>/action_items")
@operation(
    summary="Een actiepunt vastleggen",
    description="`owner`: het e-mailadres van een gebruiker of een groep van de route. De "
    "planner herinnert voor `due`, legt eenmaal vast dat het over de datum is, en vraagt op "
    "`feedback_on` om terugkoppeling; dan komt het op de agenda van het volgende overleg.",
    tag="Overleggen",
    body=ActionItemSchema,
    responses={201: ("Het actiepunt", schemas.ActionItemOutSchema)},
    errors=(403, 404),
)
def add_action_item(meeting_id: int) -> Response:
    user = current_user()
    item = meetings.add_action_item(user, meeting_id, json_body())
    return _answer(schemas.ActionItemOutSchema, _present_action_item(user, item), 201)


@bp.post("/action_items/<int:item_id>/done")
@operation(
    summary="Een actiepunt afronden",
    description="Met `note`: wat het opleverde. Een gekoppelde melder hoort het.",
    tag="Overleggen",
    body=DoneSchema,
    responses={200: ("Het actiepunt", schemas.ActionItemOutSchema)},
    errors=(403, 404, 409),
)
def complete_action_item(item_id: int) -> Response:
    user = current_user()
    item = meetings.complete_action_item(user, item_id, json_body())
    return _answer(schemas.ActionItemOutSchema, _present_action_item(user, item))


@bp.post("/meetings/<int:meeting_id>/leerdialoog/roles")
@operation(
    summary="De rollen van een leerdialoog",
    description="Alle rollen tegelijk: `roles` is een lijst van `{person, role}` (e-mailadres en "
    "`gespreksleider`, `casusinbrenger`, `verdiepingspanel`, `notulist` of `organisator`). "
    "Eén rol per persoon; precies één gespreksleider, casusinbrenger en notulist; de "
    "casusinbrenger is nooit een teamleider; minstens één niet-betrokkene in het "
    "verdiepingspanel. Wat de leerdialoog afraadt, staat in `warnings`.",
    tag="Overleggen",
    body=RolesSchema,
    responses={200: ("De leerdialoog", schemas.MeetingOutSchema)},
    errors=(403, 404, 409),
)
def set_meeting_roles(meeting_id: int) -> Response:
    user = current_user()
    leerdialoog.set_roles(user, meeting_id, json_body())
    return _meeting_answer(user, meeting_id)


@bp.post("/meetings/<int:meeting_id>/leerdialoog/timeline")
@operation(
    summary="De tijdlijn van de casus van een leerdialoog",
    description="Alle momenten tegelijk: `entries` met `date`, `event` en `parties`.",
    tag="Overleggen",
    body=TimelineSchema,
    responses={200: ("De leerdialoog", schemas.MeetingOutSchema)},
    errors=(403, 404, 409),
)
def set_meeting_timeline(meeting_id: int) -> Response:
    user = current_user()
    leerdialoog.set_timeline(user, meeting_id, json_body())
    return _meeting_answer(user, meeting_id)


def _meeting_answer(user: Any, meeting_id: int, status: int = 200) -> Response:
    meeting = meetings.get_visible_meeting(user, meeting_id)
    return _answer(schemas.MeetingOutSchema, _present_meeting(user, meeting), status)


def _present_meeting(user: Any, meeting: Any) -> dict[str, Any]:
    visible = meetings.visible_references(user, meeting)
    reads = meetings.may_read_minutes(user, meeting)
    return schemas.present_meeting(meeting, visible, reads, leerdialoog.warnings(meeting))


def _present_item(item: Any) -> dict[str, Any]:
    reference = item.signal.reference if item.signal is not None else None
    return {
        "id": item.id,
        "status": item.status,
        "signal": reference,
        "kwestie": item.kwestie_id,
        "action_item": item.action_item_id,
        "note": item.note,
        "reason": item.reason,
        "conclusion": item.conclusion,
    }


def _present_action_item(user: Any, item: Any) -> dict[str, Any]:
    reference = [item.signal.reference] if item.signal is not None else []
    return schemas.present_action_item(item, access.fully_visible_references(user, reference))


# Figures -------------------------------------------------------------------------------------


@bp.get("/stats")
@operation(
    summary="Cijfers over een periode",
    description="Over de signalen die in de periode (`from` tot en met `to`) zijn ingediend en "
    "die u mag zien, eventueel alleen die op een plek liggen of lagen (`node`). Geen cijfer over "
    "minder dan 5 signalen: een aantal van 1 tot 4 en een aandeel, gemiddelde of mediaan over "
    "minder dan 5 is `null`. `on_time`: per termijn het aandeel bezoeken aan een plek waarin de "
    "termijn is gehaald (`update`: hoe vaak een mens de melder iets liet weten in plaats van het "
    "automatische statusbericht).",
    tag="Cijfers",
    query=StatsQuery,
    responses={200: ("De cijfers", schemas.StatsSchema)},
    errors=(),
)
def stats() -> Response:
    figures = statistics.figures(current_user(), request.args)
    data = {**figures, "start": figures.pop("from"), "end": figures.pop("to")}
    return _answer(schemas.StatsSchema, data)


# The document --------------------------------------------------------------------------------


@bp.get("/openapi.json")
@operation(
    summary="Dit document (OpenAPI 3)",
    tag="Documentatie",
    responses={200: ("Het OpenAPI-document", None)},
    errors=(),
    security="",
)
def openapi_document() -> Response:
    return jsonify(_spec())


@bp.get("/docs")
@operation(
    summary="Leesbare documentatie van deze API",
    tag="Documentatie",
    responses={200: ("Een HTML-pagina", None)},
    errors=(),
    security="",
)
def docs() -> str:
    return render_template("api/docs.html", spec=_spec())


def _spec() -> dict[str, Any]:
    spec: dict[str, Any] | None = current_app.extensions.get("signals.openapi")
    if spec is None:
        spec = build_spec(current_app._get_current_object())  # type: ignore[attr-defined]
        current_app.extensions["signals.openapi"] = spec
    return spec


def api_error_for(error: Exception) -> Response | None:
    """The error envelope for an error outside the blueprint's views (unknown API paths)."""
    if not is_api_request():
        return None
    if isinstance(error, SignalsError):
        return domain_error_response(error)
    if isinstance(error, HTTPException):
        return http_error_response(error)
    return error_response(500, "server_error", "Er ging iets mis aan onze kant.")
