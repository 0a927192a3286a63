"""``signals demo load``: realistic Amsterdam demo data, made through the real services.

Amsterdam departments, two contracted partners, users for every role and signals written
from the report's cases.

Idempotent: a second run changes nothing. Demo e-mail is marked as delivered, so configuring
a mail server later does not send a burst of old demo messages.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from signals.auth.models import User
from signals.auth.services import create_organisation, create_user, organisation_by_name
from signals.clock import get_clock, now
from signals.demo.cases import DEMO_CASES
from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.workflow.services import give_feedback, resolve_signal, submit_signal

DEMO_PASSWORD = "knellend-demo-2026"  # noqa: S105 (published demo password)
DOMAIN = "demo.amsterdam.example"

ORGANISATIONS = [
    ("Gemeente Amsterdam – Werk, Participatie en Inkomen", "staff"),
    ("Gemeente Amsterdam – Schuldhulpverlening", "staff"),
    ("Gemeente Amsterdam – Beleid Armoede en Schulden", "staff"),
    ("Gemeente Amsterdam – Stedelijk Doorbraakteam", "staff"),
    ("Ombudsman Metropool Amsterdam", "staff"),
    ("Buurtteam Amsterdam-Oost", "partner"),
    ("Sociaal Raadslieden Amsterdam", "partner"),
]
WPI, SHV, BELEID, DOORBRAAK, OMBUDS, BUURTTEAM, RAADSLIEDEN = (name for name, _ in ORGANISATIONS)

# key, name, organisation, role, manager key, groups, what the person does (printed)
PEOPLE: list[tuple[str, str, str, str, str | None, list[str], str]] = [
    ("admin", "Beheer Signalen", WPI, "admin", None, [], "beheerder"),
    ("teamleider", "Marloes de Vries", WPI, "manager", None, [], "teamleider inkomen (inbox)"),
    ("teamleider_shv", "Ruud Bakker", SHV, "manager", None, [], "teamleider schuldhulp (inbox)"),
    ("consulent", "Samira El Idrissi", WPI, "professional", "teamleider", [], "consulent inkomen"),
    ("handhaving", "Jeroen Visser", WPI, "professional", "teamleider", [], "handhaving"),
    ("schuldhulp", "Anouk Jansen", SHV, "professional", "teamleider_shv", [], "schuldhulpverlener"),
    ("buurtteam", "Fatima Ouali", BUURTTEAM, "professional", None, [], "buurtteam (partner)"),
    (
        "raadslid",
        "Peter Hoekstra",
        RAADSLIEDEN,
        "professional",
        None,
        [],
        "sociaal raadslid (partner)",
    ),
    (
        "intake",
        "Lotte Smit",
        DOORBRAAK,
        "member",
        None,
        ["intake", "doorbraakteam"],
        "intake en doorbraakteam",
    ),
    ("beleid", "Hans Mulder", BELEID, "member", None, ["beleid"], "beleidsadviseur"),
    ("ombuds", "Ingrid Willems", OMBUDS, "member", None, ["ombudsman"], "ombudsman-intake"),
]


def email_of(key: str) -> str:
    return f"{key.replace('_', '.')}@{DOMAIN}"


def load_demo() -> str:
    """Create the demo data unless it is there already; return a one-line summary."""
    if organisation_by_name(WPI) is not None:
        return "Demogegevens stonden al klaar; er is niets veranderd."
    for name, kind in ORGANISATIONS:
        create_organisation({"name": name, "kind": kind})
    users = _create_people()
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
        f"Demogegevens geladen: {len(ORGANISATIONS)} organisaties, {len(PEOPLE)} gebruikers, "
        f"{len(DEMO_CASES)} signalen."
    )


def _create_people() -> dict[str, User]:
    users: dict[str, User] = {}
    for key, name, organisation, role, manager, groups, _ in PEOPLE:
        users[key] = create_user(
            {
                "email": email_of(key),
                "name": name,
                "organisation": organisation,
                "role": role,
                "manager": email_of(manager) if manager else None,
                "groups": groups,
                "password": DEMO_PASSWORD,
            }
        )
    return users


def _replay_case(case: dict[str, Any], users: dict[str, User], started: Any) -> None:
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
    if resolution:
        with clock.frozen_at(submitted_at + timedelta(days=resolution["days_after"])):
            resolve_signal(
                owner,
                signal.reference,
                {key: resolution[key] for key in ("outcome", "rationale", "message")},
            )


def _owner_of(reference: str) -> User:
    from signals.workflow.models import Signal
    from signals.workflow.services import owners_of

    signal = db.session.scalars(select(Signal).where(Signal.reference == reference)).one()
    return owners_of(signal)[0]


def print_logins(echo: Callable[[str], None]) -> None:
    """Print the demo accounts and their shared password."""
    echo(f"\nDemo-accounts (wachtwoord voor allemaal: {DEMO_PASSWORD}):")
    for key, name, organisation, _role, _manager, _groups, description in PEOPLE:
        echo(f"  {email_of(key):<42} {name} – {description}, {organisation}")
