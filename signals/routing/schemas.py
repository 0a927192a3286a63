"""The shape of a route file (``routes_config/<slug>.yaml``), checked with marshmallow.

Only the shape and the codes are checked here; the graph itself (references, reachability,
cycles) is checked by the loader once the shape is right. Unknown keys are errors.

Nodes and edges may say where the source report ("Knellende mechanismen", 2023) backs them:
``source`` (one reference or a list: ``H6.2``, ``§9.2.2``, ``Les 7``), ``note`` and
``inferred``; an inferred node or edge needs a note saying what it is inferred from.
"""

import re
from datetime import date, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from signals import codes
from signals.routing.graph import (
    LIST_CONDITION_FIELDS,
    SIGNAL_CONDITION_FIELDS,
    NodeKind,
    OwnerType,
)

KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}\Z", error="must be lower_snake_case (a-z, 0-9, _)")
MAX_NODES = 200
# A place in the report: a chapter or section (H6, H6.2), a section of the recommendations
# (§9.2, §9.2.2) or one of the lessons of chapter 2 (Les 1a, Les 1b, Les 2 … Les 8).
REFERENCE = re.compile(r"H[1-9](\.[0-9]{1,2}){0,2}|§9\.[1-5](\.[0-9]{1,2})?|Les (1a|1b|[2-8])")
REFERENCE_HINT = "write e.g. H6.2, §9.2.2 or Les 7"
MAX_NOTE = 1000
INFERRED_NEEDS_NOTE = "inferred: true needs a note saying what it is inferred from"
EDGE_KEYS = frozenset({"to", "back", "source", "note", "inferred"})
CONDITION_CODES: dict[str, Any] = {
    "urgency": codes.URGENCIES,
    "scope": codes.SCOPES,
    "level": codes.LEVELS,
    "source_organisation": codes.SOURCE_ORGANISATIONS,
    "maatwerk": codes.MAATWERK,
    "regulations": codes.REGULATIONS,
    "impact": codes.IMPACTS,
    "organisation_kind": codes.REPORTER_KINDS,
}


class _Strict(Schema):
    class Meta:  # noqa: D106
        unknown = RAISE


class ClocksSchema(_Strict):
    """Working-day clocks; on a node every one is optional and falls back to the defaults."""

    accept_within = fields.Integer(strict=True, validate=validate.Range(min=1, max=250))
    feedback_within = fields.Integer(strict=True, validate=validate.Range(min=1, max=250))
    update_every = fields.Integer(strict=True, validate=validate.Range(min=1, max=250))


class DefaultsSchema(_Strict):
    """File-wide defaults."""

    clocks = fields.Nested(ClocksSchema, load_default=dict)


