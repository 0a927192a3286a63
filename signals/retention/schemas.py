"""Input of the legal hold actions: the reason, which the history keeps."""

from signals.validation import text_field
from signals.workflow.schemas import MESSAGE_MAX, ActionSchema


class HoldSchema(ActionSchema):
    """Placing or releasing a legal hold: why (required; recorded in the signal's history)."""

    reason = text_field(max_length=MESSAGE_MAX)
