"""One function per user action on a meeting, shared by the web UI and the API.

A meeting belongs to a node of the route: the members of that node's group are its owners
(the person who planned it chairs it). Owners put signals and kwesties on the agenda; anyone
who may see a signal may *propose* it, and the chair accepts or declines with a reason.
Holding the meeting records the minutes and a conclusion per item: the signal's reporter is
told the conclusion (a ``discussed`` event, which satisfies the feedback clock), and the
meeting may forward, resolve or link the signal in the same step. Every action is one
transaction with its events and e-mails; a conclusion that cannot be carried out rolls the
whole meeting back.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, exists, false, or_, select, true

from signals.auth.models import User
from signals.auth.services import user_by_email
from signals.clock import now
from signals.database import MAX_ID
from signals.errors import Forbidden, InputInvalid, NotFound, StateConflict
from signals.extensions import db
from signals.kwesties import services as kwesties
from signals.meetings import sweep
from signals.meetings.invitations import invite_the_table
from signals.meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    ItemStatus,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingRole,
    MeetingStatus,
)
from signals.meetings.schemas import (
    MEETING_KINDS,
    ActionItemSchema,
    AgendaSchema,
    DecisionSchema,
    DoneSchema,
    MinutesSchema,
    PlanMeetingSchema,
)
from signals.notifications.services import (
    link_to,
    queue_mail,
    queue_reporter_mail,
)
from signals.ownership.models import Owner
from signals.ownership.services import owner_people
from signals.routing.graph import Node
from signals.routing.services import active_graph, independent_nodes
from signals.transaction import unit_of_work
from signals.validation import load
from signals.workflow import lifecycle
from signals.workflow.access import fully_visible_references, get_fully_visible_signal
from signals.workflow.models import Signal
from signals.workflow.services import forward_signal, resolve_signal

NOT_FOUND = "Dit overleg bestaat niet of u heeft er geen toegang toe."
ACTION_NOT_FOUND = "Dit actiepunt bestaat niet of u heeft er geen toegang toe."
OWNERS_ONLY = "Alleen de deelnemers van dit overleg kunnen dit doen."
NOT_PLANNED = "Dit overleg is al gehouden; de agenda ligt vast."
# What a leerdialoog's notulist records beside the minutes.
RECORD_FIELDS = ("dominant_views", "values", "crucial_moments", "lessons")


# Who ----------------------------------------------------------------------------------------


def meeting_nodes(user: User) -> dict[str, Node]:
    """The nodes whose meetings ``user`` may plan: those whose group they are in."""
    return {
        key: node for key, node in active_graph().nodes.items() if node.owner.group in user.groups
    }


def is_meeting_owner(user: User, meeting: Meeting) -> bool:
    """The chair, and the members of the group of the meeting's node."""
    node = active_graph().nodes.get(meeting.node)
    in_group = node is not None and node.owner.group in user.groups
    return user.id == meeting.chair_id or in_group


def may_see_meeting(user: User, meeting: Meeting) -> bool:
    """Its participants, whoever owns one of its action items, and administrators."""
    return may_read_minutes(user, meeting) or any(
        item.is_owned_by(user) for item in meeting.action_items
    )


def reads_by_role(user: User, node: str) -> bool:
    """Whether ``user`` reads every meeting at ``node`` by their role.

    Administrators outside the independent nodes (closed rooms), the ombudsman's
    administrator inside them.
    """
    if node in independent_nodes():
        return user.is_ombudsman_admin
    return user.is_admin


def _by_role_clause(user: User) -> ColumnElement[bool]:
    """SQL: the meetings ``user`` reads by their role (:func:`reads_by_role`)."""
    independent = independent_nodes()
    if user.is_admin:
        return Meeting.node.not_in(independent) if independent else true()
    if user.is_ombudsman_admin and independent:
        return Meeting.node.in_(independent)
    return false()


def may_read_minutes(user: User, meeting: Meeting) -> bool:
    """The participants (its owners and whoever has a role in it) and administrators."""
    return (
        reads_by_role(user, meeting.node)
        or is_meeting_owner(user, meeting)
        or any(given.user_id == user.id for given in meeting.roles)
    )


