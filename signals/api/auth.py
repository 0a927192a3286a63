"""Who is calling: a personal token (``Authorization: Bearer``), or HTTP Basic for a token.

A wrong token is counted against the client's address; a wrong password like one on the
log-in form (:mod:`signals.auth.throttle`). While the throttle holds an address back, a
wrong token gets 429 with ``Retry-After``, and so does a password attempt, before it is
checked. A valid token always works.
"""

from flask import g, request

from signals.auth.models import User
from signals.auth.services import log_in
from signals.auth.throttle import token_failed
from signals.auth.tokens import user_for_token
from signals.errors import InputInvalid, Unauthenticated

# Messages, not secrets (S105 reads "token" in a name as a password).
NO_TOKEN = "Stuur een API-sleutel mee: Authorization: Bearer <sleutel>."  # noqa: S105
BAD_TOKEN = "Deze API-sleutel is onbekend, ingetrokken of van een inactief account."  # noqa: S105
NO_BASIC = "Log in met HTTP Basic: uw e-mailadres en wachtwoord."
BAD_BASIC = "Onjuist e-mailadres of wachtwoord."


def token_user() -> User:
    """The owner of the request's bearer token; :class:`Unauthenticated` otherwise."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated(NO_TOKEN)
    user = user_for_token(secret.strip())
    if user is None:
        token_failed(request.remote_addr)  # 429 while this address is held back
        raise Unauthenticated(BAD_TOKEN)
    return user


def basic_user() -> User:
    """The user of the request's HTTP Basic e-mail and password (for ``POST /tokens``)."""
    credentials = request.authorization
    if credentials is None or credentials.type != "basic" or not credentials.username:
        raise Unauthenticated(NO_BASIC)
    credentials_in = {"email": credentials.username, "password": credentials.password or ""}
    try:
        return log_in(credentials_in, request.remote_addr)
    except InputInvalid:
        raise Unauthenticated(BAD_BASIC) from None


def current_user() -> User:
    """The caller, as authenticated for this request."""
    user: User = g.api_user
    return user
