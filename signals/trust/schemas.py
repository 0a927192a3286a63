"""The pulse's two statements, its five-point scale, and the schema of an answer."""

from marshmallow import fields, validate

from signals.validation import FormSchema

SCALE = {
    "1": "1 – helemaal oneens",
    "2": "2 – oneens",
    "3": "3 – niet eens, niet oneens",
    "4": "4 – eens",
    "5": "5 – helemaal eens",
}
AGREES = 4  # a score from here up agrees with the statement
STATEMENTS = {
    "trust": "Ik vertrouw erop dat er iets met mijn signaal gebeurt",
    "heard": "Ik voel me gehoord",
}
CHOOSE = "Kies een antwoord van 1 (helemaal oneens) tot 5 (helemaal eens)."


def _score_field() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.OneOf(list(SCALE), error=CHOOSE),
        error_messages={"required": CHOOSE, "null": CHOOSE, "invalid": CHOOSE},
    )


class PulseAnswerSchema(FormSchema):
    """An answer to both statements, each a score from 1 to 5 (the form's other fields ignored)."""

    trust = _score_field()
    heard = _score_field()
