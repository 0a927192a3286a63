"""The sweep's clock work: reminders, breaches, escalation, status updates, survey, follow-up.

The sweep reads only signals whose ``next_clock_at`` has come (an index range), so its cost
follows the due work, not the size of the table. They are handled in batches, a transaction
per batch: claim and lock the rows (skipping those another sweeper or a helper holds), ask
:func:`signals.workflow.clocks.due_now` what is due *now* for each, do it, record it; the
batch's events, e-mails and route history are written with one COPY or executemany per
table (:mod:`signals.bulk`). Because what was done is part of the signal's state, a second sweep
at the same moment finds nothing left to do: every action happens once, also with two
sweepers at once and without the leader lock. The system is the actor (``actor`` is empty in
the events).
"""

import logging
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import lazyload

from signals.auth.models import Role, User
from signals.auth.services import group_members
from signals.bulk import gathered_rows
from signals.errors import StaleVersion
from signals.extensions import db
from signals.notifications.services import (
    link_to,
    queue_owner_mail,
    queue_reporter_mail,
    queue_signal_mail,
    signal_url,
)
from signals.ownership.services import people_as
from signals.routing.services import active_graph, deadlines_at, resolve_owner
from signals.scheduler.helpers import helpers_for, run_with_helpers
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.workflow import clocks, lifecycle
from signals.workflow.clocks import Clock, Due, Work
from signals.workflow.followup import resolvers_of
from signals.workflow.models import Signal

log = logging.getLogger(__name__)
BATCH = 500
WORK_LABELS = {
    "reminder": "herinneringen",
    "breach": "termijnoverschrijdingen",
    "escalation": "automatisch doorgezette signalen",
    "status_update": "statusberichten aan melders",
    "survey": "vragen na afhandeling",
    "followup": "controles na zes maanden",
    "followup_reminder": "herinneringen aan de controle na zes maanden",
    "action_item_reminder": "herinneringen voor actiepunten",
    "action_item_overdue": "actiepunten over de datum",
    "action_item_feedback": "actiepunten op hun terugkoppelmoment",
    "skipped": "signalen bij een andere planner in behandeling",
    "failed": "signalen overgeslagen door een fout (zie het log)",
    "failed_helper": "hulpprocessen uitgevallen (zie het log; hun werk volgt in de volgende ronde)",
}


def run_clock_work(moment: datetime) -> Counter[str]:
    """Do all clock work due at ``moment``; how many of each kind were done.

    A large backlog on PostgreSQL is shared with helper processes (:mod:`.helpers`), each
    claiming its own batches; otherwise this process works through it alone.
    """
    anything_due = select(Signal.id).where(Signal.next_clock_at <= moment).limit(1)
    if db.session.scalar(anything_due) is None:
        db.session.rollback()
        return Counter()  # the usual sweep: one index probe
    helpers = helpers_for(moment)
    if helpers:
        return run_with_helpers(moment, helpers, claim_and_work)
    return claim_and_work(moment)


def claim_and_work(moment: datetime) -> Counter[str]:
    """Claim due signals a batch at a time and do their work, until none is left to claim.

    One transaction per batch: the change to each signal, its events and its e-mails commit
    together. A batch's rows are locked as they are claimed, skipping rows another sweeper
    holds, so sweepers working at once share the backlog. If a batch fails (a conflict with
    another sweeper on SQLite, or a fault in one signal), it is rolled back and redone one
    signal per transaction, so that one bad signal never holds up the others.
    """
    done: Counter[str] = Counter()
    passed_over: set[int] = set()
    people = _People()
    while True:
        claimed: list[int] = []
        try:
            with unit_of_work(), gathered_rows():
                kinds = _claim_and_work_batch(moment, passed_over, claimed, people)
        except Exception:
            if not claimed:
                raise  # the claim itself failed: nothing to redo one by one
            for signal_id in claimed:
                done.update(_work_on_one(signal_id, moment, passed_over, people))
            continue
        if not claimed:
            return done
        done.update(kinds)


def _claim_and_work_batch(
    moment: datetime, passed_over: set[int], claimed: list[int], people: "_People"
) -> list[str]:
    """Lock the next batch of due signals (their ids go to ``claimed``) and do their work."""
    claimed.extend(db.session.scalars(due_batch(moment, passed_over)))
    if not claimed:
        return []
    # Loaded by id after the claim: joined to their people before the LIMIT, the planner would
    # join the whole backlog first.
    query = (
        select(Signal)
        .where(Signal.id.in_(claimed))
        .options(lazyload(Signal.regulation_rows))  # no clock work reads them
        .execution_options(populate_existing=True)
    )
    with db.session.no_autoflush:  # everything is written at the commit, in a few statements
        signals = list(db.session.scalars(query).unique())
        return _work_on(signals, moment, passed_over, people)


