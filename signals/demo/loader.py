"""``signals demo load``: realistic demo data, made through the real services.

Departments of the municipality of the active route file, two contracted partners, users for
every role (node-group members take the groups of that route graph) and signals written from
the report's cases, some of them forwarded along the route.

Idempotent: a second run changes nothing. Demo e-mail is marked as delivered, so configuring
a mail server later does not send a burst of old demo messages.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from signals.auth.models import User
from signals.auth.services import (
    create_organisation,
    create_user,
    organisation_by_name,
    set_partner_contact,
)
from signals.clock import get_clock, now
from signals.demo.cases import DEMO_CASES
from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.routing.graph import NodeKind, RouteGraph
from signals.routing.services import active_graph
from signals.workflow.models import Signal
from signals.workflow.services import (
    forward_signal,
    forward_targets,
    give_feedback,
    owners_of,
    resolve_signal,
    submit_signal,
)

DEMO_PASSWORD = "knellend-demo-2026"  # noqa: S105 (published demo password)
DOMAIN = "demo.signalen.example"

# Which node-group members take the groups of which kinds of node.
TABLE_KINDS = {NodeKind.LEAD, NodeKind.SPECIAL_TEAM, NodeKind.CASUISTIEK}
POLICY_KINDS = {
    NodeKind.BELEID,
    NodeKind.LANDELIJK,
    NodeKind.BESTUUR,
    NodeKind.JURIDISCH,
    NodeKind.KLACHTEN,
}


@dataclass(frozen=True)
class Person:
    """A demo user; ``organisation`` is a key of :func:`organisations`."""

    key: str
    name: str
    organisation: str
    role: str
    description: str
    manager: str | None = None
    group_kinds: frozenset[NodeKind] = frozenset()


PEOPLE = [
    Person("admin", "Beheer Signalen", "inkomen", "admin", "beheerder"),
    Person("teamleider", "Marloes de Vries", "inkomen", "manager", "teamleider inkomen"),
    Person("teamleider_shv", "Ruud Bakker", "schulden", "manager", "teamleider schuldhulp"),
    Person(
        "consulent",
        "Samira El Idrissi",
        "inkomen",
        "professional",
        "consulent inkomen",
        manager="teamleider",
    ),
    Person(
        "handhaving", "Jeroen Visser", "inkomen", "professional", "handhaving", manager="teamleider"
    ),
    Person(
        "schuldhulp",
        "Anouk Jansen",
        "schulden",
        "professional",
        "schuldhulpverlener",
        manager="teamleider_shv",
    ),
    Person("buurtteam", "Fatima Ouali", "buurtteam", "professional", "buurtteam (partner)"),
    Person(
        "raadslid", "Peter Hoekstra", "raadslieden", "professional", "sociaal raadslid (partner)"
    ),
    Person(
        "contactpersoon",
        "Mirjam Koster",
        "tafels",
        "manager",
        "contactpersoon van de gemeente voor het buurtteam",
    ),
    Person(
        "intake",
        "Lotte Smit",
        "tafels",
        "member",
        "intake, tafels en teams",
        group_kinds=frozenset(TABLE_KINDS),
    ),
    Person(
        "beleid",
        "Hans Mulder",
        "beleid",
        "member",
        "beleid, klachten, landelijk, bestuur",
        group_kinds=frozenset(POLICY_KINDS),
    ),
    Person(
        "ombuds",
        "Ingrid Willems",
        "ombuds",
        "member",
        "ombudsvoorziening",
        group_kinds=frozenset({NodeKind.OMBUDS}),
    ),
]


def organisations(graph: RouteGraph) -> dict[str, tuple[str, str]]:
    """Demo organisations (name, kind) for the municipality of ``graph``."""
    town = graph.municipality
    ombuds = [node.label for node in graph.nodes.values() if node.kind == NodeKind.OMBUDS]
    return {
        "inkomen": (f"Gemeente {town} – Werk, Participatie en Inkomen", "staff"),
        "schulden": (f"Gemeente {town} – Schuldhulpverlening", "staff"),
        "beleid": (f"Gemeente {town} – Beleid Armoede en Schulden", "staff"),
        "tafels": (f"Gemeente {town} – Tafels en teams sociaal domein", "staff"),
        "ombuds": (ombuds[0] if ombuds else f"Ombudsvoorziening {town}", "staff"),
        "buurtteam": (f"Buurtteam {town}", "partner"),
        "raadslieden": (f"Sociaal Raadslieden {town}", "partner"),
    }


def groups_for(person: Person, graph: RouteGraph) -> list[str]:
    return sorted(
        {node.owner.group for node in graph.nodes.values() if node.kind in person.group_kinds}
    )


def email_of(key: str) -> str:
    return f"{key.replace('_', '.')}@{DOMAIN}"


def load_demo() -> str:
    """Create the demo data unless it is there already; return a one-line summary."""
    graph = active_graph()
    orgs = organisations(graph)
    if organisation_by_name(orgs["inkomen"][0]) is not None:
        return "Demogegevens stonden al klaar; er is niets veranderd."
    for name, kind in orgs.values():
        create_organisation({"name": name, "kind": kind})
    users = _create_people(graph, orgs)
    set_partner_contact(
        {"organisation": orgs["buurtteam"][0], "contact": users["contactpersoon"].email}
    )
    started = now()
    for case in sorted(DEMO_CASES, key=lambda case: -int(case["days_ago"])):
        _replay_case(case, users, started)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, sent_at=OutboxMessage.created_at)
    )
    db.session.commit()
    return (
        f"Demogegevens geladen ({graph.municipality}): {len(orgs)} organisaties, "
        f"{len(PEOPLE)} gebruikers, {len(DEMO_CASES)} signalen."
    )


def _create_people(graph: RouteGraph, orgs: dict[str, tuple[str, str]]) -> dict[str, User]:
    users: dict[str, User] = {}
    for person in PEOPLE:
        users[person.key] = create_user(
            {
                "email": email_of(person.key),
                "name": person.name,
                "organisation": orgs[person.organisation][0],
                "role": person.role,
                "manager": email_of(person.manager) if person.manager else None,
                "groups": groups_for(person, graph),
                "password": DEMO_PASSWORD,
            }
        )
    return users


def _replay_case(case: dict[str, Any], users: dict[str, User], started: datetime) -> None:
    clock = get_clock()
    submitted_at = started - timedelta(days=int(case["days_ago"]), hours=2)
    fields = {
        name: case[name]
        for name in (
            "title",
            "situation",
            "resident_experience",
            "regulations",
            "level",
            "source_organisation",
            "scope",
            "urgency",
            "impact",
            "maatwerk",
            "maatwerk_grounds",
        )
    }
    with clock.frozen_at(submitted_at):
        signal = submit_signal(users[case["reporter"]], fields)
    owner = _owner_of(signal.reference)
    for days_after, message in case.get("feedback", []):
        with clock.frozen_at(submitted_at + timedelta(days=days_after)):
            give_feedback(owner, signal.reference, {"message": message})
    resolution = case.get("resolution")
    if resolution is None and case["scope"] == "structural":
        last_feedback = max((day for day, _ in case.get("feedback", [])), default=0)
        forward_at = submitted_at + timedelta(days=last_feedback + 1)
        if forward_at < started:
            _forward_towards_policy(signal.reference, forward_at)
    if resolution:
        with clock.frozen_at(submitted_at + timedelta(days=resolution["days_after"])):
            resolve_signal(
                owner,
                signal.reference,
                {key: resolution[key] for key in ("outcome", "rationale", "message")},
            )


def _owner_of(reference: str) -> User:
    signal = db.session.scalars(select(Signal).where(Signal.reference == reference)).one()
    return owners_of(signal)[0]


def _forward_towards_policy(reference: str, at: datetime) -> None:
    """Move a structural signal one step along the route, preferring a policy node."""
    signal = db.session.scalars(select(Signal).where(Signal.reference == reference)).one()
    targets = forward_targets(signal)
    preferred = [key for key, node in targets.items() if node.kind == NodeKind.BELEID]
    tables = [key for key, node in targets.items() if node.kind == NodeKind.SPECIAL_TEAM]
    candidates = preferred or tables
    if not candidates:
        return
    choice = candidates[0]
    with get_clock().frozen_at(at):
        forward_signal(
            _owner_of(reference),
            reference,
            {"to": choice, "message": "Dit speelt breder; we leggen het een stap verder neer."},
        )


def print_logins(echo: Callable[[str], None]) -> None:
    """Print the demo accounts and their shared password."""
    orgs = organisations(active_graph())
    echo(f"\nDemo-accounts (wachtwoord voor allemaal: {DEMO_PASSWORD}):")
    for person in PEOPLE:
        organisation = orgs[person.organisation][0]
        echo(f"  {email_of(person.key):<40} {person.name} – {person.description}, {organisation}")
