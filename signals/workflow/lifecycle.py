"""A signal's lifecycle, step by step: begin an action, move, place at a node, record.

The services of :mod:`signals.workflow.services` and :mod:`signals.kwesties.services` and the
scheduler's sweep (:mod:`signals.scheduler.clock_sweep`) change signals only through these:

- :func:`begin`: lock the signal, check that the actor may take the action now (its
  transition), validate the input, check the version the caller saw;
- :func:`move`: the action's status change, counted as a change of the signal (a new version);
- :func:`place`: the signal at a node with its owner and that node's clocks;
- :func:`record`: an event in the signal's history; its clocks follow.

Inside :func:`signals.bulk.gathered_rows` (the sweep) the rows of :func:`place` and
:func:`record` are gathered and written together; elsewhere they are ORM objects.
"""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from marshmallow import Schema
from sqlalchemy.orm.attributes import flag_modified

from signals.auth.models import User
from signals.bulk import add_row
from signals.clock import now
from signals.errors import StaleVersion, StateConflict
from signals.extensions import db
from signals.ownership.models import Owner
from signals.routing.graph import Node
from signals.routing.services import Deadlines, active_graph
from signals.validation import load
from signals.workflow import clocks
from signals.workflow.access import get_visible_signal
from signals.workflow.models import OPEN_STATUSES, Signal, SignalEvent, SignalParticipant
from signals.workflow.transitions import check, transition_table

ANONYMISED = (
    "Dit signaal is geanonimiseerd: de bewaartermijn na afhandeling is verstreken. Er kan "
    "niets meer mee gebeuren."
)


def begin(
    action: str,
    actor: User,
    reference: str,
    schema: Schema,
    data: Mapping[str, Any],
    refusal: Callable[[Signal], str | None] | None = None,
) -> tuple[Signal, dict[str, Any]]:
    """Lock the signal, check that ``actor`` may take ``action`` now, then validate the input.

    Who and when come first, so a person who may not act learns that rather than which
    fields they left empty; a version the caller saw that is no longer current is a conflict.
    ``refusal``: the action's own check of the moment (a reason to refuse, or None), after
    the transition's.
    """
    signal = get_visible_signal(actor, reference, for_update=True)
    if signal.is_anonymised:
        raise StateConflict(ANONYMISED)
    check(
        action,
        signal.status,
        is_owner=signal.is_owned_by(actor),
        is_reporter=signal.reporter_id == actor.id,
        is_admin=actor.is_admin,
    )
    refused = refusal(signal) if refusal is not None else None
    if refused is not None:
        raise StateConflict(refused)
    fields = load(schema, data)
    if fields["version"] is not None and fields["version"] != signal.version:
        raise StaleVersion()
    return signal, fields


def move(signal: Signal, action: str) -> None:
    """Apply ``action``'s status change; every action counts as a change of the signal.

    Closing (resolving, withdrawing) sets ``closed_at``, from which retention counts;
    reopening clears it.
    """
    leads_to = transition_table()[action].leads_to
    moment = now()
    if leads_to is not None:
        signal.status = leads_to
        signal.closed_at = None if leads_to in OPEN_STATUSES else moment
    signal.updated_at = moment
    flag_modified(signal, "updated_at")  # bump the version even when nothing else changes


def place(signal: Signal, node: Node, owner: Owner, deadlines: Deadlines, moment: datetime) -> None:
    """Put ``signal`` at ``node`` with its ``owner``; the node's clocks start at ``moment``.

    The owner becomes one of the signal's participants: they keep seeing it.
    """
    participant = {
        "node": node.key,
        "user_id": owner.user.id if owner.user is not None else None,
        "group": owner.group,
        "since": moment,
    }
    add_row(
        SignalParticipant,
        {"signal_id": signal.id, **participant} if signal.id is not None else None,
        lambda: signal.participants.append(SignalParticipant(**participant)),
    )
    signal.node = node.key
    signal.owner = owner
    clocks.start_visit(signal, deadlines, moment)
    signal.route_version = active_graph().version
    signal.updated_at = moment


def record(signal: Signal, event_type: str, actor: User | None, **data: Any) -> None:
    """Append an event to the signal's log; its clocks follow (see :mod:`.clocks`)."""
    moment = now()
    row = {
        "signal_id": signal.id,
        "type": event_type,
        "actor_id": actor.id if actor else None,
        "at": moment,
        "data": data,
    }
    add_row(
        SignalEvent,
        row if signal.id is not None else None,
        lambda: db.session.add(
            SignalEvent(signal=signal, type=event_type, actor=actor, at=moment, data=data)
        ),
    )
    clocks.on_event(signal, event_type, moment)