def due_batch(moment: datetime, passed_over: Collection[int] = ()) -> Select[int]:
    """The ids of the next batch of signals with work due at ``moment``, locked.

    Rows another sweeper holds are skipped (``SKIP LOCKED``): sweepers share the backlog.
    """
    query = (
        select(Signal.id)
        .where(Signal.next_clock_at <= moment)
        # No tie-break on id: a backlog often shares one moment, and a tie-break would make
        # every batch sort all of it. Which of them comes first does not matter.
        .order_by(Signal.next_clock_at)
        .limit(BATCH)
        .with_for_update(of=Signal, skip_locked=True)
    )
    if passed_over:
        query = query.where(Signal.id.not_in(passed_over))
    return query


def _work_on_one(
    signal_id: int, moment: datetime, passed_over: set[int], people: "_People"
) -> list[str]:
    """One signal's due work in a transaction of its own; a fault is logged and passed over.

    A signal that another sweeper holds, or that has no work due any more (another sweeper
    has just done it), is not selected: "skipped".
    """
    query = (
        select(Signal)
        .where(Signal.id == signal_id, Signal.next_clock_at <= moment)
        .with_for_update(of=Signal, skip_locked=True)
        .execution_options(populate_existing=True)
    )
    try:
        with unit_of_work(), gathered_rows(), db.session.no_autoflush:
            signal = db.session.scalars(query).unique().one_or_none()
            if signal is None:
                passed_over.add(signal_id)
                return ["skipped"]
            return _work_on([signal], moment, passed_over, people)
    except StaleVersion:
        passed_over.add(signal_id)
        return ["skipped"]
    except Exception:
        log.exception("clock work on signal %s failed; it is passed over in this sweep", signal_id)
        passed_over.add(signal_id)
        return ["failed"]


def _work_on(
    signals: list[Signal], moment: datetime, passed_over: set[int], people: "_People"
) -> list[str]:
    """The due work of the locked ``signals`` (inside the caller's transaction); what was done."""
    kinds: list[str] = []
    for signal in signals:
        done = _work_for(signal, moment, people)
        if not done:
            passed_over.add(signal.id)
        kinds += done
    return kinds


def _work_for(signal: Signal, moment: datetime, people: "_People") -> list[str]:
    kinds: list[str] = []
    for due in clocks.due_now(signal, moment):
        kinds += do_due_work(signal, due, moment, people)
        if "escalation" in kinds:
            break  # a new node, new clocks: the rest belonged to the old visit
    # Normally set by the events above; recomputed in case nothing was recordable.
    signal.next_clock_at = clocks.next_moment(signal)
    if signal.next_clock_at is not None and signal.next_clock_at <= moment:
        signal.next_clock_at = None  # never spin on work that cannot be done
    return kinds


@dataclass(frozen=True)
class Recipient:
    """Who an e-mail goes to, as the mail templates address them."""

    id: int
    email: str
    name: str
    role: str

    @classmethod
    def of(cls, user: User) -> "Recipient":
        return cls(user.id, user.email, user.name, user.role)


class _People:
    """Owners and leads of the signals in one sweep.

    A group's members and a line manager are read once per sweep, not once per signal or
    batch, and kept as plain values that outlive the batches' transactions.
    """

    def __init__(self) -> None:
        self._members: dict[str, list[Recipient]] = {}
        self._managers: dict[int, Recipient | None] = {}

    def members(self, group: str) -> list[Recipient]:
        if group not in self._members:
            self._members[group] = [Recipient.of(user) for user in group_members(group)]
        return self._members[group]

    def owners(self, signal: Signal) -> list[Recipient]:
        """What :func:`signals.ownership.services.owner_people` gives."""
        return people_as(signal.owner, Recipient.of, self.members)

    def leads(self, signal: Signal) -> list[Recipient]:
        """Who answers for the owner: a person's active line manager, or a group's managers.

        Never an owner (they get the owner's mail).
        """
        if signal.owner_user is not None:
            manager = self._manager(signal.owner_user.manager_id)
            leads = [manager] if manager is not None else []
        else:
            members = self.members(signal.owner_group or "")
            leads = [member for member in members if member.role == Role.MANAGER]
        owners = {owner.id for owner in self.owners(signal)}
        return [lead for lead in leads if lead.id not in owners]

    def _manager(self, manager_id: int | None) -> Recipient | None:
        if manager_id is None:
            return None
        if manager_id not in self._managers:
            manager = db.session.get(User, manager_id)
            if manager is not None and manager.active:
                self._managers[manager_id] = Recipient.of(manager)
            else:
                self._managers[manager_id] = None
        return self._managers[manager_id]


