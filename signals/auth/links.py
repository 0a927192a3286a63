"""One-time account links: invitations, *wachtwoord vergeten*, and setting a password by link.

A link carries a random token of 256 bits (``secrets.token_urlsafe(32)``); only its SHA-256
hash is stored (:class:`AccountLink`), like an API token's. A link works once and until it
expires: an invitation for :data:`INVITE_VALID`, a reset for :data:`RESET_VALID`. A new
link of a purpose ends that person's older unused links of the same purpose, and setting a
password through a link ends all their other unused links and every session of theirs.

Asking for a reset link answers the same whether the address is a person's or not: the
request is counted by the throttle either way, and only an active person gets an e-mail.
Each change commits together with its e-mail in the outbox (:func:`queue_mail`).
"""

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, select, update

from signals.audit.services import Subject, log_access
from signals.auth import throttle
from signals.auth.models import AccountLink, LinkPurpose, User
from signals.auth.passwords import email_problem
from signals.auth.schemas import ForgotPasswordSchema, LinkPasswordSchema
from signals.auth.services import end_sessions, hash_password, user_by_email
from signals.clock import now
from signals.errors import InputInvalid, StateConflict
from signals.extensions import db
from signals.notifications.services import link_to, queue_mail
from signals.transaction import unit_of_work
from signals.validation import load

INVITE_VALID = timedelta(hours=72)
RESET_VALID = timedelta(hours=1)
# An expired link is kept a week (for the administrator asked why a link did not work), then
# deleted by retention (signals.retention.purge).
LINKS_KEPT = timedelta(days=7)
TOKEN_BYTES = 32  # 256 bits; the link's token is 43 URL-safe characters
TOKEN_MAX_LENGTH = 100
VALID_FOR = {LinkPurpose.INVITE: INVITE_VALID, LinkPurpose.RESET: RESET_VALID}
MAIL_KIND = {LinkPurpose.INVITE: "account_invitation", LinkPurpose.RESET: "password_reset"}

NOT_ACTIVE = "Deze persoon is gedeactiveerd; een uitnodiging kan pas na heractiveren."
LINK_UNKNOWN = (
    "Deze link werkt niet: hij is onvolledig overgenomen of bestaat niet. Vraag een nieuwe "
    "aan via 'Wachtwoord vergeten' op de inlogpagina."
)
LINK_USED = (
    "Deze link is al gebruikt; hij werkt maar één keer. Log in met uw wachtwoord, of vraag "
    "een nieuwe link aan via 'Wachtwoord vergeten' op de inlogpagina."
)
LINK_EXPIRED = (
    "Deze link is verlopen, of vervangen door een nieuwere link. Vraag een nieuwe aan via "
    "'Wachtwoord vergeten' op de inlogpagina, of vraag de beheerder om een nieuwe uitnodiging."
)


class LinkRefused(StateConflict):
    """The one-time link is unknown, used, expired or its person deactivated (Dutch message)."""

    status_code = 410
    code = "link_refused"


def invite_user(user: User, actor: User | None = None) -> None:
    """E-mail ``user`` an invitation: a link, valid :data:`INVITE_VALID`, to set a password.

    ``actor``: the administrator who invites (None: the command line). Access-logged.
    """
    if not user.active:
        raise StateConflict(NOT_ACTIVE)
    with unit_of_work():
        _issue(user, LinkPurpose.INVITE, inviter=actor.name if actor is not None else None)
        log_access(actor, "user_invited", Subject.person(user))


def request_reset(data: Mapping[str, Any], address: str | None) -> None:
    """*Wachtwoord vergeten*: e-mail a reset link, valid :data:`RESET_VALID`, if it may.

    The same for every well-formed address: counted by the throttle (from ``address``;
    :class:`TooManyAttempts` when held back) and without a word on whether it is a
    person's. Only an active person gets the e-mail.
    """
    fields = load(ForgotPasswordSchema(), data)
    throttle.reset_requested(fields["email"], address)
    user = user_by_email(fields["email"])
    if user is None or not user.active:
        _hash(_new_token())  # about the work of a real link, without storing anything
        return
    with unit_of_work():
        _issue(user, LinkPurpose.RESET)


def check_link(token: str) -> AccountLink:
    """The usable link of ``token``; :class:`LinkRefused` (with why, in Dutch) otherwise.

    Reads only: showing the page behind a link changes nothing.
    """
    link = _link_of(token)
    if link is None or not link.user.active:
        raise LinkRefused(LINK_UNKNOWN)
    if link.used_at is not None:
        raise LinkRefused(LINK_USED)
    if link.expires_at <= now():
        raise LinkRefused(LINK_EXPIRED)
    return link


def set_password_by_link(token: str, data: Mapping[str, Any], address: str | None) -> User:
    """Set the password of the person of link ``token``, using the link up.

    An unknown link counts under the throttle for ``address``. The password follows the
    password rules (typed twice). In one transaction: the link is used (once, also when two
    requests race), the person's other unused links end, and every session of theirs ends.
    """
    if _link_of(token) is None:
        throttle.token_failed(address)
    link = check_link(token)
    user = link.user
    fields = _password_fields(data, user.email)
    moment = now()
    with unit_of_work():
        _use(link, moment)
        user.password_hash = hash_password(fields["password"])
        end_sessions(user)
        _end_unused_links(user, moment)
        log_access(None, "password_set", Subject.person(user), detail=_how(link))
    return user


def forget_old_links(moment: datetime) -> int:
    """Housekeeping: delete the links expired more than :data:`LINKS_KEPT` ago; how many."""
    with unit_of_work():
        result = db.session.execute(
            delete(AccountLink)
            .where(AccountLink.expires_at < moment - LINKS_KEPT)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def _password_fields(data: Mapping[str, Any], email: str) -> dict[str, Any]:
    """The new password, or :class:`InputInvalid` with every field's messages."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    try:
        fields = load(LinkPasswordSchema(), data)
    except InputInvalid as error:
        errors = error.fields
    typed = data.get("password")
    problem = email_problem(typed if isinstance(typed, str) else None, email)
    if problem and "password" not in errors:
        errors["password"] = [problem]
    if errors:
        raise InputInvalid(errors)
    return fields


def _issue(user: User, purpose: LinkPurpose, **context: Any) -> None:
    """Store a new link for ``user`` and queue its e-mail (inside the caller's unit of work)."""
    moment = now()
    db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > moment,
        )
        .values(expires_at=moment)
    )
    token = _new_token()
    valid = VALID_FOR[purpose]
    db.session.add(
        AccountLink(
            user=user,
            purpose=purpose,
            token_hash=_hash(token),
            expires_at=moment + valid,
            created_at=moment,
        )
    )
    queue_mail(
        MAIL_KIND[purpose],
        user.email,
        {},
        user=user,
        hours=int(valid.total_seconds() // 3600),
        url=link_to("auth.account_link", token=token),
        **context,
    )


def _use(link: AccountLink, moment: datetime) -> None:
    """Mark ``link`` used, unless a concurrent request did so first (then refuse)."""
    result = db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.id == link.id,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > moment,
        )
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise LinkRefused(LINK_USED)


def _end_unused_links(user: User, moment: datetime) -> None:
    db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > moment,
        )
        .values(expires_at=moment)
        .execution_options(synchronize_session=False)
    )


def _link_of(token: str) -> AccountLink | None:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return db.session.scalar(select(AccountLink).where(AccountLink.token_hash == _hash(token)))


def _how(link: AccountLink) -> str:
    return "via uitnodiging" if link.purpose == LinkPurpose.INVITE else "via wachtwoord vergeten"


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
