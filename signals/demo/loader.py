"""``signals demo load``: realistic demo data, made by the real services and the real sweep.

Departments of the municipality of the active route file, two contracted partners, users for
every role (node-group members take the groups of that route graph) and signals written from
the report's cases, some of them forwarded along the route.

The demo's past is played, not written: the application clock is moved through the last
months, each case's steps (submission, feedback, forwarding, resolution) are taken by the
services at their moments, and in between the scheduler's work (:func:`due_work`: reminders,
breaches, escalations, status updates, surveys, daily digests) is done at the moment it fell
due, as a scheduler running all along would have done it. Owners take what reaches them on
the next working morning; a signal that arrives by forwarding or escalation gets a first
word to the reporter the working day after. A case without feedback is one whose owner never
reported back: its clocks run out and the sweep escalates it. So the data is history that
fits its own clocks: every breach that has happened is recorded at its moment, and a sweep
right after the load finds nothing left to do.

Idempotent: a second run changes nothing. Demo e-mail is marked as delivered, so configuring
a mail server later does not send a burst of old demo messages.
"""

import heapq
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, select, update

from signals.anonymous.services import submit_anonymous_signal
from signals.auth.models import User
from signals.auth.services import (
    create_organisation,
    create_user,
    organisation_by_name,
    set_partner_contact,
)
from signals.calendar import BusinessCalendar
from signals.clock import get_clock, now
from signals.demo.cases import DEMO_CASES
from signals.extensions import db
from signals.figures.rollups import refresh_monthly_figures
from signals.knowledge.services import publish_signal
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.ownership.services import owner_people
from signals.retention.purge import run_retention
from signals.routing.graph import NodeKind, RouteGraph
from signals.routing.services import active_graph, business_calendar
from signals.scheduler.jobs import due_work
from signals.settings import settings
from signals.workflow.models import Signal, SignalStatus
from signals.workflow.services import (
    accept_signal,
    forward_signal,
    forward_targets,
    give_feedback,
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
    Person(
        "ombudsbeheer",
        "Olga Peters",
        "ombuds",
        "ombudsman_admin",
        "beheerder van de ombudsvoorziening (beheert de groep, leest wat daar ligt)",
    ),
    Person(
        "privacy",
        "Pieter de Boer",
        "beleid",
        "privacy_officer",
        "functionaris gegevensbescherming (toegangslog, inzageverzoeken)",
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
    started = now()
    past = _DemoPast(started)
    with get_clock().frozen_at(past.begins):
        for name, kind in orgs.values():
            create_organisation({"name": name, "kind": kind})
        users = _create_people(graph, orgs)
        set_partner_contact(
            {"organisation": orgs["buurtteam"][0], "contact": users["contactpersoon"].email}
        )
    for index, case in enumerate(DEMO_CASES):
        past.plan_case(index, case, users)
    past.play()
    refresh_monthly_figures(started, now_anyway=True)  # the dashboard shows the demo at once
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, sent_at=OutboxMessage.created_at)
    )
    db.session.commit()
    with get_clock().frozen_at(started):  # what a running service no longer keeps, gone
        run_retention(started)
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


