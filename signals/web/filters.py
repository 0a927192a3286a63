"""Template helpers: Dutch dates, numbers and plurals, code labels, node and owner names."""

import re
from datetime import datetime
from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from signals import codes
from signals.ownership.services import owner_label
from signals.routing.graph import Clocks
from signals.routing.services import active_graph, node_label
from signals.search.text import Fragment
from signals.settings import settings
from signals.wording import (
    MONTHS,
    calendar_day,
    counted,
    dutch_number,
    every,
    plural,
    quoted,
    unless_repeated,
)
from signals.workflow.models import Signal


def local_datetime(moment: datetime | None, with_time: bool = True) -> str:
    """``3 december 2026 14:05`` in the business time zone."""
    if moment is None:
        return ""
    local = moment.astimezone(settings().zone)
    text = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
    return f"{text} {local:%H:%M}" if with_time else text


def local_day_iso(moment: datetime) -> str:
    """``2026-12-03``: the day of ``moment`` in the business time zone (a time's attribute)."""
    return moment.astimezone(settings().zone).date().isoformat()


def owner_name(signal: Signal) -> str:
    """Who owns ``signal``: the person's name, or the label of the owning group."""
    return owner_label(signal.owner)


def responsible(signal: Signal) -> str:
    """Who owns ``signal``, or nothing when that is its node's own group under the same name."""
    return unless_repeated(owner_name(signal), node_label(signal.node))


def node_clocks(key: str) -> Clocks | None:
    """The working-day clocks of node ``key`` in the active route file (None: not there)."""
    node = active_graph().nodes.get(key)
    return node.clocks if node is not None else None


# A web address in plain text, up to white space or a character that cannot be part of one.
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?)"


def linked_addresses(text: str) -> Markup:
    """``text`` escaped, with every http(s) address in it a link (a mail's text version).

    A full stop or comma (and the like) right after an address ends the sentence, not the
    address.
    """
    parts: list[str] = []
    position = 0
    for match in WEB_ADDRESS.finditer(text):
        address = match.group(0).rstrip(TRAILING_PUNCTUATION)
        end = match.start() + len(address)
        parts += [escape(text[position : match.start()]), _link(address)]
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def _link(address: str) -> Markup:
    return Markup('<a href="{0}">{0}</a>').format(address)


def highlighted(found: Fragment) -> Markup:
    """A search fragment with its matching words in ``<mark>``; everything else escaped."""
    parts: list[str] = []
    position = 0
    for start, end in found.highlights:
        parts.append(escape(found.text[position:start]))
        parts.append(Markup("<mark>%s</mark>") % found.text[start:end])
        position = end
    parts.append(escape(found.text[position:]))
    return Markup("").join(parts)


def register(app: Flask) -> None:
    app.add_template_filter(local_datetime, "datum")
    app.add_template_filter(calendar_day, "dag")
    app.add_template_filter(local_day_iso, "dag_iso")
    app.add_template_filter(node_label, "node_label")
    app.add_template_filter(owner_name, "owner_name")
    app.add_template_filter(owner_label, "owner")
    app.add_template_filter(responsible, "responsible")
    app.add_template_filter(node_clocks, "node_clocks")
    app.add_template_filter(dutch_number, "aantal")
    app.add_template_filter(linked_addresses, "links")
    app.add_template_filter(counted, "counted")
    app.add_template_filter(plural, "plural")
    app.add_template_filter(every, "every")
    app.add_template_filter(quoted, "quoted")
    app.add_template_filter(highlighted, "highlighted")

    @app.template_filter("label")
    def code_label(code: str | None, code_list: str) -> str:
        return codes.label(code_list, code)

    @app.context_processor
    def code_lists() -> dict[str, Any]:
        return {"codes": codes}