def readable_minutes_clause(user: User) -> ColumnElement[bool]:
    """SQL condition: the meetings whose minutes ``user`` may read (:func:`may_read_minutes`)."""
    has_role = exists().where(MeetingRole.meeting_id == Meeting.id, MeetingRole.user_id == user.id)
    return or_(
        _by_role_clause(user),
        Meeting.chair_id == user.id,
        Meeting.node.in_(list(meeting_nodes(user))),
        has_role,
    )


# Reading ------------------------------------------------------------------------------------


def get_visible_meeting(user: User, meeting_id: int, *, for_update: bool = False) -> Meeting:
    """The meeting ``meeting_id`` if ``user`` may see it; else NotFound."""
    meeting = _meeting(meeting_id, for_update=for_update)
    if meeting is None or not may_see_meeting(user, meeting):
        raise NotFound(NOT_FOUND)
    return meeting


def list_meetings(user: User) -> list[Meeting]:
    """The meetings ``user`` may see, the next one first, then the past ones newest first."""
    nodes = list(meeting_nodes(user))
    owned = or_(ActionItem.owner_user_id == user.id, ActionItem.owner_group.in_(user.groups))
    with_items = select(ActionItem.meeting_id).where(owned)
    with_roles = select(MeetingRole.meeting_id).where(MeetingRole.user_id == user.id)
    query = select(Meeting).where(
        or_(
            Meeting.node.in_(nodes),
            Meeting.chair_id == user.id,
            Meeting.id.in_(with_items),
            Meeting.id.in_(with_roles),
            _by_role_clause(user),
        )
    )
    meetings = list(db.session.scalars(query.order_by(Meeting.starts_at.desc(), Meeting.id)))
    upcoming = sorted((m for m in meetings if m.is_planned), key=lambda m: m.starts_at)
    return upcoming + [m for m in meetings if not m.is_planned]


def open_action_items_for(user: User) -> list[ActionItem]:
    """The open action items ``user`` owns (as a person or through a group), soonest due first."""
    owned = or_(ActionItem.owner_user_id == user.id, ActionItem.owner_group.in_(user.groups))
    query = select(ActionItem).where(ActionItem.status == ActionStatus.OPEN, owned)
    return list(db.session.scalars(query.order_by(ActionItem.due, ActionItem.id)))


def next_meeting_at(node: str, after: datetime) -> Meeting | None:
    """The first planned meeting of ``node`` after ``after``."""
    query = (
        select(Meeting)
        .where(Meeting.node == node, Meeting.status == MeetingStatus.PLANNED)
        .where(Meeting.starts_at > after)
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )
    return db.session.scalar(query)