SIGNAL_FIELDS = (
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
# Local times of day at which the demo's people act.
ACCEPT_AT = time(9, 0)
FEEDBACK_AT = time(11, 0)
FORWARD_AT = time(14, 0)
RESOLVE_AT = time(15, 0)
FORWARD_MESSAGE = "Dit speelt breder; we leggen het een stap verder neer."
RECEIVED_MESSAGE = (
    "Je signaal is bij {label} binnengekomen en we hebben het in behandeling genomen. We laten "
    "je weten wat we ermee doen."
)


@dataclass(order=True)
class _Step:
    """Something a person does in the demo's past, at ``at``."""

    at: datetime
    order: int
    act: Callable[[], object] = field(compare=False)


class _DemoPast:
    """The demo's last months, played in order: people's steps and the sweeps between them."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        oldest = max(int(case["days_ago"]) for case in DEMO_CASES)
        self.calendar: BusinessCalendar = business_calendar()
        self.begins = self._working_time(until - timedelta(days=oldest + 1), time(8, 0), -1)
        self._steps: list[_Step] = []
        self._order = itertools.count()
        # (signal id, visit): taken on (or planned to be), or left to wait in the inbox
        self._taken_on: set[tuple[int, int]] = set()
        self._left_lying: set[int] = set()  # after their first node, nobody takes these on
        self._digests = self._digest_moments()
        self._next_digest: datetime | None = next(self._digests, None)

    # Planning -----------------------------------------------------------------------------

    def plan_case(self, index: int, case: dict[str, Any], users: dict[str, User]) -> None:
        """The steps of one case: submission, feedback, forwarding or resolution."""
        reference: list[str] = []  # known once the submission has been played
        day = (self.until - timedelta(days=int(case["days_ago"]))).astimezone(self.calendar.zone)
        submitted_at = self._working_time(day, time(9 + index * 7 % 8, index * 13 % 60), -1)
        if submitted_at >= self.until:
            return

        def submit() -> None:
            fields = {k: case[k] for k in SIGNAL_FIELDS}
            if case["reporter"] is None:  # through the anonymous channel
                signal = submit_anonymous_signal(fields, None).signal
            else:
                signal = submit_signal(users[case["reporter"]], fields)
            reference.append(signal.reference)
            if case.get("taken_on") is False:
                self._taken_on.add((signal.id, signal.node_visit))  # left in the inbox
            if case.get("late"):
                self._left_lying.add(signal.id)

        self._plan(submitted_at, submit)
        for days_after, message in case.get("feedback", []):
            self._plan(
                self._after(submitted_at, days_after, FEEDBACK_AT),
                partial(_give_feedback, reference, message),
            )
        resolution = case.get("resolution")
        if resolution:
            fields = {key: resolution[key] for key in ("outcome", "rationale", "message")}
            self._plan(
                self._after(submitted_at, resolution["days_after"], RESOLVE_AT),
                partial(_resolve, reference, fields),
            )
            if "article" in resolution:  # what was learned, for the next professional
                self._plan(
                    self._after(submitted_at, resolution["days_after"] + 1, RESOLVE_AT),
                    partial(_publish, reference, resolution["article"]),
                )
        elif case["scope"] == "structural":
            last_feedback = max((day for day, _ in case.get("feedback", [])), default=0)
            self._plan(
                self._after(submitted_at, last_feedback + 1, FORWARD_AT),
                partial(_forward_towards_policy, reference),
            )

    def _plan(self, at: datetime, act: Callable[[], object]) -> None:
        if at <= self.until:  # what lies after "now" has not happened yet
            heapq.heappush(self._steps, _Step(at, next(self._order), act))

    # Playing ------------------------------------------------------------------------------

    def play(self) -> None:
        """Every step and every sweep up to and including ``until``, in the order of time."""
        clock = get_clock()
        swept: datetime | None = None
        while True:
            sweep_at = self._next_sweep()
            step = self._steps[0] if self._steps else None
            if step is not None and (sweep_at is None or step.at <= sweep_at):
                heapq.heappop(self._steps)
                with clock.frozen_at(step.at):
                    step.act()
                self._take_on_arrivals()
                continue
            if sweep_at is None:
                return
            if swept is not None and sweep_at <= swept and sweep_at != self._next_digest:
                raise RuntimeError(f"demo: the sweep at {sweep_at} left its work undone")
            due_work(sweep_at)
            swept = sweep_at
            if self._next_digest is not None and self._next_digest <= sweep_at:
                self._next_digest = next(self._digests, None)
            self._take_on_arrivals()

    def _next_sweep(self) -> datetime | None:
        """The next moment the scheduler has work (clock work or digests), up to ``until``."""
        due = db.session.scalar(select(func.min(Signal.next_clock_at)))
        db.session.rollback()
        moments = [moment for moment in (due, self._next_digest) if moment is not None]
        moment = min(moments, default=None)
        return moment if moment is not None and moment <= self.until else None

    def _digest_moments(self) -> Iterator[datetime]:
        """The first sweep in digest hours of every working day of the past."""
        hour = time(settings().digest_hour, 0)
        day: date = self.calendar.local_date(self.begins)
        while True:
            if self.calendar.is_working_day(day):
                moment = datetime.combine(day, hour, tzinfo=self.calendar.zone)
                if moment > self.until:
                    return
                if moment >= self.begins:
                    yield moment
            day += timedelta(days=1)

    def _take_on_arrivals(self) -> None:
        """Owners take what arrives on the next working morning.

        A signal that came from another node (forwarded or escalated) also gets a first word
        to its reporter from them the working day after.
        """
        arrivals = db.session.execute(
            select(Signal.id, Signal.reference, Signal.node_visit, Signal.node_entered_at).where(
                Signal.status == SignalStatus.NEW
            )
        ).all()
        db.session.rollback()
        for signal_id, reference, visit, entered_at in arrivals:
            if (signal_id, visit) in self._taken_on or (
                visit > 1 and signal_id in self._left_lying
            ):
                continue
            self._taken_on.add((signal_id, visit))
            accept_at = self._working_time(entered_at, ACCEPT_AT, +1, after=True)
            self._plan(accept_at, partial(_accept, [reference]))
            if visit > 1:
                self._plan(
                    self._working_time(accept_at + timedelta(days=1), FEEDBACK_AT, +1),
                    partial(_say_received, [reference]),
                )

    # Moments ------------------------------------------------------------------------------

    def _after(self, start: datetime, days: int, at: time) -> datetime:
        return self._working_time(start + timedelta(days=days), at, +1)

    def _working_time(
        self, moment: datetime, at: time, direction: int, *, after: bool = False
    ) -> datetime:
        """Local time ``at`` on ``moment``'s day, or the nearest working day in ``direction``.

        With ``after``, the first such moment later than ``moment`` itself.
        """
        day = self.calendar.local_date(moment)
        while True:
            candidate = datetime.combine(day, at, tzinfo=self.calendar.zone)
            if self.calendar.is_working_day(day) and (not after or candidate > moment):
                return candidate
            day += timedelta(days=direction)


def _signal(reference: str) -> Signal:
    return db.session.scalars(select(Signal).where(Signal.reference == reference)).one()


def _owner_of(reference: str) -> User:
    return owner_people(_signal(reference).owner)[0]


# Each step names its signal by a list that holds the reference once it was submitted.


def _accept(reference: list[str]) -> None:
    accept_signal(_owner_of(reference[0]), reference[0], {})


def _give_feedback(reference: list[str], message: str) -> None:
    give_feedback(_owner_of(reference[0]), reference[0], {"message": message})


def _resolve(reference: list[str], fields: dict[str, Any]) -> None:
    resolve_signal(_owner_of(reference[0]), reference[0], fields)


def _publish(reference: list[str], article: dict[str, str]) -> None:
    publish_signal(_owner_of(reference[0]), reference[0], article)


def _say_received(reference: list[str]) -> None:
    signal = _signal(reference[0])
    if signal.is_open:
        label = active_graph().nodes[signal.node].label
        _give_feedback(reference, RECEIVED_MESSAGE.format(label=label))


def _forward_towards_policy(reference: list[str]) -> None:
    """Move a structural signal one step along the route, preferring a policy node."""
    signal = _signal(reference[0])
    if not signal.is_open:
        return
    targets = forward_targets(signal)
    preferred = [key for key, node in targets.items() if node.kind == NodeKind.BELEID]
    tables = [key for key, node in targets.items() if node.kind == NodeKind.SPECIAL_TEAM]
    candidates = preferred or tables
    if not candidates:
        return
    forward_signal(
        _owner_of(reference[0]), reference[0], {"to": candidates[0], "message": FORWARD_MESSAGE}
    )


def print_logins(echo: Callable[[str], None]) -> None:
    """Print the demo accounts and their shared password."""
    orgs = organisations(active_graph())
    echo(f"\nDemo-accounts (wachtwoord voor allemaal: {DEMO_PASSWORD}):")
    for person in PEOPLE:
        organisation = orgs[person.organisation][0]
        echo(f"  {email_of(person.key):<40} {person.name} – {person.description}, {organisation}")