class DayField(fields.Date):
    """A calendar day; a date with a time of day is refused rather than cut off."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime):
            raise ValidationError("a day without a time, e.g. 2026-12-24")
        if isinstance(value, date):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


class CalendarSchema(_Strict):
    """Extra closed days on top of weekends and Dutch public holidays."""

    closed_days = fields.List(DayField(), load_default=list)


class OwnerSchema(_Strict):
    """How a node's owner is found."""

    type = fields.String(required=True, validate=validate.OneOf([kind.value for kind in OwnerType]))
    group = fields.String(validate=KEY)
    fallback_group = fields.String(validate=KEY)

    @validates_schema
    def _group_present(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("type") == OwnerType.GROUP:
            if "group" not in data:
                raise ValidationError("a group owner needs 'group'", "group")
            if "fallback_group" in data:
                raise ValidationError("only person owners have a fallback", "fallback_group")
        elif data.get("type") in (OwnerType.LINE_MANAGER, OwnerType.PARTNER_CONTACT):
            if "fallback_group" not in data:
                raise ValidationError(
                    "a person owner needs 'fallback_group' for when nobody can be found",
                    "fallback_group",
                )
            if "group" in data:
                raise ValidationError("use 'fallback_group' with a person owner", "group")


class SourceField(fields.Field[list[str]]):
    """``source``: one report reference or a list of them, each listed once."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        references = [value] if isinstance(value, str) else value
        if not isinstance(references, list) or not references:
            raise ValidationError(f"a report reference or a list of them ({REFERENCE_HINT})")
        wrong = [
            item
            for item in references
            if not isinstance(item, str) or not REFERENCE.fullmatch(item)
        ]
        if wrong:
            shown = ", ".join(repr(item) for item in wrong)
            raise ValidationError(f"not a report reference: {shown} ({REFERENCE_HINT})")
        twice = sorted({item for item in references if references.count(item) > 1})
        if twice:
            raise ValidationError(f"listed twice: {', '.join(repr(item) for item in twice)}")
        return references


class ProvenanceSchema(_Strict):
    """Where the report says so (``source``), why it is modelled so (``note``), ``inferred``."""

    source = SourceField(load_default=list)
    note = fields.String(validate=validate.Length(min=1, max=MAX_NOTE), load_default=None)
    inferred = fields.Boolean(load_default=False)

    @validates_schema
    def _inferred_has_note(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("inferred") and not data.get("note"):
            raise ValidationError(INFERRED_NEEDS_NOTE, "note")


class CadenceSchema(_Strict):
    """How often a table meets."""

    every = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=52))
    unit = fields.String(required=True, validate=validate.OneOf(["week", "month"]))


class NodeSchema(ProvenanceSchema):
    """One place in the route, with where the report says so (see :class:`ProvenanceSchema`)."""

    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf([kind.value for kind in NodeKind]))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    examples = fields.List(
        fields.String(validate=validate.Length(min=1, max=300)), load_default=list
    )
    owner = fields.Nested(OwnerSchema, required=True)
    clocks = fields.Nested(ClocksSchema, load_default=dict)
    escalate_on_overdue = fields.String(load_default=None)
    direct_entry = fields.List(
        fields.String(validate=validate.OneOf(list(codes.REPORTER_KINDS))), load_default=list
    )
    shows_reporter = fields.Boolean(load_default=True)
    independent = fields.Boolean(load_default=False)
    cadence = fields.Nested(CadenceSchema, load_default=None)


class ConditionsSchema(_Strict):
    """Conditions of an entry rule: each lists the values that match."""

    urgency = fields.List(fields.String())
    scope = fields.List(fields.String())
    level = fields.List(fields.String())
    source_organisation = fields.List(fields.String())
    maatwerk = fields.List(fields.String())
    regulations = fields.List(fields.String())
    impact = fields.List(fields.String())
    organisation_kind = fields.List(fields.String())
    has_line_manager = fields.Boolean()

    @validates_schema
    def _known_codes(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        for name in (*SIGNAL_CONDITION_FIELDS, *LIST_CONDITION_FIELDS, "organisation_kind"):
            values = data.get(name)
            if values is None:
                continue
            if not values:
                errors[name] = ["list at least one value"]
            unknown = [value for value in values if value not in CONDITION_CODES[name]]
            if unknown:
                errors[name] = [f"unknown code {', '.join(repr(value) for value in unknown)}"]
        if not data:
            errors["_schema"] = ["a rule needs at least one condition; use 'default' instead"]
        if errors:
            raise ValidationError(errors)


class EntryRuleSchema(_Strict):
    """``when`` the conditions hold, enter ``to``."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    when = fields.Nested(ConditionsSchema, required=True)
    to = fields.String(required=True)


class EntrySchema(_Strict):
    """Ordered rules (first match wins) and the required default node."""

    rules = fields.List(fields.Nested(EntryRuleSchema), load_default=list)
    default = fields.String(required=True)


class EdgeField(fields.Field[dict[str, Any]]):
    """An edge target: ``node`` or ``{to: node, back: true}``.

    The mapping may also carry ``source``, ``note`` and ``inferred``, as a node does.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return {"to": value, "back": False, "source": [], "note": None, "inferred": False}
        if not isinstance(value, dict) or not isinstance(value.get("to"), str):
            raise ValidationError(
                "an edge is a node key or {to: node, back: true} (source, note and inferred "
                "may be added)"
            )
        unknown = sorted(map(str, set(value) - EDGE_KEYS))
        if unknown:
            raise ValidationError(
                f"unknown key {', '.join(map(repr, unknown))} (an edge takes to, back, source, "
                "note and inferred)"
            )
        for flag in ("back", "inferred"):
            if not isinstance(value.get(flag, False), bool):
                raise ValidationError(f"'{flag}' must be true or false")
        provenance = {key: item for key, item in value.items() if key not in ("to", "back")}
        try:
            loaded = ProvenanceSchema().load(provenance)
        except ValidationError as error:  # keyed by field: edges.<key>.<index>.source
            raise ValidationError(error.messages) from error
        return {"to": value["to"], "back": value.get("back", False), **loaded}


class RouteFileSchema(_Strict):
    """A whole route file."""

    version = fields.Integer(
        required=True, strict=True, validate=validate.Equal(1, error="must be 1")
    )
    municipality = fields.String(required=True, validate=validate.Length(min=1, max=120))
    calendar = fields.Nested(CalendarSchema, load_default=dict)
    defaults = fields.Nested(DefaultsSchema, load_default=dict)
    groups = fields.Dict(
        keys=fields.String(validate=KEY),
        values=fields.String(validate=validate.Length(min=1, max=120)),
        load_default=dict,
    )
    nodes = fields.Dict(
        keys=fields.String(validate=KEY),
        values=fields.Nested(NodeSchema),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_NODES, error=f"define between 1 and {MAX_NODES} nodes"
        ),
    )
    entry = fields.Nested(EntrySchema, required=True)
    edges = fields.Dict(keys=fields.String(), values=fields.List(EdgeField()), load_default=dict)
