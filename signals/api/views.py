"""The API's routes: parse the request, call the service the web UI calls too, answer JSON.

No rules live here. Who may see and do what, what a valid input is and what an action
changes are the services' to decide; a refusal arrives as a domain error and leaves in the
error envelope (:mod:`signals.api.errors`).
"""

import json
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import HTTPException

from signals import codes
from signals.api import schemas
from signals.api.auth import basic_user, current_user, token_user
from signals.api.errors import (
    domain_error_response,
    error_response,
    http_error_response,
    is_api_request,
)
from signals.api.openapi import build_spec, operation
from signals.auth.tokens import TokenSchema, issue_token
from signals.errors import InputInvalid, MalformedJson, SignalsError
from signals.extensions import csrf, db
from signals.kwesties import services as kwesties
from signals.kwesties.schemas import KwestieInputSchema
from signals.routing.services import active_graph
from signals.validation import reusable
from signals.workflow import services
from signals.workflow.listing import SignalListSchema, list_signals
from signals.workflow.models import Signal
from signals.workflow.schemas import SignalInputSchema
from signals.workflow.services import IDEMPOTENCY_HEADER, MAX_KEY_LENGTH

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies: every request carries its own credentials
PUBLIC = {"api.openapi_document", "api.docs", "api.create_token"}
MALFORMED_JSON = "De body is geen geldige JSON."

SignalAction = Callable[[Any, str, Mapping[str, Any]], Signal]
SIGNAL_ACTIONS: dict[str, SignalAction] = {
    "accept": services.accept_signal,
    "forward": services.forward_signal,
    "request_info": services.request_info,
    "reply": services.reply_to_question,
    "feedback": services.give_feedback,
    "resolve": services.resolve_signal,
    "reopen": services.reopen_signal,
    "link": kwesties.link_signal,
}
KWESTIE_ACTIONS = {"message": kwesties.kwestie_message, "decide": kwesties.decide_kwestie}


class SignalActionSchema(Schema):
    """An action on a signal: ``action`` and the fields that action takes (see the table)."""

    action = fields.String(required=True, validate=validate.OneOf(list(SIGNAL_ACTIONS)))
    version = fields.Integer(metadata={"description": "De `version` van het signaal dat u zag"})
    to = fields.String(metadata={"description": "forward: de volgende plek (een lijn vanaf hier)"})
    message = fields.String(metadata={"description": "Bericht aan de melder (of de eigenaar)"})
    outcome = fields.String(validate=validate.OneOf(list(codes.OUTCOMES)))
    rationale = fields.String(metadata={"description": "resolve: de onderbouwing"})
    kwestie = fields.Integer(metadata={"description": "link: het nummer van de kwestie"})


class KwestieActionSchema(Schema):
    """An action on a kwestie: a message to every linked reporter, or the decision."""

    action = fields.String(required=True, validate=validate.OneOf(list(KWESTIE_ACTIONS)))
    version = fields.Integer()
    message = fields.String()
    outcome = fields.String(validate=validate.OneOf(list(codes.OUTCOMES)))
    rationale = fields.String()


ACTIONS_TABLE = """
| action | wie | velden | gevolg |
|---|---|---|---|
| `accept` | eigenaar | — | `new` → `in_progress` |
| `forward` | eigenaar | `to`, `message` | naar plek `to` (een lijn in de route), status `new` |
| `request_info` | eigenaar | `message` | → `awaiting_reporter`, termijnen staan stil |
| `reply` | melder | `message` | → `in_progress`, termijnen lopen weer |
| `feedback` | eigenaar | `message` | bericht aan de melder; terugkoppeltermijn voldaan |
| `resolve` | eigenaar | `outcome`, `rationale`, `message` | → `resolved` |
| `reopen` | melder (binnen de termijn) of eigenaar | `message` | → `in_progress` |
| `link` | eigenaar | `kwestie` | het signaal hoort bij een kwestie |

Elke actie neemt ook `version` (de versie die u zag): is het signaal intussen gewijzigd, dan
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


def json_body() -> dict[str, Any]:
    """The request's JSON object; 400 for what is not JSON, 422 for JSON that is no object."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise MalformedJson(MALFORMED_JSON) from None
    if not isinstance(body, dict):
        raise InputInvalid({"_schema": ["Verwacht een JSON-object met velden."]})
    return body


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
    errors=(401, 403, 429),
    security="basic",
)
def create_token() -> Response:
    user = basic_user()
    issued = issue_token(user, json_body())
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
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
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
    response.headers["Location"] = f"{bp.url_prefix}/signals/{signal.reference}"
    if key is not None:
        response.headers["Idempotent-Replayed"] = "true" if submission.replayed else "false"
    return response


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


