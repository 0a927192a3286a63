"""Where a signal goes: the entry node, the owner at a node, the deadlines, and previews.

The active route graph (``SIGNALS_ROUTES``) is loaded once by the app factory; every decision
is taken against it and records its version on the signal.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from signals import codes
from signals.auth.models import OrganisationKind, User
from signals.calendar import BusinessCalendar
from signals.ownership.models import Owner
from signals.routing.graph import Node, OwnerType, RouteGraph
from signals.routing.loader import RouteConfigError, load_route_file
from signals.settings import settings_of

EXTENSION_KEY = "signals.routes"


def init_app(app: Flask, project_root: Path) -> None:
    """Load the route file named by ``ROUTES``; refuse to start when it is invalid."""
    path = Path(settings_of(app).routes)
    if not path.is_absolute() and not path.exists():
        path = project_root / path
    try:
        graph = load_route_file(path)
    except RouteConfigError as error:
        raise RuntimeError(
            "The route file is invalid; the service does not start:\n" + "\n".join(error.problems)
        ) from error
    app.extensions[EXTENSION_KEY] = graph
    app.extensions["signals.calendar"] = BusinessCalendar(
        settings_of(app).timezone, graph.closed_days
    )


def active_graph() -> RouteGraph:
    graph: RouteGraph = current_app.extensions[EXTENSION_KEY]
    return graph


def business_calendar() -> BusinessCalendar:
    calendar: BusinessCalendar = current_app.extensions["signals.calendar"]
    return calendar


@dataclass(frozen=True)
class Deadlines:
    """When a node's clocks fall due for a signal that enters it at a given moment."""

    accept_due: datetime
    feedback_due: datetime
    update_due: datetime


@dataclass(frozen=True)
class RouteDecision:
    """Where a signal enters, why, who owns it there and by when the reporter hears back."""

    node: Node
    reason: str
    owner: Owner
    deadlines: Deadlines


def resolve_owner(node: Node, reporter: User | None) -> Owner:
    """The owner of ``node`` for a signal by ``reporter``, falling back to the node's group.

    No reporter (an anonymous signal, or one whose reporter retention has removed): the group.
    """
    person: User | None = None
    if reporter is None:
        pass
    elif node.owner.type == OwnerType.LINE_MANAGER:
        person = reporter.manager
    elif node.owner.type == OwnerType.PARTNER_CONTACT and reporter.organisation.is_partner:
        person = reporter.organisation.contact
    if person is not None and person.active:
        return Owner(user=person, group=None)
    return Owner(user=None, group=node.owner.group)


def deadlines_at(node: Node, entered_at: datetime) -> Deadlines:
    calendar = business_calendar()
    return Deadlines(
        accept_due=calendar.add_working_days(entered_at, node.clocks.accept_within),
        feedback_due=calendar.add_working_days(entered_at, node.clocks.feedback_within),
        update_due=calendar.add_working_days(entered_at, node.clocks.update_every),
    )


def routing_facts(reporter: User | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """What entry rules look at: the signal's fields and the reporter's situation.

    ``reporter`` None: the anonymous channel, a reporter kind of its own without a manager.
    """
    manager = reporter.manager if reporter is not None else None
    return {
        **{name: fields.get(name) for name in ("urgency", "scope", "level", "maatwerk")},
        "source_organisation": fields.get("source_organisation"),
        "regulations": fields.get("regulations") or [],
        "impact": fields.get("impact") or [],
        "organisation_kind": reporter_kind(reporter),
        "has_line_manager": manager is not None and manager.active,
    }


def reporter_kind(reporter: User | None) -> str:
    """The kind of reporter entry rules and figures see; ``None`` is the anonymous channel."""
    return reporter.organisation.kind if reporter is not None else OrganisationKind.ANONYMOUS


def direct_choices(reporter: User | None) -> list[Node]:
    """Nodes this reporter may send a signal to directly instead of following the rules."""
    return active_graph().direct_nodes(reporter_kind(reporter))


def decide_entry(reporter: User | None, fields: Mapping[str, Any], at: datetime) -> RouteDecision:
    """Where a signal with ``fields`` by ``reporter`` enters the route at moment ``at``."""
    graph = active_graph()
    direct = fields.get("direct_node")
    if direct and direct in {node.key for node in direct_choices(reporter)}:
        key, reason = direct, "rechtstreeks gekozen door de melder"
    else:
        key, reason = graph.entry_node(routing_facts(reporter, fields))
    node = graph.nodes[key]
    return RouteDecision(node, reason, resolve_owner(node, reporter), deadlines_at(node, at))


def preview_draft_entry(reporter: User, data: Mapping[str, Any], at: datetime) -> RouteDecision:
    """Where a half-filled form's signal would enter at ``at`` (the web form's live preview).

    Lenient: like :func:`decide_entry`, but a code that is missing, unknown or of the wrong
    type counts as not given, and nothing is refused. The API's preview, which validates what
    it is given, is :func:`signals.workflow.services.preview_valid_signal`.
    """
    known: dict[str, Any] = {}
    for name, code_list in (
        ("urgency", codes.URGENCIES),
        ("scope", codes.SCOPES),
        ("level", codes.LEVELS),
        ("maatwerk", codes.MAATWERK),
        ("source_organisation", codes.SOURCE_ORGANISATIONS),
    ):
        value = data.get(name)
        known[name] = value if isinstance(value, str) and value in code_list else None
    for name, code_list in (("regulations", codes.REGULATIONS), ("impact", codes.IMPACTS)):
        values = data.get(name) or []
        values = [values] if isinstance(values, str) else values
        known[name] = [value for value in values if isinstance(value, str) and value in code_list]
    direct = data.get("direct_node")
    known["direct_node"] = direct if isinstance(direct, str) else None
    return decide_entry(reporter, known, at)


def independent_nodes() -> list[str]:
    """The keys of the active graph's independent nodes (the ombudsman: a closed room)."""
    return [key for key, node in active_graph().nodes.items() if node.independent]


def node_label(key: str) -> str:
    """The Dutch label of a node of the active graph (also for nodes no longer in it)."""
    node = active_graph().nodes.get(key)
    return node.label if node is not None else f"{key} (niet meer in de route)"
