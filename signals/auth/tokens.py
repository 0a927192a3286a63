"""Personal API tokens: made, shown once, kept as a hash, used, listed and revoked.

A token is ``ks_`` and 43 random URL-safe characters (256 bits). Only its SHA-256 hash is
stored — a fast hash is enough for a random secret of that length, and it lets a request be
authenticated with one index lookup. Its first characters are kept to tell tokens apart.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from signals.auth.models import ApiToken, User
from signals.clock import now
from signals.errors import Forbidden, NotFound, StateConflict
from signals.extensions import db
from signals.transaction import unit_of_work
from signals.validation import InputSchema, load, text_field

PREFIX = "ks_"
SHOWN_PREFIX = 10  # "ks_" and 7 characters
TOKEN_LIMIT = 20  # active tokens per person
# The last use is written at most this often: not a write for every request.
LAST_USED_PRECISION = timedelta(minutes=5)


class TokenSchema(InputSchema):
    """What a new token is for (a name its owner recognises)."""

    name = text_field(max_length=100, required=False, single_line=True)


@dataclass(frozen=True)
class IssuedToken:
    """A token as it is made: the record, and the secret, which is never shown again."""

    token: ApiToken
    secret: str


def issue_token(user: User, data: dict[str, Any] | None = None) -> IssuedToken:
    """Make a new token for ``user``; the caller shows ``secret`` to them once."""
    fields = load(TokenSchema(), data or {})
    if not user.active:
        raise Forbidden("Dit account is niet actief.")
    active = db.session.scalars(
        select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    if len(active) >= TOKEN_LIMIT:  # not the input's fault: possible again after a revocation
        raise StateConflict(f"U heeft al {TOKEN_LIMIT} API-sleutels; trek er eerst een in.")
    secret = PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        token = ApiToken(
            user=user,
            name=fields.get("name") or "API-sleutel",
            prefix=secret[:SHOWN_PREFIX],
            token_hash=_hash(secret),
            created_at=now(),
        )
        db.session.add(token)
    return IssuedToken(token, secret)


def user_for_token(secret: str) -> User | None:
    """The active owner of the active token ``secret``; None for anything else."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or not token.is_active or not token.user.active:
        return None
    moment = now()
    if token.last_used_at is None or token.last_used_at < moment - LAST_USED_PRECISION:
        with unit_of_work():
            db.session.execute(
                update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=moment)
            )
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    """``user``'s tokens, active ones first, newest first."""
    query = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(query))


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke a token: its owner's own, or any as an administrator. Revoking twice is fine."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.is_admin):
        raise NotFound("Deze API-sleutel bestaat niet.")
    if token.revoked_at is None:
        with unit_of_work():
            token.revoked_at = now()
    return token


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
