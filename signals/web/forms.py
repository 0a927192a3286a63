"""Turning a submitted HTML form into the plain data the services validate."""

from typing import Any

from marshmallow import Schema, fields
from werkzeug.datastructures import MultiDict


def form_data(form: MultiDict[str, str], schema: Schema) -> dict[str, Any]:
    """The schema's fields from ``form``: lists for list fields, single values otherwise."""
    data: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if name not in form:
            continue
        data[name] = form.getlist(name) if isinstance(field, fields.List) else form.get(name)
    return data
