"""Input schemas for organisations, users and logging in."""

from typing import Any

from marshmallow import fields, validate

from signals import codes
from signals.validation import FIELD_MESSAGES, FormSchema, InputSchema, choice_field

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def email_field() -> fields.String:
    return fields.String(
        required=True,
        validate=[
            validate.Length(max=254, error="Maximaal 254 tekens."),
            validate.Regexp(EMAIL_PATTERN, error="Geen geldig e-mailadres."),
        ],
        error_messages=FIELD_MESSAGES,
    )


class OrganisationInputSchema(InputSchema):
    """A new organisation: a municipal department or a contracted partner."""

    name = fields.String(
        required=True,
        validate=validate.Length(max=200, error="Maximaal 200 tekens."),
        error_messages=FIELD_MESSAGES,
    )
    kind = choice_field(codes.ORGANISATION_KINDS)


class UserInputSchema(InputSchema):
    """A new user; ``manager`` is the line manager's e-mail address."""

    email = email_field()
    name = fields.String(
        required=True,
        validate=validate.Length(max=200, error="Maximaal 200 tekens."),
        error_messages=FIELD_MESSAGES,
    )
    organisation = fields.String(required=True, error_messages=FIELD_MESSAGES)
    role = choice_field(codes.ROLES)
    manager = fields.String(load_default=None)
    groups: Any = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z0-9_]{1,64}$", error="Ongeldige groep.")),
        load_default=list,
    )
    password = fields.String(
        required=True,
        validate=validate.Length(min=10, max=200, error="Minimaal 10 tekens."),
        error_messages=FIELD_MESSAGES,
    )


class LoginSchema(FormSchema):
    """E-mail address and password from the login form."""

    email = fields.String(required=True, error_messages=FIELD_MESSAGES)
    password = fields.String(required=True, error_messages=FIELD_MESSAGES)
