"""Organisations and users: creating them, logging in and out, passwords, deactivation.

One-time links by e-mail (invitations, *wachtwoord vergeten*) are :mod:`signals.auth.links`.

Also the logged-in user of a session (flask-login's user loader) and group members. Log-out,
a new password and deactivation raise the person's session generation, which ends every
session of theirs (:meth:`User.get_id`, :func:`load_user`).
"""

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from signals.audit.services import Subject, log_access
from signals.auth import throttle
from signals.auth.groups import check_groups
from signals.auth.models import GroupMembership, Organisation, User
from signals.auth.passwords import email_problem
from signals.auth.schemas import (
    LoginSchema,
    NewPasswordSchema,
    OrganisationInputSchema,
    PasswordChangeSchema,
    UserInputSchema,
)
from signals.clock import now
from signals.errors import InputInvalid
from signals.extensions import db
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.validation import load

LOGIN_FAILED = "Onbekende combinatie van e-mailadres en wachtwoord."
WRONG_CURRENT_PASSWORD = "Dit is niet uw huidige wachtwoord."  # noqa: S105 (a message)
SAME_PASSWORD = "Kies een ander wachtwoord dan uw huidige."  # noqa: S105 (a message)
SESSION_ID = re.compile(r"([0-9]{1,10}):([0-9]{1,10})")

# Checked against when the e-mail address is unknown, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def create_organisation(data: Mapping[str, Any]) -> tuple[Organisation, bool]:
    """Add an organisation, or return the one with that name; the flag says if it is new."""
    fields = load(OrganisationInputSchema(), data)
    existing = organisation_by_name(fields["name"])
    if existing is not None:
        if existing.kind != fields["kind"]:
            raise InputInvalid({"kind": [f"Bestaat al als soort '{existing.kind}'."]})
        return existing, False
    with unit_of_work():
        organisation = Organisation(name=fields["name"], kind=fields["kind"], created_at=now())
        db.session.add(organisation)
    return organisation, True


