"""Input schemas of the workflow: a new signal, feedback to the reporter, a resolution."""

from marshmallow import fields, validate

from signals import codes
from signals.validation import (
    FIELD_MESSAGES,
    InputSchema,
    WholeNumber,
    choice_field,
    choices_field,
    text_field,
)

TITLE_MAX = 150
TEXT_MAX = 5000
MESSAGE_MAX = 5000


class SignalInputSchema(InputSchema):
    """The fields a reporter fills in (CONTRACT: Signal input fields)."""

    title = text_field(max_length=TITLE_MAX, single_line=True)
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
        metadata={
            "choices": lambda: _direct_entry_nodes(),
            "description": "Een plek die uw organisatie rechtstreeks mag kiezen (anders 422)",
        },
    )
    kwestie_id = WholeNumber(
        load_default=None,
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht het nummer van een kwestie."},
        metadata={
            "description": "Een open kwestie waar dit signaal bij hoort (uit `similar` van "
            "`/routes/preview`): het wordt er meteen aan gekoppeld en met haar besluit afgehandeld"
        },
    )

    REQUIRED_WHEN = {
        ("level", "other_organisation_practice"): (
            "source_organisation",
            "Geef aan bij welke organisatie de uitvoering knelt.",
        ),
        ("maatwerk", "applied"): (
            "maatwerk_grounds",
            "Geef aan op welke grond maatwerk is toegepast.",
        ),
    }


def _all_nodes() -> list[str]:
    from signals.routing.services import active_graph

    return list(active_graph().nodes)


def _direct_entry_nodes() -> list[str]:
    from signals.routing.services import active_graph

    graph = active_graph()
    return [key for key in graph.nodes if graph.nodes[key].direct_entry]


class ActionSchema(InputSchema):
    """Base of every action: ``version`` is the version the caller saw (optional)."""

    version = WholeNumber(
        load_default=None,
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een geheel getal."},
    )


class AcceptSchema(ActionSchema):
    """Accepting needs nothing but the version seen."""


class FeedbackSchema(ActionSchema):
    """A message from the owner to the reporter."""

    message = text_field(max_length=MESSAGE_MAX)


class MessageSchema(ActionSchema):
    """A required message: a question to the reporter, their answer, a reason to reopen."""

    message = text_field(max_length=MESSAGE_MAX)


class AddInfoSchema(ActionSchema):
    """More information from the reporter for the owner; the signal's status and clocks stay."""

    message = text_field(max_length=MESSAGE_MAX)


class WithdrawSchema(ActionSchema):
    """The reporter withdraws an open signal, with a reason the owner reads (required)."""

    reason = text_field(max_length=MESSAGE_MAX)


class ForwardSchema(ActionSchema):
    """Forward to a next node of the route, with an optional note for the reporter."""

    to = fields.String(
        required=True,
        validate=validate.Length(max=64, error="Maximaal 64 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een route."},
        metadata={
            "choices": lambda: _all_nodes(),
            "description": "Een plek met een lijn vanaf de huidige plek van het signaal "
            "(anders 422)",
        },
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
