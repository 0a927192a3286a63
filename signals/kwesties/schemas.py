"""Input schemas of kwesties: a new kwestie, a link, a message to the reporters, a decision."""

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from signals import codes
from signals.database import MAX_ID
from signals.routing.graph import Node, NodeKind
from signals.routing.services import active_graph
from signals.validation import FIELD_MESSAGES, WholeNumber, choice_field, text_field
from signals.workflow.schemas import MESSAGE_MAX, TEXT_MAX, TITLE_MAX, ActionSchema

NODE_MESSAGES = {**FIELD_MESSAGES, "invalid": "Verwacht een plek in de route."}

# The kinds of node a kwestie can be handled at: where mechanisms, not cases, are dealt with.
KWESTIE_NODE_KINDS = frozenset(
    {
        NodeKind.BELEID,
        NodeKind.OMBUDS,
        NodeKind.LANDELIJK,
        NodeKind.BESTUUR,
        NodeKind.KLACHTEN,
        NodeKind.JURIDISCH,
    }
)


def kwestie_nodes() -> dict[str, Node]:
    """The nodes of the active route a kwestie can be placed at."""
    return {
        key: node for key, node in active_graph().nodes.items() if node.kind in KWESTIE_NODE_KINDS
    }


def check_kwestie_node(key: str) -> None:
    """Refuse a node that is not in the active route or where no kwestie can lie."""
    if key not in kwestie_nodes():
        choices = ", ".join(node.label for node in kwestie_nodes().values()) or "geen"
        raise ValidationError(f"Een kwestie kan alleen liggen bij: {choices}.")


class KwestieInputSchema(ActionSchema):
    """A new kwestie: what it is about, the mechanism, and where in the route it is handled.

    ``from_signal`` is the reference of the signal it starts from (linked at once); then
    ``version`` is the version of that signal the caller saw.
    """

    title = text_field(max_length=TITLE_MAX, single_line=True)
    description = text_field(max_length=TEXT_MAX, required=False)
    regulation = choice_field(codes.REGULATIONS, required=False)
    level = choice_field(codes.LEVELS, required=False)
    source_organisation = choice_field(codes.SOURCE_ORGANISATIONS, required=False)
    node = fields.String(
        required=True,
        validate=[validate.Length(max=64, error="Maximaal 64 tekens."), check_kwestie_node],
        error_messages=NODE_MESSAGES,
        metadata={
            "choices": lambda: list(kwestie_nodes()),
            "description": "Met `from_signal`: een plek waar u de kwestie ook zelf kunt zien "
            "(geen onafhankelijke plek van een ander; anders 422)",
        },
    )
    from_signal = fields.String(
        validate=validate.Length(max=16, error="Maximaal 16 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een kenmerk."},
    )

    @post_load
    def _one_line_title(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        # The title goes into e-mail subjects: one line, single spaces.
        data["title"] = " ".join(data["title"].split())
        return data


class LinkSchema(ActionSchema):
    """Link a signal to an open kwestie; ``version`` is the version of the signal seen."""

    kwestie = WholeNumber(
        required=True,
        metadata={"description": "Een open kwestie die u mag zien (anders 422)"},
        validate=validate.Range(min=1, max=MAX_ID, error="Kies een kwestie uit de lijst."),
        error_messages={
            **FIELD_MESSAGES,
            "required": "Kies een kwestie.",
            "null": "Kies een kwestie.",
            "invalid": "Kies een kwestie uit de lijst.",
        },
    )


class KwestieMessageSchema(ActionSchema):
    """A message from the kwestie's owner to every linked reporter."""

    message = text_field(max_length=MESSAGE_MAX)


class DecideSchema(ActionSchema):
    """The decision: outcome, written rationale and a message to the reporters, all required."""

    outcome = choice_field(codes.OUTCOMES)
    rationale = text_field(max_length=MESSAGE_MAX)
    message = text_field(max_length=MESSAGE_MAX)
