"""A signal's own way through the route: the nodes it came to, in order, since when, by whom, why.

Read from what the signal already records: a :class:`SignalParticipant` for every arrival at a
node (where, since when, which owner) and the event that brought it there (``submitted``,
``forwarded``, ``escalated_overdue``: by whom, with which reason or message). The k-th arrival
event belongs to the k-th participant; both are written by the same placement.

Only for a viewer who may see the signal in full (:func:`signals.workflow.access.visibility`):
everything here is also in the signal's timeline, which that viewer sees already.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from signals.auth.models import User
from signals.extensions import db
from signals.routing.diagram import Highlight
from signals.routing.graph import RouteGraph
from signals.routing.services import active_graph, node_label
from signals.wording import unless_repeated
from signals.workflow.models import Signal, SignalEvent, SignalParticipant

ARRIVALS = frozenset({"submitted", "forwarded", "escalated_overdue"})
# What the current node's entry says of the signal, by status (open: "hier ligt het nu").
CLOSED_HERE = {"resolved": "hier afgehandeld", "withdrawn": "hier ingetrokken"}
OPEN_HERE = "hier ligt het nu"


@dataclass(frozen=True)
class Visit:
    """One stay of a signal at a node of the route."""

    number: int  # 1: where it entered
    node: str
    since: datetime
    until: datetime | None  # when it left (or was resolved there); None: it is still there
    owner: str  # the person's name, or the group's label; "" when that only repeats the node's
    how: str  # the arrival event's type: submitted, forwarded or escalated_overdue
    actor: User | None  # who sent it here; None: the system (an escalation)
    reason: str | None  # why it entered here: the entry rule (or the reporter's own choice)
    message: str | None  # why it was forwarded here, in the forwarder's words
    clock: str | None  # an escalation: the clock whose deadline passed (accept, feedback)
    current: bool


@dataclass(frozen=True)
class Journey:
    """Every visit of a signal, in order, and where it is now."""

    visits: list[Visit]
    current: str
    where: str  # of the current node: "hier ligt het nu", "hier afgehandeld" …

    def highlight(self) -> Highlight:
        """The journey as marks on the route map."""
        return Highlight(
            visited=tuple(visit.node for visit in self.visits),
            current=self.current,
            where=self.where,
        )


def _owner(participant: SignalParticipant, names: dict[int, str], graph: RouteGraph) -> str:
    if participant.user_id is not None and participant.user_id in names:
        return names[participant.user_id]
    return unless_repeated(graph.group_label(participant.group or ""), node_label(participant.node))


def journey_of(signal: Signal) -> Journey:
    """The visits of ``signal`` to the nodes of the route, first to last."""
    participants = sorted(signal.participants, key=lambda row: (row.since, row.id))
    arrivals: list[SignalEvent | None] = [e for e in signal.events if e.type in ARRIVALS]
    arrivals += [None] * (len(participants) - len(arrivals))  # a history older than its events
    graph = active_graph()
    ids = {row.user_id for row in participants if row.user_id is not None}
    names = {
        row.id: row.name
        for row in db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    }

    visits: list[Visit] = []
    for number, (participant, event) in enumerate(zip(participants, arrivals, strict=False), 1):
        data = event.data if event is not None else {}
        last = number == len(participants)
        until = participants[number].since if not last else _closed_at(signal)
        visits.append(
            Visit(
                number=number,
                node=participant.node,
                since=participant.since,
                until=until,
                owner=_owner(participant, names, graph),
                how=event.type if event is not None else "submitted",
                actor=event.actor if event is not None else None,
                reason=data.get("reason") or None,
                message=data.get("message") or None,
                clock=data.get("clock"),
                current=last,
            )
        )
    where = OPEN_HERE if signal.is_open else CLOSED_HERE.get(signal.status, OPEN_HERE)
    return Journey(visits=visits, current=signal.node, where=where)


def _closed_at(signal: Signal) -> datetime | None:
    """When a closed signal was closed (resolved, withdrawn); None while it is open."""
    if signal.is_open:
        return None
    closings = [event.at for event in signal.events if event.type in CLOSED_HERE]
    return closings[-1] if closings else signal.resolved_at
