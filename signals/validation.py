"""Building blocks for input schemas: Dutch error messages and flattening of marshmallow errors.

Web forms and the API validate with the same schemas, so both show the same per-field messages.
"""

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any, TypeVar

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

from signals.errors import InputInvalid
from signals.privacy import refuse_bsn

REQUIRED = "Dit veld is verplicht."
UNREADABLE = "Bevat tekens die niet kunnen worden opgeslagen (zoals een nul-teken)."
FIELD_MESSAGES: dict[str, Any] = {
    "required": REQUIRED,
    "null": REQUIRED,
    "invalid": "Ongeldige waarde.",
}


class InputSchema(Schema):
    """Base of every input schema: unknown fields refused, text trimmed, empty means absent.

    "Empty means absent" (an empty text, null, an empty list) suits forms and JSON bodies;
    a schema of query parameters turns it off (``empty_means_absent``), so that ``?overdue=``
    is an error rather than no filter.
    """

    empty_means_absent = True

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


class FormSchema(InputSchema):
    """An input schema for HTML forms: extra fields (the CSRF token, buttons) are ignored."""

    class Meta:  # noqa: D106
        unknown = EXCLUDE


def text_field(*, max_length: int, required: bool = True) -> fields.String:
    """Free text, trimmed, at most ``max_length`` characters, never containing a BSN."""
    validators: list[Callable[[str], Any]] = [
        validate.Length(max=max_length, error=f"Maximaal {max_length} tekens."),
        refuse_bsn,
    ]
    return fields.String(
        required=required,
        validate=validators,
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht tekst."},
    )


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
        metadata={"uniqueItems": True},
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


def field_messages(errors: Mapping[str, Any] | list[Any] | str) -> dict[str, list[str]]:
    """Flatten marshmallow's nested error structure to ``{field: [messages]}``."""
    if not isinstance(errors, Mapping):
        return {"_schema": _messages(errors)}
    return {str(name): _messages(value) for name, value in errors.items()}


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