def organisation_by_name(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def group_members(group: str) -> list[User]:
    """The active members of route-node group ``group``, by id (they own what it owns)."""
    query = (
        select(User)
        .join(GroupMembership)
        .where(GroupMembership.group == group, User.active.is_(True))
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


def create_user(data: Mapping[str, Any], actor: User | None = None) -> User:
    """Add a user to an existing organisation, with an optional line manager and groups.

    ``actor``: who does it (None: the operator setting the service up); they must manage
    every group given (:mod:`signals.auth.groups`). Access-logged.
    """
    fields = load(UserInputSchema(), data)
    check_groups(actor, fields["groups"])
    errors: dict[str, list[str]] = {}
    organisation = organisation_by_name(fields["organisation"])
    if organisation is None:
        errors["organisation"] = [f"Onbekende organisatie '{fields['organisation']}'."]
    if user_by_email(fields["email"]) is not None:
        errors["email"] = ["Er is al een gebruiker met dit e-mailadres."]
    manager = user_by_email(fields["manager"]) if fields["manager"] else None
    if fields["manager"] and manager is None:
        errors["manager"] = [f"Onbekende leidinggevende '{fields['manager']}'."]
    if errors:
        raise InputInvalid(errors)
    with unit_of_work():
        user = User(
            email=fields["email"].lower(),
            name=fields["name"],
            organisation=organisation,
            role=fields["role"],
            manager=manager,
            password_hash=hash_password(fields["password"]),
            active=True,
            created_at=now(),
            group_memberships=[GroupMembership(group=group) for group in fields["groups"]],
        )
        db.session.add(user)
        db.session.flush()
        log_access(actor, "user_created", Subject.person(user), detail=_role_and_groups(user))
    return user


def _role_and_groups(user: User) -> str:
    groups = ", ".join(user.groups) or "geen"
    return f"rol {user.role}; groepen {groups}"


def set_partner_contact(data: Mapping[str, Any], actor: User | None = None) -> Organisation:
    """Make a user the municipality's contact person for a partner organisation."""
    organisation = organisation_by_name(str(data.get("organisation", "")))
    contact = user_by_email(str(data.get("contact", "")))
    errors: dict[str, list[str]] = {}
    if organisation is None:
        errors["organisation"] = ["Onbekende organisatie."]
    elif not organisation.is_partner:
        errors["organisation"] = ["Alleen een partnerorganisatie heeft een contactpersoon."]
    if contact is None:
        errors["contact"] = ["Onbekende gebruiker."]
    elif contact.organisation.is_partner:
        errors["contact"] = ["De contactpersoon werkt bij de gemeente, niet bij een partner."]
    if errors or organisation is None or contact is None:
        raise InputInvalid(errors)
    with unit_of_work():
        organisation.contact = contact
        log_access(actor, "partner_contact_set", Subject.person(contact), detail=organisation.name)
    return organisation


def authenticate(data: Mapping[str, Any]) -> User:
    """The active user whose e-mail and password match; :class:`InputInvalid` otherwise."""
    fields = load(LoginSchema(), data)
    return _check_password(user_by_email(fields["email"]), fields["password"])


def log_in(data: Mapping[str, Any], address: str | None) -> User:
    """:func:`authenticate` under the throttle, for the log-in form and HTTP Basic alike.

    An attempt from ``address`` that the throttle holds back is refused
    (:class:`TooManyAttempts`) before the password is checked; a failure is counted.
    A form without e-mail address or password is no attempt: it only gets its messages.
    """
    fields = load(LoginSchema(), data)
    user = user_by_email(fields["email"])
    attempt = throttle.begin_password_attempt(fields["email"], address, user)
    checked = _check_password(user, fields["password"])
    throttle.attempt_succeeded(attempt, checked)
    return checked


def log_out(user: User) -> None:
    """End every session of ``user``: this browser's and any other (a cookie copied too)."""
    with unit_of_work():
        end_sessions(user)


def change_password(user: User, data: Mapping[str, Any], address: str | None) -> None:
    """``user`` sets a new password (typed twice), proving the current one.

    The current password is checked under the throttle, like a log-in from ``address``. The
    new one follows the password rules; every session of ``user`` ends, so the caller logs
    this browser in again.
    """
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    try:
        fields = load(PasswordChangeSchema(), data)
    except InputInvalid as error:
        errors = error.fields
    new_password = fields.get("new_password") or _text(data.get("new_password"))
    problem = email_problem(new_password, user.email)
    if problem and "new_password" not in errors:
        errors["new_password"] = [problem]
    if errors:
        raise InputInvalid(errors)
    attempt = throttle.begin_password_attempt(user.email, address, user)
    try:
        _check_password(user, fields["current_password"])
    except InputInvalid:
        raise InputInvalid({"current_password": [WRONG_CURRENT_PASSWORD]}) from None
    throttle.attempt_succeeded(attempt, user)
    if check_password_hash(user.password_hash, fields["new_password"]):
        raise InputInvalid({"new_password": [SAME_PASSWORD]})
    with unit_of_work():
        user.password_hash = hash_password(fields["new_password"])
        end_sessions(user)


def set_password(user: User, data: Mapping[str, Any], actor: User | None = None) -> None:
    """Give ``user`` the new password ``data["password"]`` (the CLI); their sessions end."""
    fields = load(NewPasswordSchema(), data)
    problem = email_problem(fields["password"], user.email)
    if problem:
        raise InputInvalid({"password": [problem]})
    with unit_of_work():
        user.password_hash = hash_password(fields["password"])
        end_sessions(user)
        log_access(actor, "password_set", Subject.person(user))


def deactivate_user(user: User, actor: User | None = None) -> None:
    """``user`` can no longer log in or use API tokens; every session of theirs ends."""
    with unit_of_work():
        user.active = False
        end_sessions(user)
        log_access(actor, "user_deactivated", Subject.person(user))


def load_user(user_id: str) -> User | None:
    """flask-login's user loader: the active user of a session id of the current generation.

    The id is ``<user id>:<session generation>`` (:meth:`User.get_id`); an id of an earlier
    generation, or of the form from before generations existed, names no one.
    """
    match = SESSION_ID.fullmatch(user_id)
    if match is None:
        return None
    user = db.session.get(User, int(match.group(1)))
    if user is None or not user.active or user.session_generation != int(match.group(2)):
        return None
    return user


def _check_password(user: User | None, password: str) -> User:
    """``user`` if it is active and ``password`` is theirs; :class:`InputInvalid` otherwise.

    An unknown user costs the same time as a wrong password.
    """
    password_hash = user.password_hash if user is not None else _DUMMY_HASH
    password_ok = check_password_hash(password_hash, password)
    if user is None or not password_ok or not user.active:
        raise InputInvalid({"password": [LOGIN_FAILED]}, message=LOGIN_FAILED)
    return user


def end_sessions(user: User) -> None:
    """Raise ``user``'s session generation (in the database, so concurrent raises add up)."""
    user.session_generation = User.session_generation + 1


def hash_password(password: str) -> str:
    """``password`` hashed with ``SIGNALS_PASSWORD_HASH_METHOD``."""
    return generate_password_hash(password, method=settings().password_hash_method)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) else None