@bp.get("/signals/<reference>")
@operation(
    summary="Eén signaal met zijn tijdlijn",
    tag="Signalen",
    responses={200: ("Het signaal", schemas.SignalDetailSchema)},
    errors=(401, 403, 404, 429),
)
def get_signal(reference: str) -> Response:
    user = current_user()
    signal = services.get_fully_visible_signal(user, reference)
    return _answer(
        schemas.SignalDetailSchema, schemas.present_signal(user, signal, with_events=True)
    )


@bp.post("/signals/<reference>/actions")
@operation(
    summary="Een actie op een signaal",
    description=ACTIONS_TABLE,
    tag="Signalen",
    body=SignalActionSchema,
    responses={200: ("Het signaal na de actie", schemas.SignalDetailSchema)},
    errors=(403, 404, 409),
)
def signal_action(reference: str) -> Response:
    user = current_user()
    body = json_body()
    action = _action(body, SIGNAL_ACTIONS)
    signal = SIGNAL_ACTIONS[action](user, reference, body)
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
    decision = services.preview_signal(current_user(), json_body())
    return _answer(schemas.RoutePreviewSchema, schemas.present_preview(decision))


@bp.get("/codes")
@operation(
    summary="De codelijsten met hun Nederlandse labels",
    tag="Routekaart",
    responses={200: ("Per lijst de codes", schemas.CodeListsSchema)},
    errors=(),
)
def code_lists() -> Response:
    return _answer(schemas.CodeListsSchema, schemas.present_codes())


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
    "gekoppeld.",
    tag="Kwesties",
    body=KwestieInputSchema,
    responses={201: ("De nieuwe kwestie", schemas.KwestieDetailSchema)},
    errors=(403, 404, 409),
)
def create_kwestie() -> Response:
    user = current_user()
    kwestie = kwesties.create_kwestie(user, json_body())
    response = _kwestie_answer(user, kwestie.id, 201)
    response.headers["Location"] = f"{bp.url_prefix}/kwesties/{kwestie.id}"
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
    description="`message` (`message`): een bericht aan elke gekoppelde melder. `decide` "
    "(`outcome`, `rationale`, `message`): het besluit; open gekoppelde signalen worden ermee "
    "afgehandeld. Beide alleen door de eigenaar; `version` zoals bij signalen.",
    tag="Kwesties",
    body=KwestieActionSchema,
    responses={200: ("De kwestie na de actie", schemas.KwestieDetailSchema)},
    errors=(403, 404, 409),
)
def kwestie_action(kwestie_id: int) -> Response:
    user = current_user()
    body = json_body()
    action = _action(body, KWESTIE_ACTIONS)
    KWESTIE_ACTIONS[action](user, kwestie_id, body)
    return _kwestie_answer(user, kwestie_id)


def _kwestie_answer(user: Any, kwestie_id: int, status: int = 200) -> Response:
    kwestie = kwesties.get_visible_kwestie(user, kwestie_id)
    linked = kwesties.linked_signals_for(user, kwestie)
    return _answer(
        schemas.KwestieDetailSchema, schemas.present_kwestie_detail(kwestie, linked), status
    )


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
