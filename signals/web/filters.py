"""Template helpers: Dutch dates, code labels and node names."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from signals import codes
from signals.routing.graph import Clocks
from signals.routing.services import active_graph, node_label
from signals.workflow.models import Signal

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def local_datetime(moment: datetime | None, with_time: bool = True) -> str:
    """``3 december 2026 14:05`` in the business time zone."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    text = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
    return f"{text} {local:%H:%M}" if with_time else text


def dutch_number(number: int) -> str:
    """``1234567`` as ``1.234.567``: Dutch groups thousands with a dot."""
    return f"{number:,}".replace(",", ".")


def owner_name(signal: Signal) -> str:
    """Who owns ``signal``: the person's name, or the label of the owning group."""
    if signal.owner_user is not None:
        return signal.owner_user.name
    return active_graph().group_label(signal.owner_group or "")


def node_clocks(key: str) -> Clocks | None:
    """The working-day clocks of node ``key`` in the active route file (None: not there)."""
    node = active_graph().nodes.get(key)
    return node.clocks if node is not None else None


def register(app: Flask) -> None:
    app.add_template_filter(local_datetime, "datum")
    app.add_template_filter(node_label, "node_label")
    app.add_template_filter(owner_name, "owner_name")
    app.add_template_filter(node_clocks, "node_clocks")
    app.add_template_filter(dutch_number, "aantal")

    @app.template_filter("label")
    def code_label(code: str | None, code_list: str) -> str:
        return codes.label(code_list, code)

    @app.context_processor
    def code_lists() -> dict[str, Any]:
        return {"codes": codes}
