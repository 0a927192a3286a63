"""The OpenAPI 3 document of the API, made from the views' own declarations and schemas.

Each view declares what it takes and answers with :func:`operation`; :func:`build_spec`
walks the app's URL map and writes every API route into the document through apispec's
marshmallow plugin, so the document cannot miss a route or drift from the schemas the views
use. A route without a declaration stops the document being built (and the test that builds
it fails).
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, fields, validate

from signals.api.schemas import ErrorEnvelopeSchema
from signals.validation import InputSchema, reusable
from signals.workflow.actions import Action
from signals.workflow.schemas import ActionSchema

F = TypeVar("F", bound=Callable[..., Any])
API_VERSION = "1.0"
ERRORS = {
    400: "Geen geldige JSON, of een nul-teken of ongeldig teken in het adres",
    401: "Geen of een ongeldige API-sleutel",
    403: "U mag dit niet (bij een signaal op een onafhankelijke plek: alleen dat het daar is)",
    404: "Bestaat niet, of u heeft er geen toegang toe",
    409: "Niet mogelijk in deze stand, of intussen door een ander gewijzigd (`version`)",
    422: "Invoer ongeldig: per veld de meldingen in `error.fields`",
    429: "Te veel mislukte pogingen om in te loggen; zie `Retry-After`",
}


# A schema, or an OpenAPI schema object combining schemas (``{"anyOf": [A, B]}``), or none.
ResponseSchema = type[Schema] | Schema | dict[str, Any] | None


@dataclass(frozen=True)
class Operation:
    """What one view takes and answers."""

    summary: str
    description: str
    tag: str
    responses: dict[int, tuple[str, "ResponseSchema"]]
    errors: tuple[int, ...]
    body: "ResponseSchema" = None
    query: type[Schema] | None = None
    headers: tuple[dict[str, Any], ...] = ()
    security: str = "bearer"
    extra_response_headers: dict[int, dict[str, Any]] = field(default_factory=dict)
    body_required: bool = True


_OPERATIONS: dict[str, Operation] = {}


def operation(
    *,
    summary: str,
    tag: str,
    responses: dict[int, tuple[str, "ResponseSchema"]],
    errors: tuple[int, ...] = (401, 404, 429),
    description: str = "",
    body: "ResponseSchema" = None,
    query: type[Schema] | None = None,
    headers: tuple[dict[str, Any], ...] = (),
    security: str = "bearer",
    extra_response_headers: dict[int, dict[str, Any]] | None = None,
    body_required: bool = True,
) -> Callable[[F], F]:
    """Declare a view's operation for the OpenAPI document (registered by function name).

    ``body`` is a schema, or an OpenAPI schema object combining schemas (``{"oneOf": …}``);
    ``body_required``: whether a request without a body is refused (422).
    """

    def register(view: F) -> F:
        _OPERATIONS[view.__name__] = Operation(
            summary=summary,
            description=description,
            tag=tag,
            responses=responses,
            errors=errors,
            body=body,
            query=query,
            headers=headers,
            security=security,
            extra_response_headers=extra_response_headers or {},
            body_required=body_required,
        )
        return view

    return register


def action_bodies(actions: Mapping[str, Action[Any, Any]], prefix: str = "") -> dict[str, Any]:
    """The body of an actions endpoint: one of the ``actions``, each with its own fields.

    Each is the action's own input schema (the one its service validates with) plus
    ``action``, so the document says which fields each action requires. Its component is
    named after the action, after ``prefix`` where another endpoint has an action of the
    same name (``publish``).
    """
    return {
        "oneOf": [_with_action(name, action.schema, prefix) for name, action in actions.items()]
    }


def _with_action(name: str, schema: type[Schema], prefix: str) -> type[Schema]:
    class Named(schema):  # type: ignore[valid-type,misc]
        action = fields.String(required=True, validate=validate.OneOf([name]))

    Named.__name__ = prefix + "".join(part.title() for part in name.split("_")) + "ActionSchema"
    Named.__doc__ = f"De actie `{name}`: {(schema.__doc__ or '').strip()}"
    return Named


def actions_table(actions: Mapping[str, Action[Any, Any]]) -> str:
    """The table of an actions endpoint's description: per action who, its fields, its effect.

    In the registry's order (:mod:`signals.workflow.actions`); an action's ``note`` becomes a
    numbered footnote below the table.
    """
    rows = ["| action | wie | velden | gevolg |", "|---|---|---|---|"]
    notes: list[str] = []
    for name, action in actions.items():
        effect = action.effect
        if action.note:
            notes.append(action.note)
            effect += f" ({len(notes)})"
        rows.append(f"| `{name}` | {action.who} | {_action_fields(action.schema)} | {effect} |")
    footnotes = [f"({number}) {note}" for number, note in enumerate(notes, start=1)]
    return "\n\n".join(["\n".join(rows), *(["\n".join(footnotes)] if footnotes else [])])


def _action_fields(schema: type[Schema]) -> str:
    """The fields an action takes besides ``version`` (every action's), or a dash."""
    common = reusable(ActionSchema).fields
    names = [f"`{name}`" for name in reusable(schema).fields if name not in common]
    return ", ".join(names) or "—"


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI document for every route of the ``api`` blueprint."""
    marshmallow = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(
        title="Signalen knellende mechanismen — API",
        version=API_VERSION,
        openapi_version="3.0.3",
        plugins=[marshmallow],
        info={
            "description": (
                "Signalen indienen, volgen en behandelen vanuit andere systemen (buurtteams, "
                "zaaksystemen). Dezelfde regels als de webapplicatie: wie wat mag zien en doen, "
                "termijnen in werkdagen, e-mail bij elke stap. Foutmeldingen in het Nederlands."
            )
        },
        servers=[{"url": "/"}],
    )
    assert marshmallow.converter is not None  # set by APISpec when it takes the plugin
    marshmallow.converter.add_attribute_function(_route_choices)  # type: ignore[no-untyped-call]
    marshmallow.converter.add_attribute_function(_empty_means_absent)  # type: ignore[no-untyped-call]
    spec.components.security_scheme(
        "bearer",
        {"type": "http", "scheme": "bearer", "description": "Een persoonlijke API-sleutel"},
    )
    spec.components.security_scheme(
        "basic", {"type": "http", "scheme": "basic", "description": "E-mailadres en wachtwoord"}
    )
    spec.components.schema("Error", schema=ErrorEnvelopeSchema)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.endpoint.startswith("api."):
            continue
        name = rule.endpoint.removeprefix("api.")
        if name not in _OPERATIONS:
            raise LookupError(f"API route {rule.rule} ({name}) has no OpenAPI declaration")
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _describe(
                _OPERATIONS[name], name, rule.arguments
            )
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    _add_dependent_requirements(document["components"]["schemas"])
    return document


def _add_dependent_requirements(components: dict[str, Any]) -> None:
    """State each input schema's ``REQUIRED_WHEN`` rules in its component.

    OpenAPI 3.0 has no ``dependentRequired``; "if ``level`` is X then ``source_organisation``
    is required" is written as ``anyOf: [level is not X, source_organisation is given]``,
    where given means neither absent nor empty (empty counts as absent on input).
    """
    for operation in _OPERATIONS.values():
        for schema in _schemas_in(operation.body):
            rules: dict[tuple[str, str], tuple[str, str]] = getattr(schema, "REQUIRED_WHEN", {})
            component = components.get(_schema_name(schema))
            if not rules or component is None or "allOf" in component:
                continue
            component["allOf"] = [
                {
                    "anyOf": [
                        {"properties": {field: {"not": {"enum": [value]}}}},
                        {"required": [needed], "properties": {needed: {"not": {"enum": EMPTY}}}},
                    ]
                }
                for (field, value), (needed, _message) in rules.items()
            ]


# What an optional input counts as absent (:class:`signals.validation.InputSchema`).
EMPTY: list[Any] = [None, "", []]


def _schemas_in(body: "ResponseSchema") -> list[type[Schema] | Schema]:
    if body is None:
        return []
    if isinstance(body, dict):
        return [item for key in ("oneOf", "anyOf", "allOf") for item in body.get(key, [])]
    return [body]


def _describe(op: Operation, name: str, path_arguments: set[str]) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": name,
        "summary": op.summary,
        "tags": [op.tag],
        "responses": {},
    }
    if op.description:
        described["description"] = op.description
    described["security"] = [{op.security: []}] if op.security else []
    parameters: list[dict[str, Any]] = [
        {"in": "path", "name": argument, "required": True, "schema": _path_schema(argument)}
        for argument in sorted(path_arguments)
    ]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    parameters.extend(op.headers)
    if parameters:
        described["parameters"] = parameters
    if op.body is not None:
        described["requestBody"] = {
            "required": op.body_required,
            "content": {"application/json": {"schema": op.body}},
        }
    for status, (text, schema) in op.responses.items():
        response: dict[str, Any] = {"description": text}
        if isinstance(schema, dict) and "content" in schema:  # not JSON: its own media type
            response["content"] = schema["content"]
        elif schema is not None:
            response["content"] = {"application/json": {"schema": schema}}
        if status in op.extra_response_headers:
            response["headers"] = op.extra_response_headers[status]
        described["responses"][str(status)] = response
    # 400 everywhere: a NUL or a broken character in the path or the query is refused first.
    errors = set(op.errors) | {400} | ({422} if op.body is not None else set())
    if op.query is not None:
        errors.add(422)
    if op.security:
        errors |= {401, 429}
    for status in sorted(errors):
        response = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": "Error"}},
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {"description": "seconden", "schema": {"type": "integer"}}
            }
        described["responses"][str(status)] = response
    return described


def _route_choices(
    self: Any, field: fields.Field[Any], ret: dict[str, Any], **_kwargs: Any
) -> dict[str, Any]:
    """The nodes of the active route as an enum, for a field that names one.

    Which nodes there are is the route file's to say, so such a field names them in its
    metadata as a function (``choices``) that is asked when the document is built.
    """
    choices = field.metadata.get("choices")
    return {"enum": list(choices())} if callable(choices) else {}


def _empty_means_absent(
    self: Any, field: fields.Field[Any], ret: dict[str, Any], **_kwargs: Any
) -> dict[str, Any]:
    """Document that a field that may be left out also takes null and an empty text.

    Both count as leaving it out (:class:`signals.validation.InputSchema`), and so does text
    of only white space (it is trimmed).
    """
    schema = field.parent
    if not isinstance(schema, InputSchema) or not schema.empty_means_absent:
        return {}
    optional = not field.required or schema.partial is True
    if not optional or "dump_only" in ret:
        return {}
    extra: dict[str, Any] = {"nullable": True}
    if "enum" in ret:
        extra["enum"] = [*ret["enum"], ""]
    if "pattern" in ret:
        extra["pattern"] = f"^\\s*$|{ret['pattern']}"
    return extra


def _schema_name(schema: type[Schema] | Schema) -> str:
    """A component name per schema; a partial one (every field optional) is a schema apart."""
    schema_class = schema if isinstance(schema, type) else type(schema)
    name = schema_class.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.partial:
        name += "Partial"
    return name


def _path_schema(argument: str) -> dict[str, Any]:
    if argument.endswith("_id"):  # kwestie_id, meeting_id, agenda_item_id, item_id
        return {"type": "integer", "minimum": 1}
    return {"type": "string", "maxLength": 32}
