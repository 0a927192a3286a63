"""The rate limit on failed authentication: log-in form, HTTP Basic and API tokens.

Failures are counted per key — the client's address, and for a password also the e-mail
address it was tried for — in a sliding window (``AUTH_FAILURE_WINDOW`` seconds). At
``AUTH_FAILURE_LIMIT`` failures further attempts with that key are refused before any
password is checked, so guessing stops there. The count lives in the database, so every
web and API process of the service shares it. A failure is recorded in a transaction of its
own: the request it belongs to fails, the record must not.
"""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from signals.auth.models import AuthFailure
from signals.clock import now
from signals.errors import TooManyAttempts
from signals.extensions import db
from signals.transaction import unit_of_work


def address_key(address: str | None) -> str:
    return f"address:{address or 'onbekend'}"


def email_key(email: str) -> str:
    # ascii(): whatever was typed (a NUL, a broken character) becomes storable text
    return f"email:{ascii(email.strip().lower())[:250]}"


def check_attempts(keys: Iterable[str]) -> None:
    """Refuse (:class:`TooManyAttempts`) when any of ``keys`` has too many recent failures."""
    keys = list(keys)
    since = now() - _window()
    query = (
        select(func.count(), func.min(AuthFailure.at))
        .where(AuthFailure.key.in_(keys), AuthFailure.at > since)
        .group_by(AuthFailure.key)
    )
    for count, oldest in db.session.execute(query):
        if count >= _limit():
            db.session.rollback()
            raise TooManyAttempts(_seconds_until_free(oldest))


def record_failure(keys: Iterable[str]) -> None:
    """Count a failed attempt for each of ``keys`` (committed at once)."""
    moment = now()
    with unit_of_work():
        db.session.add_all(AuthFailure(key=key, at=moment) for key in keys)


def forget_old_failures(before: datetime) -> int:
    """Delete failures older than ``before`` (the scheduler's housekeeping); how many."""
    with unit_of_work():
        result = db.session.execute(delete(AuthFailure).where(AuthFailure.at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def _limit() -> int:
    return int(current_app.config["AUTH_FAILURE_LIMIT"])


def _window() -> timedelta:
    return timedelta(seconds=int(current_app.config["AUTH_FAILURE_WINDOW"]))


def _seconds_until_free(oldest: datetime) -> int:
    return max(1, math.ceil((oldest + _window() - now()).total_seconds()))
