"""Input schemas of meetings, with Dutch messages per field.

Plan a meeting, put something on its agenda, decide a proposal, hold it with conclusions, add
an action item and report it done.
"""

from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from signals import codes
from signals.database import MAX_ID
from signals.meetings.models import MeetingKind, Role
from signals.validation import FIELD_MESSAGES, InputSchema, WholeNumber, choice_field, text_field
from signals.workflow.schemas import MESSAGE_MAX, TEXT_MAX, TITLE_MAX

MEETING_KINDS = {
    MeetingKind.CASUISTIEK: "Casuïstiekbespreking",
    MeetingKind.SIGNALENOVERLEG: "Signalenoverleg",
    MeetingKind.LEERDIALOOG: "Leerdialoog",
}
MINUTES_MAX = 20_000
CONCLUSIONS_MAX = 100
REFERENCE_FIELD = {**FIELD_MESSAGES, "invalid": "Verwacht een kenmerk zoals KM-2026-000123."}
KWESTIE_FIELD = {**FIELD_MESSAGES, "invalid": "Verwacht het nummer van een kwestie."}
DATE_FIELD = {**FIELD_MESSAGES, "invalid": "Verwacht een datum (JJJJ-MM-DD)."}


def _reference() -> fields.String:
    return fields.String(
        validate=validate.Length(max=16, error="Maximaal 16 tekens."),
        error_messages=REFERENCE_FIELD,
    )


def _kwestie() -> WholeNumber:
    return WholeNumber(
        validate=validate.Range(min=1, max=MAX_ID, error="Verwacht het nummer van een kwestie."),
        error_messages=KWESTIE_FIELD,
    )


class PlanMeetingSchema(InputSchema):
    """A new meeting of the owners of ``node``."""

    node = fields.String(
        required=True,
        validate=validate.Length(max=64, error="Maximaal 64 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een plek in de route."},
        metadata={"description": "Een plek in de route waarvan u eigenaar bent (anders 422)"},
    )
    kind = choice_field(MEETING_KINDS)
    title = text_field(max_length=TITLE_MAX, single_line=True)
    starts_at = fields.AwareDateTime(
        required=True,
        error_messages={
            **FIELD_MESSAGES,
            "invalid": "Verwacht een datum en tijd (JJJJ-MM-DDTUU:MM met tijdzone).",
            "invalid_awareness": "Geef de tijdzone mee, bijvoorbeeld +01:00.",
        },
    )
    case = fields.String(
        validate=validate.Length(max=16, error="Maximaal 16 tekens."),
        error_messages=REFERENCE_FIELD,
        metadata={
            "description": "Leerdialoog: het kenmerk van de afgeronde casus waarover het "
            "gesprek gaat (verplicht)"
        },
    )

    REQUIRED_WHEN = {
        ("kind", MeetingKind.LEERDIALOOG.value): (
            "case",
            "Kies de afgeronde casus waarover de leerdialoog gaat.",
        )
    }


