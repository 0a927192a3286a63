"""The throttle on failed authentication: the log-in form, HTTP Basic, API tokens, passwords.

Failures are counted per key, in the database (every process of the service shares them):

* ``pair:<address>|<e-mail>`` — one client address guessing one account. Always applies.
* ``address:<address>`` — one address trying many accounts (spraying), and bad API tokens.
* ``account:<e-mail>`` — many addresses trying one account (distributed guessing).
* ``reset:<e-mail>``, ``reset-address:<address>`` — requests for a reset link
  (:func:`reset_requested`); an unknown one-time link counts under ``address:``.

The address and account keys count and hold back only attempts from an address the account
has not logged in from before with its password (:class:`LoginAddress`). So an attacker can
slow down guessing but cannot lock a person out: from an address where they logged in
before, only their own mistakes there (the pair key) ever hold them back.

Each key has ``AUTH_FAILURE_LIMIT`` free failures. After ``n`` failures (``n`` at least the
limit) the next attempt is allowed only ``AUTH_FAILURE_DELAY · 2^(n − limit)`` seconds after
the last one, at most ``AUTH_FAILURE_WINDOW`` seconds; earlier attempts get
:class:`TooManyAttempts` (429 with ``Retry-After``) before any password is checked. A
failure counts for ``AUTH_FAILURE_MEMORY`` seconds; a successful log-in clears its pair.
Addresses are compared per IPv4 address and per IPv6 /64 network (what one subscriber gets).

An attempt is recorded before its password is checked, in a transaction of its own, so that
concurrent attempts count each other; it stays as a failure, or is removed when it succeeds
or is refused.
"""

import hashlib
import hmac
import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from signals.auth.models import AuthFailure, LoginAddress, User
from signals.clock import now
from signals.errors import TooManyAttempts
from signals.extensions import db
from signals.settings import settings
from signals.transaction import unit_of_work

KEY_LENGTH = 300  # AuthFailure.key
# An address a person logged in from stays trusted this long after their last log-in there.
ADDRESS_KEPT = timedelta(days=180)
# Failed log-ins are kept a day (for the administrator who looks into an attack) and as long
# as they count (AUTH_FAILURE_MEMORY), then deleted by retention (signals.retention.purge).
FAILURES_KEPT = timedelta(days=1)
UNKNOWN_ADDRESS = "onbekend"


@dataclass(frozen=True)
class Attempt:
    """A password attempt under way: its pair key and its rows in ``AuthFailure``."""

    pair_key: str
    failure_ids: tuple[int, ...]
    address: str | None


def begin_password_attempt(email: str, address: str | None, user: User | None) -> Attempt:
    """Record an attempt with ``email``'s password from ``address`` (``user``: its owner).

    Raises :class:`TooManyAttempts` (and records nothing) when one of its keys is held
    back; otherwise the attempt counts as a failure until :func:`attempt_succeeded`.
    """
    account = _account(email)
    network = client_network(address)
    pair = _key(f"pair:{network}|{account}")
    keys = [pair]
    if user is None or not is_known_address(user, address):
        keys += [_key(f"address:{network}"), _key(f"account:{account}")]
    return Attempt(pair, _record_or_refuse(keys), address)


def attempt_succeeded(attempt: Attempt, user: User) -> None:
    """The password was right: forget the attempt and the pair's failures, trust the address."""
    moment = now()
    with unit_of_work():
        db.session.execute(
            delete(AuthFailure).where(
                or_(AuthFailure.id.in_(attempt.failure_ids), AuthFailure.key == attempt.pair_key)
            )
        )
        if attempt.address:
            _remember_address(user, attempt.address, moment)


def token_failed(address: str | None) -> None:
    """Count an unknown API token from ``address``; :class:`TooManyAttempts` if held back."""
    _record_or_refuse([_key(f"address:{client_network(address)}")])


