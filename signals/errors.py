"""Domain errors raised by services: each carries its HTTP status, a code and a Dutch message.

Nothing here answers a request. The API answers them with its JSON error envelope
(:mod:`signals.api.errors`, from the blueprint's handler in :mod:`signals.api.views`); the app's
handler in :mod:`signals.web.errors` answers the rest with a Dutch error page, and an error
under ``/api/`` (an unknown path) with the envelope too. Web views that show a form again
catch the ones they expect themselves; the command line prints the message (:mod:`signals.cli`).
"""

from collections.abc import Mapping, Sequence

from signals.wording import counted


class SignalsError(Exception):
    """Base of the errors services raise on purpose: an HTTP status and a Dutch message."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputInvalid(SignalsError):
    """Input failed validation; ``fields`` maps each field to its Dutch messages."""

    status_code = 422
    code = "invalid_input"

    def __init__(
        self,
        fields: Mapping[str, Sequence[str]],
        message: str = "Niet alle velden zijn goed ingevuld.",
    ) -> None:
        super().__init__(message)
        self.fields = {name: list(messages) for name, messages in fields.items()}


class MalformedJson(SignalsError):
    """The body of an API request is not JSON at all (400; JSON that is wrong is 422)."""

    code = "malformed_json"


class NotFound(SignalsError):
    """The object does not exist, or the caller may not know that it exists."""

    status_code = 404
    code = "not_found"


class Forbidden(SignalsError):
    """The caller is known but may not do this."""

    status_code = 403
    code = "forbidden"


class StateConflict(SignalsError):
    """The request conflicts with the object's current state: not possible now (409).

    An action the object's status does not allow, a limit reached, a thing done already.
    """

    status_code = 409
    code = "conflict"


class StaleVersion(StateConflict):
    """Someone else changed the object since the caller looked at it; nothing was changed.

    The version the caller acted on is stale: seen again, the request may be sent again.
    """

    code = "stale"

    def __init__(
        self,
        message: str = (
            "Dit is intussen door iemand anders gewijzigd. Bekijk de nieuwe stand en probeer "
            "het opnieuw."
        ),
    ) -> None:
        super().__init__(message)


class Unauthenticated(SignalsError):
    """No valid credentials came with the request (the API's 401)."""

    status_code = 401
    code = "unauthenticated"


class TooManyAttempts(SignalsError):
    """Too many failed attempts to authenticate from here; ``retry_after`` in seconds."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(
        self, retry_after: int, attempts: str = "mislukte pogingen om in te loggen"
    ) -> None:
        super().__init__(f"Te veel {attempts}. Probeer het over {_wait(retry_after)} opnieuw.")
        self.retry_after = retry_after


def _wait(seconds: int) -> str:
    """A wait in Dutch: seconds under a minute, else whole minutes (rounded up)."""
    if seconds < 60:
        return counted(max(1, seconds), "seconde", "seconden")
    return counted(-(-seconds // 60), "minuut", "minuten")


class IdempotencyKeyReused(StateConflict):
    """An ``Idempotency-Key`` sent again with a different request; nothing was stored."""

    code = "idempotency_key_reused"
