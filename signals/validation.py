"""Building blocks for input schemas: Dutch error messages and flattening of marshmallow errors.

Web forms and the API validate with the same schemas, so both show the same per-field messages.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any, ClassVar, TypeVar

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from signals.errors import InputInvalid
from signals.privacy import refuse_bsn

REQUIRED = "Dit veld is verplicht."
UNREADABLE = "Bevat tekens die niet kunnen worden opgeslagen (zoals een nul-teken)."
NOT_ONE_LINE = "Gebruik één regel gewone tekst: zonder regelovergang, tab of ander stuurteken."
# Characters that change how text after them is displayed (Unicode bidirectional embeddings,
# overrides and isolates): in a title or a name they can make one text look like another.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
FIELD_MESSAGES: dict[str, Any] = {
    "required": REQUIRED,
    "null": REQUIRED,
    "invalid": "Ongeldige waarde.",
    "too_large": "Dit getal is te groot.",
}


class InputSchema(Schema):
    """Base of every input schema: unknown fields refused, text trimmed, empty means absent.

    "Empty means absent" (an empty text, null, an empty list) suits forms and JSON bodies;
    a schema of query parameters turns it off (``empty_means_absent``), so that ``?overdue=``
    is an error rather than no filter.
    """

    empty_means_absent = True
    # A field that must be filled in when another field has a certain value:
    # ``{(field, value): (needed, message)}``. The OpenAPI document states the same rules
    # (:func:`signals.api.openapi.build_spec`).
    REQUIRED_WHEN: ClassVar[dict[tuple[str, str], tuple[str, str]]] = {}

    error_messages = {
        "unknown": "Onbekend veld.",
        "type": "Ongeldige invoer: verwacht een object met velden.",
    }

    class Meta:  # noqa: D106
        unknown = RAISE

    @pre_load
    def _drop_empty_values(self, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        cleaned: dict[str, Any] = {}
        refused: dict[str, list[str]] = {}
        known = {field.data_key or name for name, field in self.load_fields.items()}
        for key, value in data.items():
            if self.unknown == RAISE and key not in known:
                refused[str(key)] = [self.error_messages["unknown"]]  # also when empty
                continue
            if not readable(value):
                refused[str(key)] = [UNREADABLE]
                continue
            if isinstance(value, str):
                value = value.strip()
            if self.empty_means_absent and (value is None or value == "" or value == []):
                continue
            cleaned[key] = value
        if refused:
            raise ValidationError(refused)
        return cleaned

    @validates_schema
    def _check_dependent_fields(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors = {
            needed: [message]
            for (field, value), (needed, message) in self.REQUIRED_WHEN.items()
            if data.get(field) == value and not data.get(needed)
        }
        if errors:
            raise ValidationError(errors)


def readable(value: Any) -> bool:
    """Whether every text in ``value`` can be stored: no NUL character, valid Unicode.

    PostgreSQL refuses NUL in text and a lone surrogate (which JSON can carry) is no
    character at all; both would otherwise end as a server error instead of a message.
    """
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list | tuple):
        return all(readable(item) for item in value)
    if isinstance(value, Mapping):
        return all(readable(key) and readable(item) for key, item in value.items())
    return True


def is_one_line(text: str) -> bool:
    """Whether ``text`` is one line of plain text: no control, line-separator or bidi character.

    Single-line values (titles, names, e-mail addresses) end up in e-mail headers and in
    one-line places on pages, where a line break is a header injection or a broken layout.
    """
    return not any(
        unicodedata.category(character) in ("Cc", "Zl", "Zp") or character in _BIDI_CONTROLS
        for character in text
    )


def refuse_line_breaks(text: str) -> None:
    """A marshmallow validator: refuse text that is not one line (:func:`is_one_line`)."""
    if not is_one_line(text):
        raise ValidationError(NOT_ONE_LINE)


def one_line(text: str) -> str:
    """``text`` made into one line: every control or separator character becomes a space.

    For headers built from text stored before it was checked on input (and as a second line
    of defence): runs of white space become one space.
    """
    cleaned = "".join(" " if not is_one_line(character) else character for character in text)
    return " ".join(cleaned.split())


# What the OpenAPI document says of text (as a JSON Schema pattern): something besides white
# space (trimmed, only white space is empty), never a NUL; a single line also no control, line
# separator or bidi character (:func:`is_one_line`).
_NOT_IN_A_LINE = "\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069"
ONE_LINE_PATTERN = f"^[^{_NOT_IN_A_LINE}]*[^\\s{_NOT_IN_A_LINE}][^{_NOT_IN_A_LINE}]*$"
TEXT_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


class FormSchema(InputSchema):
    """An input schema for HTML forms: extra fields (the CSRF token, buttons) are ignored."""

    class Meta:  # noqa: D106
        unknown = EXCLUDE


def text_field(
    *, max_length: int, required: bool = True, single_line: bool = False
) -> fields.String:
    """Free text, trimmed, at most ``max_length`` characters, never containing a BSN.

    ``single_line``: also refuse line breaks and other control characters (a title, a name).
    """
    validators: list[Callable[[str], Any]] = [
        validate.Length(max=max_length, error=f"Maximaal {max_length} tekens."),
        refuse_bsn,
    ]
    if single_line:
        validators.append(refuse_line_breaks)
    return fields.String(
        required=required,
        validate=validators,
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht tekst."},
        metadata={"pattern": ONE_LINE_PATTERN if single_line else TEXT_PATTERN},
    )


class WholeNumber(fields.Integer):
    """A whole number, given as one: ``3`` or ``"3"`` — never ``1.5``, ``"1.5"`` or ``true``.

    marshmallow's own integer field truncates ``1.5`` to ``1``: a client that sends a
    fraction by mistake would act on another object than it meant. Form fields arrive as
    text, so digits in a string are accepted (ASCII digits only: ``int()`` also reads
    other scripts' digits).
    """

    def _validated(self, value: Any) -> int:
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        if isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value.strip()):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,30}")


def choice_field(codes: Iterable[str], *, required: bool = True) -> fields.String:
    """One code out of a code list."""
    return fields.String(
        required=required,
        validate=validate.OneOf(list(codes), error="Onbekende keuze: {input}."),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een code."},
    )


def choices_field(codes: Iterable[str], *, required: bool = True) -> fields.List[Any]:
    """Several codes out of a code list, each at most once."""
    return fields.List(
        choice_field(codes),
        required=required,
        validate=_each_once,
        metadata={"uniqueItems": True, **({"minItems": 1} if required else {})},
        error_messages={
            **FIELD_MESSAGES,
            "required": "Kies ten minste één.",
            "null": "Kies ten minste één.",
            "invalid": "Verwacht een lijst met codes.",
        },
    )


def _each_once(values: list[Any]) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("Kies elke code één keer.")


def query_args(filters: Mapping[str, Any], **changes: Any) -> dict[str, str]:
    """A list page's filters as query string values, with ``changes`` (``None`` drops one).

    For the links of a filtered list (its next page, a count per status): booleans are
    written as the filters read them, ``true`` and ``false``.
    """
    merged = {**filters, **changes}
    return {
        name: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for name, value in merged.items()
        if value is not None
    }


def field_messages(errors: Mapping[str, Any] | list[Any] | str) -> dict[str, list[str]]:
    """Flatten marshmallow's nested error structure to ``{field: [messages]}``.

    A list of nested objects keeps the path to the field in it (``entries.2.date``), so a
    form can show the message next to the input of that row; a list of plain values (codes)
    gets its messages under the list's own name.
    """
    if not isinstance(errors, Mapping):
        return {"_schema": _messages(errors)}
    flat: dict[str, list[str]] = {}
    for name, value in errors.items():
        _flatten(str(name), value, flat)
    return flat


def _flatten(path: str, value: Any, flat: dict[str, list[str]]) -> None:
    if isinstance(value, Mapping) and _is_nested_object(value):
        for key, nested in value.items():
            _flatten(f"{path}.{key}", nested, flat)
    else:
        flat.setdefault(path, []).extend(_messages(value))


def _is_nested_object(errors: Mapping[Any, Any]) -> bool:
    """A nested object's errors (by field name), or a list's whose items are objects."""
    return all(isinstance(key, str) for key in errors) or all(
        isinstance(nested, Mapping) for nested in errors.values()
    )


def _messages(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        found = [message for nested in value.values() for message in _messages(nested)]
    else:
        found = [message for nested in value for message in _messages(nested)]
    return list(dict.fromkeys(found))


S = TypeVar("S", bound=Schema)


@cache
def reusable(schema: type[S]) -> S:
    """One instance of ``schema`` for every request: making one copies all its fields.

    Only for schemas made without arguments; loading and dumping keep no state in them.
    """
    return schema()


def load(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``data`` with ``schema``; raise :class:`InputInvalid` with Dutch messages."""
    try:
        result: dict[str, Any] = schema.load(data)
    except ValidationError as error:
        raise InputInvalid(field_messages(error.messages)) from error
    return result
