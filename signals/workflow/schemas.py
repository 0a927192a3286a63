"""Input schemas of the workflow: a new signal, feedback to the reporter, a resolution."""

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from signals import codes
from signals.validation import (
    FIELD_MESSAGES,
    InputSchema,
    choice_field,
    choices_field,
    text_field,
)

TITLE_MAX = 150
TEXT_MAX = 5000
MESSAGE_MAX = 5000


class SignalInputSchema(InputSchema):
    """The fields a reporter fills in (CONTRACT: Signal input fields)."""

    title = text_field(max_length=TITLE_MAX)
    situation = text_field(max_length=TEXT_MAX)
    resident_experience = text_field(max_length=TEXT_MAX, required=False)
    regulations = choices_field(codes.REGULATIONS)
    level = choice_field(codes.LEVELS)
    source_organisation = choice_field(codes.SOURCE_ORGANISATIONS, required=False)
    scope = choice_field(codes.SCOPES)
    urgency = choice_field(codes.URGENCIES)
    impact = choices_field(codes.IMPACTS, required=False)
    maatwerk = choice_field(codes.MAATWERK)
    maatwerk_grounds = choices_field(codes.MAATWERK_GROUNDS, required=False)
    direct_node = fields.String(
        validate=validate.Length(max=64, error="Maximaal 64 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een route."},
    )

    @validates_schema
    def _check_dependent_fields(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data.get("level") == "other_organisation_practice" and not data.get(
            "source_organisation"
        ):
            errors["source_organisation"] = ["Geef aan bij welke organisatie de uitvoering knelt."]
        if data.get("maatwerk") == "applied" and not data.get("maatwerk_grounds"):
            errors["maatwerk_grounds"] = ["Geef aan op welke grond maatwerk is toegepast."]
        if errors:
            raise ValidationError(errors)


class ActionSchema(InputSchema):
    """Base of every action: ``version`` is the version the caller saw (optional)."""

    version = fields.Integer(
        load_default=None, error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een getal."}
    )


class AcceptSchema(ActionSchema):
    """Accepting needs nothing but the version seen."""


class FeedbackSchema(ActionSchema):
    """A message from the owner to the reporter."""

    message = text_field(max_length=MESSAGE_MAX)


class MessageSchema(ActionSchema):
    """A required message: a question to the reporter, their answer, a reason to reopen."""

    message = text_field(max_length=MESSAGE_MAX)


class ForwardSchema(ActionSchema):
    """Forward to a next node of the route, with an optional note for the reporter."""

    to = fields.String(
        required=True,
        validate=validate.Length(max=64, error="Maximaal 64 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een route."},
    )
    message = text_field(max_length=MESSAGE_MAX, required=False)


class ResolveSchema(ActionSchema):
    """Resolution: outcome, a written rationale and a message to the reporter, all required."""

    outcome = choice_field(codes.OUTCOMES)
    rationale = text_field(max_length=MESSAGE_MAX)
    message = text_field(max_length=MESSAGE_MAX)


SURVEY_SCORES = {
    "1": "1 – helemaal niet",
    "2": "2 – nauwelijks",
    "3": "3 – redelijk",
    "4": "4 – goed",
    "5": "5 – heel goed",
}


class SurveySchema(InputSchema):
    """The reporter's verdict after resolution: how clear and useful was the answer (1–5)."""

    score = choice_field(SURVEY_SCORES)
    comment = text_field(max_length=MESSAGE_MAX, required=False)
