"""Input of the anonymous channel: the report form without a person, a receipt, an answer."""

from marshmallow import fields

from signals.auth.schemas import email_field
from signals.validation import FIELD_MESSAGES, InputSchema, text_field
from signals.workflow.schemas import MESSAGE_MAX, SignalInputSchema


class AnonymousSignalSchema(SignalInputSchema):
    """The report form's fields, and an optional address for notices (kept apart)."""

    class Meta(SignalInputSchema.Meta):  # noqa: D106
        exclude = ("kwestie_id",)  # joining a kwestie is for someone who can see it

    email = email_field(required=False)


class ReceiptSchema(InputSchema):
    """The receipt code the anonymous reporter was given, as typed."""

    receipt = fields.String(
        required=True, error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een ontvangstcode."}
    )


class AnonymousReplySchema(InputSchema):
    """The anonymous reporter's answer to the owner's question."""

    message = text_field(max_length=MESSAGE_MAX)