def suggested_start(node_key: str, after: datetime) -> datetime | None:
    """When a table with a ``cadence`` meets next.

    Its last meeting plus one period, moved on by whole periods until after ``after``; None
    without a cadence or an earlier meeting.
    """
    node = active_graph().nodes.get(node_key)
    if node is None or node.cadence is None:
        return None
    last = db.session.scalar(
        select(Meeting.starts_at)
        .where(Meeting.node == node_key)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    if last is None:
        return None
    period = (
        relativedelta(weeks=node.cadence.every)
        if node.cadence.unit == "week"
        else relativedelta(months=node.cadence.every)
    )
    suggestion = last + period
    while suggestion <= after:
        suggestion += period
    return suggestion


def next_meetings(after: datetime) -> dict[str, Meeting]:
    """Per node, its first planned meeting after ``after`` (one query, for the route map)."""
    query = (
        select(Meeting)
        .where(Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at > after)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    return {meeting.node: meeting for meeting in db.session.scalars(query)}


def agenda_of_signal(signal: Signal) -> list[AgendaItem]:
    """Where the signal was or is on an agenda (declined proposals left out), newest first."""
    query = (
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.signal_id == signal.id, AgendaItem.status != ItemStatus.DECLINED)
        .order_by(Meeting.starts_at.desc(), AgendaItem.id)
    )
    return list(db.session.scalars(query))


def proposable_meetings(signal: Signal, on_agenda: list[AgendaItem]) -> list[Meeting]:
    """The planned meetings of the signal's node it could be proposed for.

    ``on_agenda`` is :func:`agenda_of_signal` for the signal: those meetings are left out.
    """
    if not signal.is_open:
        return []
    query = (
        select(Meeting)
        .where(Meeting.node == signal.node, Meeting.status == MeetingStatus.PLANNED)
        .where(Meeting.starts_at > now())
        .order_by(Meeting.starts_at)
        .limit(5)
    )
    on_it = {item.meeting_id for item in on_agenda}
    return [m for m in db.session.scalars(query) if m.id not in on_it]


def visible_references(user: User, meeting: Meeting) -> set[str]:
    """The signals of the meeting (agenda, action items, case) ``user`` may see in full."""
    signals = [item.signal for item in meeting.items]
    signals += [item.signal for item in meeting.action_items]
    signals.append(meeting.case_signal)
    references = [signal.reference for signal in signals if signal is not None]
    return fully_visible_references(user, references)


def kind_label(kind: str) -> str:
    return MEETING_KINDS.get(MeetingKind(kind), kind)


# Actions ------------------------------------------------------------------------------------


def plan_meeting(actor: User, data: Mapping[str, Any]) -> Meeting:
    """Plan a meeting of a node's owners; action items waiting to come back join its agenda."""
    fields = load(PlanMeetingSchema(), data)
    nodes = meeting_nodes(actor)
    if fields["node"] not in nodes:
        choices = ", ".join(node.label for node in nodes.values()) or "geen"
        raise InputInvalid({"node": [f"U kunt een overleg plannen voor: {choices}."]})
    case = _finished_case(actor, fields["case"]) if "case" in fields else None
    with unit_of_work():
        moment = now()
        meeting = Meeting(
            node=fields["node"],
            kind=fields["kind"],
            title=fields["title"],
            starts_at=fields["starts_at"],
            status=MeetingStatus.PLANNED,
            chair=actor,
            case_signal_id=case.id if case is not None else None,
            created_at=moment,
        )
        db.session.add(meeting)
        db.session.flush()
        record(meeting, "planned", actor, starts_at=meeting.starts_at.isoformat())
        invite_the_table(meeting, meeting_url(meeting.id))
        if meeting.starts_at > moment:
            for item in sweep.waiting_to_come_back(meeting.node):
                bring_back(item, meeting, moment)
    return meeting


def add_to_agenda(actor: User, meeting_id: int, data: Mapping[str, Any]) -> AgendaItem:
    """An owner puts a signal or kwestie on the agenda; anyone else proposes a signal."""
    meeting = _planned_meeting(meeting_id, actor)
    fields = load(AgendaSchema(), data)
    owner = is_meeting_owner(actor, meeting)
    note = fields.get("note", "")
    if "kwestie" in fields:
        if not owner:
            raise Forbidden("Alleen de deelnemers van dit overleg agenderen een kwestie.")
        kwestie = _visible_kwestie(actor, fields["kwestie"])
        _refuse_twice(meeting, AgendaItem.kwestie_id == kwestie.id)
        with unit_of_work():
            item = _item(meeting, ItemStatus.AGENDERED, actor, note, kwestie_id=kwestie.id)
            record(meeting, "agendered", actor, kwestie=kwestie.id)
        return item
    signal = _open_signal(actor, fields["signal"])
    _refuse_twice(meeting, AgendaItem.signal_id == signal.id)
    with unit_of_work():
        if owner:
            item = _item(meeting, ItemStatus.AGENDERED, actor, note, signal_id=signal.id)
            _agender(item, signal, actor)
        else:
            item = _item(meeting, ItemStatus.PROPOSED, actor, note, signal_id=signal.id)
            record(meeting, "proposed", actor, signal=signal.reference)
            queue_mail(
                "meeting_proposal",
                meeting.chair.email,
                {"title": meeting.title},
                meeting=meeting,
                proposer=actor,
                signal=signal,
                note=note,
                url=meeting_url(meeting.id),
            )
    return item


def decide_proposal(
    actor: User, meeting_id: int, item_id: int, data: Mapping[str, Any]
) -> AgendaItem:
    """The chair (or another owner) puts a proposed signal on the agenda, or declines it."""
    meeting = _planned_meeting(meeting_id, actor)
    if not is_meeting_owner(actor, meeting):
        raise NotFound(NOT_FOUND)
    fields = load(DecisionSchema(), data)
    item = next((item for item in meeting.items if item.id == item_id), None)
    if item is None or item.status != ItemStatus.PROPOSED or item.signal is None:
        raise StateConflict("Over dit voorstel is al besloten.")
    signal, accepted = item.signal, fields["decision"] == "accept"
    with unit_of_work():
        item.status = ItemStatus.AGENDERED if accepted else ItemStatus.DECLINED
        item.reason = fields.get("reason")
        if accepted:
            _agender(item, signal, actor)
        record(meeting, "proposal_decided", actor, signal=signal.reference, accepted=accepted)
        if item.proposed_by is not None and item.proposed_by.id != actor.id:
            queue_mail(
                "meeting_proposal_decided",
                item.proposed_by.email,
                {"reference": signal.reference},
                meeting=meeting,
                signal=signal,
                accepted=accepted,
                reason=item.reason,
                recipient_name=item.proposed_by.name,
                url=link_to("web.show_signal", reference=signal.reference),
            )
    return item


def hold_meeting(actor: User, meeting_id: int, data: Mapping[str, Any]) -> Meeting:
    """Record the minutes and the conclusions: one message per item to its reporter."""
    meeting = _planned_meeting(meeting_id, actor, for_update=True)
    if not may_see_meeting(actor, meeting):
        raise NotFound(NOT_FOUND)
    if not is_meeting_owner(actor, meeting):
        raise Forbidden(OWNERS_ONLY)
    fields = load(MinutesSchema(), data)
    items = [_concluded_item(meeting, index, c) for index, c in enumerate(fields["conclusions"])]
    with unit_of_work():
        moment = now()
        meeting.minutes = fields["minutes"]
        meeting.record = {name: fields[name] for name in RECORD_FIELDS if name in fields} or None
        meeting.status = MeetingStatus.HELD
        meeting.held_at = moment
        record(meeting, "held", actor, conclusions=len(items))
        for item, conclusion in zip(items, fields["conclusions"], strict=True):
            item.status = ItemStatus.CONCLUDED
            item.conclusion = conclusion["message"]
            if item.signal is not None:
                _conclude_signal(meeting, item.signal, actor, conclusion)
            elif item.kwestie is not None:
                kwesties.note_discussed(item.kwestie, actor, meeting.title, conclusion["message"])
    return meeting


def add_action_item(actor: User, meeting_id: int, data: Mapping[str, Any]) -> ActionItem:
    """An action item agreed at the meeting; its owner hears of it."""
    meeting = _meeting(meeting_id)
    if meeting is None or not may_see_meeting(actor, meeting):
        raise NotFound(NOT_FOUND)
    if not is_meeting_owner(actor, meeting):
        raise Forbidden(OWNERS_ONLY)
    fields = load(ActionItemSchema(), data)
    owner = _action_owner(fields["owner"])
    signal = _open_signal(actor, fields["signal"]) if "signal" in fields else None
    kwestie = _visible_kwestie(actor, fields["kwestie"]) if "kwestie" in fields else None
    with unit_of_work():
        item = ActionItem(
            meeting=meeting,
            description=fields["description"],
            owner=owner,
            due=fields["due"],
            feedback_on=fields["feedback_on"],
            signal_id=signal.id if signal is not None else None,
            kwestie_id=kwestie.id if kwestie is not None else None,
            status=ActionStatus.OPEN,
            created_by=actor,
            created_at=now(),
        )
        db.session.add(item)
        db.session.flush()
        sweep.schedule(item)
        record(meeting, "action_item_added", actor, action_item=item)
        for person in owner_people(owner):
            queue_mail(
                "action_item_new",
                person.email,
                {"title": meeting.title},
                item=item,
                meeting=meeting,
                person=person,
                url=meeting_url(meeting.id),
            )
    return item


def complete_action_item(actor: User, item_id: int, data: Mapping[str, Any]) -> ActionItem:
    """The owner (or a meeting owner) reports an action item done; a linked reporter is told."""
    item = _action_item(actor, item_id)
    if not (item.is_owned_by(actor) or is_meeting_owner(actor, item.meeting)):
        raise Forbidden("Alleen de eigenaar van het actiepunt of het overleg kan dit doen.")
    if not item.is_open:
        raise StateConflict("Dit actiepunt is al afgerond.")
    fields = load(DoneSchema(), data)
    with unit_of_work():
        item.status = ActionStatus.DONE
        item.done_at = now()
        item.done_note = fields["note"]
        item.next_work_at = None
        record(item.meeting, "action_item_done", actor, action_item=item, note=fields["note"])
        signal = item.signal
        if signal is not None:
            lifecycle.record(
                signal, "action_item_done", actor, description=item.description, note=item.done_note
            )
            queue_reporter_mail("action_item_done", signal, item=item, actor=actor)
    return item


def action_item_meeting(user: User, item_id: int) -> int:
    """The meeting an action item ``user`` may see belongs to (NotFound otherwise)."""
    return _action_item(user, item_id).meeting_id


# Pieces -------------------------------------------------------------------------------------


def record(meeting: Meeting, event_type: str, actor: User | None, **data: Any) -> MeetingEvent:
    """Append an event to the meeting's history (``action_item`` becomes its link)."""
    item: ActionItem | None = data.pop("action_item", None)
    event = MeetingEvent(
        meeting_id=meeting.id,
        action_item_id=item.id if item is not None else None,
        type=event_type,
        actor_id=actor.id if actor is not None else None,
        at=now(),
        data=data,
    )
    db.session.add(event)
    return event


def bring_back(item: ActionItem, meeting: Meeting, moment: datetime) -> AgendaItem:
    """An action item at its terugkoppelmoment joins the agenda of ``meeting``."""
    agenda_item = AgendaItem(
        meeting=meeting,
        action_item_id=item.id,
        status=ItemStatus.AGENDERED,
        note="Terugkoppeling van een actiepunt",
        created_at=moment,
    )
    db.session.add(agenda_item)
    record(meeting, "action_item_back", None, action_item=item)
    return agenda_item


def meeting_url(meeting_id: int) -> str:
    return link_to("meetings.show_meeting", meeting_id=meeting_id)


def _meeting(meeting_id: int, *, for_update: bool = False) -> Meeting | None:
    if not 0 < meeting_id <= MAX_ID:
        return None
    query = select(Meeting).where(Meeting.id == meeting_id)
    if for_update:
        query = query.with_for_update(of=Meeting)
    return db.session.scalar(query)


def _planned_meeting(meeting_id: int, actor: User, *, for_update: bool = False) -> Meeting:
    """A planned meeting; its existence is no secret to someone proposing a signal for it."""
    meeting = _meeting(meeting_id, for_update=for_update)
    if meeting is None:
        raise NotFound(NOT_FOUND)
    if not meeting.is_planned:
        if not may_see_meeting(actor, meeting):
            raise NotFound(NOT_FOUND)
        raise StateConflict(NOT_PLANNED)
    return meeting


def _action_item(actor: User, item_id: int) -> ActionItem:
    item = db.session.get(ActionItem, item_id) if 0 < item_id <= MAX_ID else None
    if item is None or not may_see_meeting(actor, item.meeting):
        raise NotFound(ACTION_NOT_FOUND)
    return item


def _open_signal(actor: User, reference: str) -> Signal:
    try:
        signal = get_fully_visible_signal(actor, reference)
    except (NotFound, Forbidden):
        raise InputInvalid(
            {"signal": ["Dit signaal bestaat niet of u kunt het niet zien."]}
        ) from None
    if not signal.is_open:
        raise StateConflict("Dit signaal is afgesloten; het kan niet meer op de agenda.")
    return signal


def _finished_case(actor: User, reference: str) -> Signal:
    """The case of a leerdialoog: a signal the planner may see in full, and resolved."""
    try:
        signal = get_fully_visible_signal(actor, reference)
    except (NotFound, Forbidden):
        raise InputInvalid(
            {"case": ["Dit signaal bestaat niet of u kunt het niet zien."]}
        ) from None
    if signal.status != "resolved":
        raise InputInvalid(
            {
                "case": [
                    "Een leerdialoog gaat over een afgeronde casus; dit signaal is nog niet "
                    "afgehandeld."
                ]
            }
        )
    return signal


def _visible_kwestie(actor: User, kwestie_id: int) -> Any:
    try:
        return kwesties.get_visible_kwestie(actor, kwestie_id)
    except NotFound:
        raise InputInvalid({"kwestie": ["Deze kwestie bestaat niet."]}) from None


def _refuse_twice(meeting: Meeting, subject: Any) -> None:
    waiting = AgendaItem.status.in_([ItemStatus.PROPOSED, ItemStatus.AGENDERED])
    query = select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id, subject, waiting)
    if db.session.scalar(query.limit(1)) is not None:
        raise StateConflict("Dit staat al op de agenda van dit overleg.")