class AgendaSchema(InputSchema):
    """A signal (by reference) or a kwestie (by number) for the agenda, with a note."""

    signal = _reference()
    kwestie = _kwestie()
    note = text_field(max_length=MESSAGE_MAX, required=False)

    @validates_schema
    def _one_subject(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if ("signal" in data) == ("kwestie" in data):
            raise ValidationError("Kies een signaal of een kwestie.", "signal")


class DecisionSchema(InputSchema):
    """The chair accepts a proposal, or declines it with a reason for the proposer."""

    decision = choice_field({"accept": "Agenderen", "decline": "Afwijzen"})
    reason = text_field(max_length=MESSAGE_MAX, required=False)

    REQUIRED_WHEN = {
        ("decision", "decline"): ("reason", "Geef de reden waarom dit niet op de agenda komt.")
    }


class ThenSchema(InputSchema):
    """What the meeting does with a concluded signal in the same step."""

    action = choice_field({"forward": "Doorsturen", "resolve": "Afhandelen", "link": "Koppelen"})
    to = fields.String(
        validate=validate.Length(max=64, error="Maximaal 64 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een plek in de route."},
    )
    outcome = choice_field(codes.OUTCOMES, required=False)
    rationale = text_field(max_length=MESSAGE_MAX, required=False)
    kwestie = _kwestie()

    @validates_schema
    def _what_each_needs(self, data: dict[str, Any], **_kwargs: Any) -> None:
        needs = {"forward": ("to",), "resolve": ("outcome", "rationale"), "link": ("kwestie",)}
        missing = {
            name: ["Dit veld is verplicht."]
            for name in needs.get(data.get("action", ""), ())
            if name not in data
        }
        if missing:
            raise ValidationError(missing)


class ConclusionSchema(InputSchema):
    """The conclusion on one agenda item: a message for the reporters, and what follows."""

    signal = _reference()
    kwestie = _kwestie()
    message = text_field(max_length=MESSAGE_MAX)
    then = fields.Nested(
        ThenSchema, error_messages={**FIELD_MESSAGES, "type": "Verwacht een object."}
    )

    @validates_schema
    def _one_subject(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if ("signal" in data) == ("kwestie" in data):
            raise ValidationError("Kies een signaal of een kwestie.", "signal")
        if "then" in data and "kwestie" in data:
            raise ValidationError("Alleen bij een signaal kan een vervolgstap.", "then")


class MinutesSchema(InputSchema):
    """The minutes of a meeting and a conclusion per discussed item.

    A leerdialoog's notulist also records the dominant views, the values beneath them, the
    crucial moments on the timeline and the lessons for prevention.
    """

    minutes = text_field(max_length=MINUTES_MAX)
    dominant_views = text_field(max_length=TEXT_MAX, required=False)
    values = text_field(max_length=TEXT_MAX, required=False)
    crucial_moments = text_field(max_length=TEXT_MAX, required=False)
    lessons = text_field(max_length=TEXT_MAX, required=False)
    conclusions = fields.List(
        fields.Nested(ConclusionSchema),
        load_default=list,
        validate=validate.Length(max=CONCLUSIONS_MAX, error="Maximaal 100 conclusies."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een lijst."},
    )


class ActionItemSchema(InputSchema):
    """An action item: what, who (an e-mail address or a group of the route), by when."""

    description = text_field(max_length=TEXT_MAX)
    owner = fields.String(
        required=True,
        validate=validate.Length(max=254, error="Maximaal 254 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een e-mailadres of een groep."},
        metadata={"description": "Het e-mailadres van een gebruiker, of een groep van de route"},
    )
    due = fields.Date(required=True, error_messages=DATE_FIELD)
    feedback_on = fields.Date(required=True, error_messages=DATE_FIELD)
    signal = _reference()
    kwestie = _kwestie()

    @validates_schema
    def _feedback_after_due(self, data: dict[str, Any], **_kwargs: Any) -> None:
        due, feedback_on = data.get("due"), data.get("feedback_on")
        if isinstance(due, date) and isinstance(feedback_on, date) and feedback_on < due:
            raise ValidationError(
                "Het terugkoppelmoment ligt op of na de uiterste datum.", "feedback_on"
            )
        if "signal" in data and "kwestie" in data:
            raise ValidationError("Koppel een actiepunt aan een signaal óf een kwestie.", "signal")


class DoneSchema(InputSchema):
    """An action item reported done, with what came of it."""

    note = text_field(max_length=MESSAGE_MAX)


ROLE_LABELS = {
    Role.GESPREKSLEIDER: "Gespreksleider",
    Role.CASUSINBRENGER: "Casusinbrenger",
    Role.VERDIEPINGSPANEL: "Verdiepingspanel",
    Role.NOTULIST: "Notulist",
    Role.ORGANISATOR: "Organisator",
}
TIMELINE_MAX = 200


class RoleSchema(InputSchema):
    """One person (by e-mail address) and their role."""

    person = fields.Email(
        required=True,
        validate=validate.Length(max=254, error="Maximaal 254 tekens."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een e-mailadres."},
    )
    role = choice_field(ROLE_LABELS)


class RolesSchema(InputSchema):
    """The roles of a leerdialoog, all at once."""

    roles = fields.List(
        fields.Nested(RoleSchema),
        required=True,
        validate=validate.Length(min=1, max=40, error="Geef 1 tot 40 deelnemers."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een lijst."},
    )


class TimelineEntrySchema(InputSchema):
    """A moment in the case: date, what happened, which parties or departments were involved."""

    date = fields.Date(required=True, error_messages=DATE_FIELD)
    event = text_field(max_length=MESSAGE_MAX)
    parties = text_field(max_length=TITLE_MAX, required=False)


class TimelineSchema(InputSchema):
    """The case's timeline, all entries at once (none: an empty timeline)."""

    entries = fields.List(
        fields.Nested(TimelineEntrySchema),
        load_default=list,  # an empty list clears the timeline
        validate=validate.Length(max=TIMELINE_MAX, error="Maximaal 200 momenten."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een lijst."},
    )