def reset_requested(email: str, address: str | None) -> None:
    """Count a request for a reset link for ``email`` from ``address``, known or not.

    Each request counts as a failure of its own keys (``reset:`` the e-mail address,
    ``reset-address:`` the client's network), so a flood of reset e-mails to one person or
    from one client is held back (:class:`TooManyAttempts`) alike whether the address is a
    person's or not.
    """
    network = client_network(address)
    keys = [_key(f"reset:{_account(email)}"), _key(f"reset-address:{network}")]
    try:
        _record_or_refuse(keys)
    except TooManyAttempts as error:
        raise TooManyAttempts(error.retry_after, "aanvragen van een nieuw wachtwoord") from None


def is_known_address(user: User, address: str | None) -> bool:
    """Whether ``user`` logged in from ``address`` with their password (recently enough)."""
    if not address:
        return False
    query = select(LoginAddress.last_login_at).where(
        LoginAddress.user_id == user.id, LoginAddress.address_hash == _address_hash(address)
    )
    last = db.session.scalar(query)
    return last is not None and last >= now() - ADDRESS_KEPT


def client_network(address: str | None) -> str:
    """The address as counted: IPv4 as it is, IPv6 as its /64 network."""
    if not address:
        return UNKNOWN_ADDRESS
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return ascii(address)[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def old_failures(before: datetime) -> ColumnElement[bool]:
    """SQL: the failures older than ``before`` that no longer count (deleted by housekeeping)."""
    return AuthFailure.at < min(before, now() - _memory())


def forget_old_failures(before: datetime) -> int:
    """Housekeeping, every sweep: delete old failures and addresses; how many failures.

    A failure goes when it is older than ``before`` and no longer counts; a log-in address
    when it is no longer trusted.
    """
    moment = now()
    with unit_of_work():
        result = db.session.execute(delete(AuthFailure).where(old_failures(before)))
        db.session.execute(
            delete(LoginAddress).where(LoginAddress.last_login_at < moment - ADDRESS_KEPT)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def _record_or_refuse(keys: Sequence[str]) -> tuple[int, ...]:
    """Record a failure for each key; if any key is held back, take them out and refuse."""
    moment = now()
    with unit_of_work():
        rows = [AuthFailure(key=key, at=moment) for key in keys]
        db.session.add_all(rows)
        db.session.flush()
        ids = tuple(row.id for row in rows)
    wait = max(_wait(key, own, moment) for key, own in zip(keys, ids, strict=True))
    if wait > 0:
        with unit_of_work():
            db.session.execute(delete(AuthFailure).where(AuthFailure.id.in_(ids)))
        raise TooManyAttempts(wait)
    return ids


def _wait(key: str, own: int, moment: datetime) -> int:
    """Seconds until ``key`` allows another attempt, counting every failure but ``own``."""
    count, last = db.session.execute(
        select(func.count(), func.max(AuthFailure.at)).where(
            AuthFailure.key == key, AuthFailure.id != own, AuthFailure.at > moment - _memory()
        )
    ).one()
    free = settings().auth_failure_limit
    if count < free or last is None:
        return 0
    allowed = last + _delay(count - free)
    return max(0, math.ceil((allowed - moment).total_seconds()))


def _delay(beyond_free: int) -> timedelta:
    """The pause after a failure that is ``beyond_free`` failures past the free ones."""
    first = settings().auth_failure_delay
    longest = float(settings().auth_failure_window)
    seconds = longest if beyond_free >= 64 else min(longest, first * 2**beyond_free)
    return timedelta(seconds=seconds)


def _memory() -> timedelta:
    return timedelta(seconds=settings().auth_failure_memory)


def _remember_address(user: User, address: str, moment: datetime) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(LoginAddress).values(
        user_id=user.id, address_hash=_address_hash(address), last_login_at=moment
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[LoginAddress.user_id, LoginAddress.address_hash],
            set_={"last_login_at": statement.excluded.last_login_at},
        )
    )


def _address_hash(address: str) -> str:
    """A keyed hash of the address's network: recognisable again, not readable."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"login-address:{client_network(address)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _account(email: str) -> str:
    # ascii(): whatever was typed (a NUL, a broken character) becomes storable text
    return ascii(email.strip().lower())


def _key(text: str) -> str:
    return text[:KEY_LENGTH]