def _item(
    meeting: Meeting, status: ItemStatus, actor: User, note: str, **subject: int
) -> AgendaItem:
    item = AgendaItem(
        meeting=meeting, status=status, proposed_by=actor, note=note, created_at=now(), **subject
    )
    db.session.add(item)
    db.session.flush()
    return item


def _agender(item: AgendaItem, signal: Signal, actor: User) -> None:
    """The signal is on the agenda: its timeline says so and its reporter hears when."""
    meeting = item.meeting
    node = active_graph().nodes.get(meeting.node)
    lifecycle.record(
        signal,
        "agendered",
        actor,
        meeting=meeting.id,
        title=meeting.title,
        starts_at=meeting.starts_at.isoformat(),
    )
    record(meeting, "agendered", actor, signal=signal.reference)
    queue_reporter_mail(
        "meeting_agendered",
        signal,
        meeting=meeting,
        table=node.label if node is not None else meeting.title,
    )


def _concluded_item(meeting: Meeting, index: int, conclusion: Mapping[str, Any]) -> AgendaItem:
    def on_agenda(item: AgendaItem) -> bool:
        if item.status != ItemStatus.AGENDERED:
            return False
        if "signal" in conclusion:
            return item.signal is not None and item.signal.reference == conclusion["signal"]
        return bool(item.kwestie_id == conclusion["kwestie"])

    found = next((item for item in meeting.items if on_agenda(item)), None)
    if found is None:
        raise InputInvalid(
            {f"conclusions.{index}": ["Dit staat niet (meer) op de agenda van dit overleg."]}
        )
    return found