def do_due_work(signal: Signal, due: Due, moment: datetime, people: _People) -> list[str]:
    """Do one piece of ``signal``'s due clock work; what was done, as the sweep counts it.

    The one step per signal and clock the sweep takes inside the signal's own transaction
    (a fault here passes over that signal only).
    """
    if due.work == Work.BREACH:
        return _breach(signal, due, moment, people)
    if due.work == Work.REMINDER:
        _remind(signal, due, moment, people)
    elif due.work == Work.STATUS_UPDATE:
        _status_update(signal)
    elif due.work == Work.SURVEY:
        _survey(signal, moment)
    elif due.work == Work.FOLLOWUP_REMINDER:
        _followup_reminder(signal, moment)
    else:
        _followup(signal, moment)
    return [due.work.value]


def _clock_facts(signal: Signal, due: Due) -> dict[str, object]:
    return {
        "clock": due.clock.value if due.clock else None,
        "node": signal.node,
        "visit": signal.node_visit,
        "due": (due.deadline or due.at).isoformat(),
    }


def _remind(signal: Signal, due: Due, moment: datetime, people: _People) -> None:
    if due.clock == Clock.ACCEPT:
        signal.accept_reminded_at = moment
    else:
        signal.feedback_reminded_at = moment
    lifecycle.record(signal, "reminder_sent", None, **_clock_facts(signal, due))
    _to_owners(people, signal, "deadline_reminder", due=due)


def _breach(signal: Signal, due: Due, moment: datetime, people: _People) -> list[str]:
    """Record the breach once, tell the owner and their lead; escalate where configured."""
    if due.clock == Clock.ACCEPT:
        signal.accept_breached_at = moment
    else:
        signal.feedback_breached_at = moment
    lifecycle.record(signal, "deadline_breached", None, **_clock_facts(signal, due))
    leads = people.leads(signal)
    _to_owners(people, signal, "deadline_breached", due=due, leads_told=bool(leads))
    for lead in leads:
        # A lead may not see the signal itself: not its title nor its reference, and the
        # link leads to the service rather than to a page they cannot open.
        queue_signal_mail(
            "deadline_breached",
            lead.email,
            signal,
            subject_key="deadline_breached_lead",
            person=lead,
            due=due,
            as_lead=True,
            url=link_to("web.home"),
        )
    node = clocks.node_of(signal)
    target = node.escalate_on_overdue if node is not None else None
    if target is None or target not in active_graph().nodes:
        return ["breach"]
    _escalate(signal, target, due, moment, people)
    return ["breach", "escalation"]


def _escalate(signal: Signal, target_key: str, due: Due, moment: datetime, people: _People) -> None:
    """Forward the signal along its ``escalate_on_overdue`` edge, the system as actor."""
    target = active_graph().nodes[target_key]
    origin = signal.node
    lifecycle.move(signal, "forward")
    lifecycle.place(
        signal, target, resolve_owner(target, signal.reporter), deadlines_at(target, moment), moment
    )
    lifecycle.record(
        signal,
        "escalated_overdue",
        None,
        **{"from": origin, "to": target.key, "clock": due.clock.value if due.clock else None},
    )
    queue_reporter_mail("forwarded", signal, actor=None, escalated=True)
    _to_owners(people, signal, "new_signal", escalated=True)


def _to_owners(people: _People, signal: Signal, kind: str, **context: Any) -> None:
    """The ``kind`` e-mail to the signal's owner by name, or to its group's members at once."""
    role = "person" if kind == "deadline_breached" else "owner"
    queue_owner_mail(kind, signal, people.owners(signal), role=role, **context)


def _status_update(signal: Signal) -> None:
    lifecycle.record(signal, "status_update_sent", None, node=signal.node)
    queue_reporter_mail("status_update", signal)


def _survey(signal: Signal, moment: datetime) -> None:
    signal.survey_sent_at = moment
    lifecycle.record(signal, "survey_sent", None)
    days = settings().reopen_window_days
    reopen_until = (signal.resolved_at or moment) + timedelta(days=days)
    queue_reporter_mail(
        "survey",
        signal,
        reopen_until=reopen_until,
        url=link_to("web.survey", reference=signal.reference),
        signal_url=signal_url(signal.reference),
    )


def _followup(signal: Signal, moment: datetime) -> None:
    signal.followup_sent_at = moment
    lifecycle.record(signal, "followup_sent", None)
    answer = link_to("web.followup", reference=signal.reference)
    for person in resolvers_of(signal):
        queue_signal_mail("followup", person.email, signal, person=person, url=answer)


def _followup_reminder(signal: Signal, moment: datetime) -> None:
    signal.followup_reminded_at = moment
    lifecycle.record(signal, "followup_reminded", None)
    answer = link_to("web.followup", reference=signal.reference)
    for person in resolvers_of(signal):
        queue_signal_mail("followup_reminder", person.email, signal, person=person, url=answer)


def describe(done: Counter[str]) -> list[str]:
    """Dutch lines for the tick command: one per kind of work done."""
    return [f"{WORK_LABELS[kind]}: {number}" for kind, number in sorted(done.items())]
