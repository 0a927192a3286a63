"""The API's error envelope: ``{"error": {"code", "message", "fields"}}``, never an HTML page.

Domain errors keep their status and Dutch message; HTTP errors (an unknown path, a method
not allowed, a body too large) and any unforeseen fault get the same envelope, so a client
never has to parse HTML.
"""

from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from signals.errors import InputInvalid, SignalsError, TooManyAttempts, Unauthenticated

API_PREFIX = "/api/"
HTTP_MESSAGES = {
    400: ("bad_request", "Het verzoek kon niet worden verwerkt."),
    401: ("unauthenticated", "Log in met een API-sleutel (Authorization: Bearer …)."),
    403: ("forbidden", "U mag dit niet doen."),
    404: ("not_found", "Dit bestaat niet of u heeft er geen toegang toe."),
    405: ("method_not_allowed", "Deze methode is hier niet mogelijk."),
    413: ("too_large", "Het verzoek is te groot."),
    415: ("unsupported_media_type", "Stuur JSON (Content-Type: application/json)."),
    500: ("server_error", "Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="signalen"'
    return response


def domain_error_response(error: SignalsError) -> Response:
    fields = error.fields if isinstance(error, InputInvalid) else None
    response = error_response(error.status_code, error.code, error.message, fields)
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthenticated) and request.endpoint == "api.create_token":
        response.headers["WWW-Authenticate"] = 'Basic realm="signalen", charset="UTF-8"'
    return response


def http_error_response(error: HTTPException) -> Response:
    status = error.code or 500
    code, message = HTTP_MESSAGES.get(status, HTTP_MESSAGES[400])
    response = error_response(status, code, message)
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response