def _conclude_signal(
    meeting: Meeting, signal: Signal, actor: User, conclusion: Mapping[str, Any]
) -> None:
    """``discussed`` on the timeline; the reporter gets the conclusion in exactly one e-mail.

    A conclusion that forwards or resolves the signal says so in that step's own e-mail (the
    conclusion is its message); otherwise the ``meeting_discussed`` e-mail carries it.
    """
    message = conclusion["message"]
    lifecycle.record(signal, "discussed", actor, meeting=meeting.id, message=message)
    then = conclusion.get("then") or {}
    action = then.get("action")
    if action == "forward":
        forward_signal(actor, signal.reference, {"to": then["to"], "message": message})
        return
    if action == "resolve":
        resolution = {"outcome": then["outcome"], "rationale": then["rationale"]}
        resolve_signal(actor, signal.reference, {**resolution, "message": message})
        return
    if action == "link":
        kwesties.link_signal(actor, signal.reference, {"kwestie": then["kwestie"]})
    queue_reporter_mail(
        "meeting_discussed",
        signal,
        meeting=meeting,
        message=message,
        actor=actor,
    )


def _action_owner(value: str) -> Owner:
    if "@" in value:
        person = user_by_email(value)
        if person is None or not person.active:
            raise InputInvalid({"owner": ["Er is geen actieve gebruiker met dit e-mailadres."]})
        return Owner(user=person, group=None)
    if value not in active_graph().groups:
        raise InputInvalid({"owner": ["Onbekende groep; kies een groep uit de route."]})
    return Owner(user=None, group=value)
