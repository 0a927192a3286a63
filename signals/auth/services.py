"""Organisations and users: creating them, passwords, the logged-in user, group members."""

from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from signals.auth.models import GroupMembership, Organisation, User
from signals.auth.schemas import LoginSchema, OrganisationInputSchema, UserInputSchema
from signals.auth.throttle import address_key, check_attempts, email_key, record_failure
from signals.clock import now
from signals.errors import InputInvalid
from signals.extensions import db
from signals.transaction import unit_of_work
from signals.validation import load

LOGIN_FAILED = "Onbekende combinatie van e-mailadres en wachtwoord."

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


def create_user(data: Mapping[str, Any]) -> User:
    """Add a user to an existing organisation, with an optional line manager and groups."""
    fields = load(UserInputSchema(), data)
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
            password_hash=generate_password_hash(
                fields["password"], method=current_app.config["PASSWORD_HASH_METHOD"]
            ),
            active=True,
            created_at=now(),
            group_memberships=[GroupMembership(group=group) for group in fields["groups"]],
        )
        db.session.add(user)
    return user


def set_partner_contact(data: Mapping[str, Any]) -> Organisation:
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
    return organisation


def authenticate(data: Mapping[str, Any]) -> User:
    """The active user whose e-mail and password match; :class:`InputInvalid` otherwise."""
    fields = load(LoginSchema(), data)
    user = user_by_email(fields["email"])
    password_hash = user.password_hash if user is not None else _DUMMY_HASH
    password_ok = check_password_hash(password_hash, fields["password"])
    if user is None or not password_ok or not user.active:
        raise InputInvalid({"password": [LOGIN_FAILED]}, message=LOGIN_FAILED)
    return user


def log_in(data: Mapping[str, Any], address: str | None) -> User:
    """:func:`authenticate` under the rate limit, for the log-in form and HTTP Basic alike.

    Failures count against the client's ``address`` and the e-mail address tried; past the
    limit the attempt is refused (:class:`TooManyAttempts`) before the password is checked.
    """
    email = data.get("email")
    keys = [address_key(address)]
    if isinstance(email, str) and email.strip():
        keys.append(email_key(email))
    check_attempts(keys)
    try:
        return authenticate(data)
    except InputInvalid:
        record_failure(keys)
        raise


def load_user(user_id: str) -> User | None:
    """flask-login's user loader: the active user with this id, or nobody."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None
