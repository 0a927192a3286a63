"""Input schemas for organisations, users, logging in and passwords.

Names and e-mail addresses are single-line text (they end up in e-mail headers); new
passwords follow the rules of :mod:`signals.auth.passwords`.
"""

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from signals import codes
from signals.auth.passwords import email_problem, password_field
from signals.validation import (
    FIELD_MESSAGES,
    FormSchema,
    InputSchema,
    choice_field,
    refuse_line_breaks,
    text_field,
)

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PASSWORDS_DIFFER = "De twee nieuwe wachtwoorden zijn niet gelijk."
PASSWORDS_DIFFER_SET = "De twee wachtwoorden zijn niet gelijk."


def email_field(*, required: bool = True) -> fields.String:
    return fields.String(
        required=required,
        validate=[
            validate.Length(max=254, error="Maximaal 254 tekens."),
            refuse_line_breaks,
            validate.Regexp(EMAIL_PATTERN, error="Geen geldig e-mailadres."),
        ],
        error_messages=FIELD_MESSAGES,
    )


def _reference_field(*, required: bool = True) -> fields.String:
    """The name or e-mail address of something that exists already (looked up, not stored)."""
    if required:
        return fields.String(
            required=True, validate=refuse_line_breaks, error_messages=FIELD_MESSAGES
        )
    return fields.String(load_default=None, validate=refuse_line_breaks)


class OrganisationInputSchema(InputSchema):
    """A new organisation: a municipal department or a contracted partner."""

    name = text_field(max_length=200, single_line=True)
    kind = choice_field(codes.ORGANISATION_KINDS)


class UserInputSchema(InputSchema):
    """A new user; ``manager`` is the line manager's e-mail address."""

    email = email_field()
    name = text_field(max_length=200, single_line=True)
    organisation = _reference_field()
    role = choice_field(codes.ROLES)
    manager = _reference_field(required=False)
    groups: Any = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z0-9_]{1,64}$", error="Ongeldige groep.")),
        load_default=list,
    )
    password = password_field()

    @validates_schema(skip_on_field_errors=False)
    def _password_is_not_the_email(self, data: dict[str, Any], **_kwargs: Any) -> None:
        problem = email_problem(data.get("password"), data.get("email"))
        if problem:
            raise ValidationError(problem, field_name="password")


class LoginSchema(FormSchema):
    """E-mail address and password from the login form."""

    email = fields.String(required=True, error_messages=FIELD_MESSAGES)
    password = fields.String(required=True, error_messages=FIELD_MESSAGES)


class NewPasswordSchema(InputSchema):
    """A password set for someone (the command line); the e-mail rule is the service's."""

    password = password_field()


class PasswordChangeSchema(FormSchema):
    """A person changing their own password: the current one, and the new one twice."""

    current_password = fields.String(required=True, error_messages=FIELD_MESSAGES)
    new_password = password_field()
    new_password_again = fields.String(required=True, error_messages=FIELD_MESSAGES)

    @validates_schema(skip_on_field_errors=False)
    def _typed_twice_alike(self, data: dict[str, Any], **_kwargs: Any) -> None:
        again = data.get("new_password_again")
        if again is not None and data.get("new_password") not in (None, again):
            raise ValidationError(PASSWORDS_DIFFER, field_name="new_password_again")


class ForgotPasswordSchema(FormSchema):
    """*Wachtwoord vergeten*: the e-mail address a reset link is asked for."""

    email = email_field()


class LinkPasswordSchema(FormSchema):
    """A password set through a one-time link (an invitation, a reset): typed twice."""

    password = password_field()
    password_again = fields.String(required=True, error_messages=FIELD_MESSAGES)

    @validates_schema(skip_on_field_errors=False)
    def _typed_twice_alike(self, data: dict[str, Any], **_kwargs: Any) -> None:
        again = data.get("password_again")
        if again is not None and data.get("password") not in (None, again):
            raise ValidationError(PASSWORDS_DIFFER_SET, field_name="password_again")
