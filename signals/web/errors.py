"""Error pages in Dutch, and the mapping of domain errors to HTTP statuses for the web UI."""

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from signals.api.views import api_error_for
from signals.errors import SignalsError

Page = Response | tuple[str, int]

MESSAGES = {
    400: "Het verzoek kon niet worden verwerkt.",
    403: "U heeft geen toegang tot deze pagina.",
    404: "Deze pagina bestaat niet of u heeft er geen toegang toe.",
    405: "Deze actie is hier niet mogelijk.",
    413: "Het verzonden formulier is te groot.",
    500: "Er ging iets mis aan onze kant. Probeer het later opnieuw.",
}


def register(app: Flask) -> None:
    @app.errorhandler(SignalsError)
    def domain_error(error: SignalsError) -> Page:
        return api_error_for(error) or (_page(error.status_code, error.message), error.status_code)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        message = (
            "Het formulier is verlopen of niet via deze site verstuurd. "
            "Ga terug, herlaad de pagina en verstuur het opnieuw."
        )
        return _page(400, message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Page:
        status = error.code or 500
        return api_error_for(error) or (_page(status, MESSAGES.get(status, MESSAGES[400])), status)

    @app.errorhandler(500)
    def server_error(error: Exception) -> Page:
        return api_error_for(error) or (_page(500, MESSAGES[500]), 500)


def _page(status: int, message: str) -> str:
    return render_template("errors/error.html", status=status, message=message)
