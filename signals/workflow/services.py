"""One function per user action on a signal, shared by the web UI and the API.

Every action validates its input, checks that the caller may do it, records its events and
writes its e-mails to the outbox, all in one transaction.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from signals.auth.models import User
from signals.clock import now
from signals.errors import (
    Forbidden,
    IdempotencyKeyReused,
    InputInvalid,
    SignalsError,
    StateConflict,
)
from signals.extensions import db
from signals.kwesties.patterns import check_patterns
from signals.notifications.services import queue_owner_mail, queue_reporter_mail
from signals.ownership.services import owner_people
from signals.routing.graph import Node
from signals.routing.services import (
    RouteDecision,
    active_graph,
    deadlines_at,
    decide_entry,
    direct_choices,
    resolve_owner,
)
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.validation import load, reusable
from signals.wording import counted
from signals.workflow import lifecycle
from signals.workflow.access import get_visible_signal
from signals.workflow.models import (
    OPEN_STATUSES,
    Signal,
    SignalEvent,
    SignalStatus,
    SubmissionKey,
)
from signals.workflow.references import next_reference
from signals.workflow.schemas import (
    AcceptSchema,
    AddInfoSchema,
    FeedbackSchema,
    ForwardSchema,
    MessageSchema,
    ResolveSchema,
    SignalInputSchema,
    SurveySchema,
    WithdrawSchema,
)
from signals.workflow.transitions import allowed_actions

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def submit_signal(reporter: User, data: Mapping[str, Any]) -> Signal:
    """Validate and store a new signal, route it to its first owner and mail the receipt."""
    fields = _submission(reporter, data)
    with unit_of_work():
        signal = _store_signal(reporter, fields)
    return signal


@dataclass(frozen=True)
class Submission:
    """A signal submitted with an idempotency key; ``replayed``: made by an earlier request."""

    signal: Signal
    replayed: bool


def submit_signal_once(reporter: User, data: Mapping[str, Any], key: str | None) -> Submission:
    """:func:`submit_signal`, but a retry with the same ``key`` returns the first signal.

    Without a key it is :func:`submit_signal`. A partner system that lost the answer to a
    submission sends it again with the same key and gets the signal it made, not a duplicate
    (and the owner no second e-mail). The same key with another body is a mistake:
    :class:`IdempotencyKeyReused`. Two requests with one key at the same moment: the unique
    key makes one of them wait and then replay.
    """
    if key is None:
        return Submission(submit_signal(reporter, data), replayed=False)
    key = _checked_key(key)
    request_hash = hashlib.sha256(
        json.dumps(data, sort_keys=True, default=str).encode()
    ).hexdigest()
    earlier = _submitted_with(reporter, key)
    if earlier is not None:
        return _replay(earlier, request_hash)
    fields = _submission(reporter, data)
    try:
        with unit_of_work():
            signal = _store_signal(reporter, fields)
            db.session.add(
                SubmissionKey(
                    user_id=reporter.id,
                    key=key,
                    request_hash=request_hash,
                    signal=signal,
                    created_at=signal.created_at,
                )
            )
    except IntegrityError:
        earlier = _submitted_with(reporter, key)
        if earlier is None:
            raise
        return _replay(earlier, request_hash)
    return Submission(signal, replayed=False)


def _checked_key(key: str) -> str:
    key = key.strip()
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise InputInvalid(
            {IDEMPOTENCY_HEADER: [f"Verwacht 1 tot {MAX_KEY_LENGTH} leesbare ASCII-tekens."]}
        )
    return key


def _submitted_with(reporter: User, key: str) -> SubmissionKey | None:
    query = select(SubmissionKey).where(
        SubmissionKey.user_id == reporter.id, SubmissionKey.key == key
    )
    return db.session.scalar(query)


def _replay(earlier: SubmissionKey, request_hash: str) -> Submission:
    if earlier.request_hash != request_hash:
        raise IdempotencyKeyReused(
            f"Deze {IDEMPOTENCY_HEADER} is al gebruikt voor een ander signaal "
            f"({earlier.signal.reference}). Gebruik per nieuw signaal een nieuwe sleutel."
        )
    return Submission(earlier.signal, replayed=True)


def _submission(reporter: User, data: Mapping[str, Any]) -> dict[str, Any]:
    fields = load(reusable(SignalInputSchema), data)
    check_direct_choice(reporter, fields.get("direct_node"))
    if fields.get("kwestie_id") is not None:
        from signals.kwesties.services import check_joinable  # kwesties build on this module

        check_joinable(reporter, fields["kwestie_id"])
    return fields


def _store_signal(reporter: User, fields: Mapping[str, Any]) -> Signal:
    """The new signal, routed, with its events and e-mails (inside the caller's transaction)."""
    return store_routed_signal(fields, reporter, reporter.organisation_id)


def store_routed_signal(
    fields: Mapping[str, Any], reporter: User | None, organisation_id: int
) -> Signal:
    """A new signal from checked ``fields`` at its entry node, with its events and e-mail.

    ``reporter`` None: the anonymous channel (:mod:`signals.anonymous`), which passes its
    own pseudo-organisation. Inside the caller's transaction.
    """
    moment = now()
    entry = decide_entry(reporter, fields, moment)
    signal = Signal(
        reference=next_reference(moment.year),
        title=fields["title"],
        situation=fields["situation"],
        resident_experience=fields.get("resident_experience", ""),
        level=fields["level"],
        source_organisation=fields.get("source_organisation"),
        scope=fields["scope"],
        urgency=fields["urgency"],
        impact=fields.get("impact", []),
        maatwerk=fields["maatwerk"],
        maatwerk_grounds=fields.get("maatwerk_grounds", []),
        reporter=reporter,
        anonymous=reporter is None,
        organisation_id=organisation_id,
        status=SignalStatus.NEW,
        created_at=moment,
    )
    signal.regulations = fields["regulations"]
    lifecycle.place(signal, entry.node, entry.owner, entry.deadlines, moment)
    db.session.add(signal)
    db.session.flush()
    lifecycle.record(signal, "submitted", reporter, node=entry.node.key, reason=entry.reason)
    queue_reporter_mail("receipt", signal)
    if reporter is not None and fields.get("kwestie_id") is not None:
        from signals.kwesties.services import join_kwestie  # kwesties build on this module

        join_kwestie(signal, fields["kwestie_id"], reporter)
    check_patterns(signal)
    _notify_new_owners(signal)
    return signal


def forward_signal(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Move a signal along an edge of the route; the next node's owner must accept it."""
    signal, fields = lifecycle.begin("forward", actor, reference, ForwardSchema(), data)
    graph = active_graph()
    allowed = forward_targets(signal)
    if fields["to"] not in allowed:
        choices = ", ".join(node.label for node in allowed.values()) or "geen"
        raise InputInvalid(
            {"to": [f"Doorsturen kan vanaf hier alleen naar: {choices}."]},
            message="Deze route bestaat niet in de routekaart.",
        )
    with unit_of_work():
        moment = now()
        target = graph.nodes[fields["to"]]
        owner = resolve_owner(target, signal.reporter)
        origin = signal.node
        lifecycle.move(signal, "forward")
        lifecycle.place(signal, target, owner, deadlines_at(target, moment), moment)
        message = fields.get("message")
        lifecycle.record(
            signal, "forwarded", actor, **{"from": origin, "to": target.key}, message=message
        )
        queue_reporter_mail("forwarded", signal, message=message, actor=actor)
        _notify_new_owners(signal)
    return signal


def forward_targets(signal: Signal) -> dict[str, Node]:
    """Where ``signal`` may go next: the edges of its node in the active graph.

    A signal whose node was removed from the route file may go to any entry point, so that
    nothing gets stuck at a node that no longer exists.
    """
    graph = active_graph()
    if signal.node in graph.nodes:
        keys: list[str] = list(graph.next_nodes(signal.node))
    else:
        keys = sorted(graph.entry_points())
    return {key: graph.nodes[key] for key in keys}


def _notify_new_owners(signal: Signal) -> None:
    queue_owner_mail("new_signal", signal, owner_people(signal.owner))


def check_direct_choice(reporter: User | None, direct_node: str | None) -> None:
    """Refuse (422) a first node the reporter may not choose directly."""
    if direct_node and direct_node not in {node.key for node in direct_choices(reporter)}:
        raise InputInvalid({"direct_node": ["Deze route is voor u niet rechtstreeks beschikbaar."]})


def accept_signal(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """The node's owner takes the signal on: ``new`` becomes ``in_progress``."""
    signal, fields = lifecycle.begin("accept", actor, reference, AcceptSchema(), data)
    with unit_of_work():
        lifecycle.move(signal, "accept")
        lifecycle.record(signal, "accepted", actor, node=signal.node)
        queue_reporter_mail("accepted", signal, actor=actor)
    return signal


def request_info(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Ask the reporter a question; the signal waits for the answer."""
    signal, fields = lifecycle.begin("request_info", actor, reference, MessageSchema(), data)
    with unit_of_work():
        lifecycle.move(signal, "request_info")
        lifecycle.record(signal, "info_requested", actor, message=fields["message"])
        queue_reporter_mail("info_requested", signal, message=fields["message"], actor=actor)
    return signal


def reply_to_question(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """The reporter answers the owner's question; the signal is back in progress."""
    signal, fields = lifecycle.begin("reply", actor, reference, MessageSchema(), data)
    with unit_of_work():
        record_reply(signal, actor, fields["message"])
    return signal


def record_reply(signal: Signal, actor: User | None, message: str) -> None:
    """The reporter's answer: the signal back in progress, its owners told (caller's transaction).

    ``actor`` None: the anonymous reporter (:mod:`signals.anonymous`).
    """
    lifecycle.move(signal, "reply")
    lifecycle.record(signal, "reporter_replied", actor, message=message)
    queue_owner_mail("reporter_replied", signal, owner_people(signal.owner), message=message)


def add_info(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """The reporter adds information to an open signal; its owners are told by e-mail.

    Nothing else changes: not the status, not a clock (the owner's deadlines stand; a pause
    for a question is ended only by answering it, see :func:`reply_to_question`).
    """
    signal, fields = lifecycle.begin("add_info", actor, reference, AddInfoSchema(), data)
    with unit_of_work():
        lifecycle.move(signal, "add_info")
        lifecycle.record(signal, "info_added", actor, message=fields["message"])
        queue_owner_mail(
            "info_added", signal, owner_people(signal.owner), message=fields["message"]
        )
    return signal


def withdraw_signal(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """The reporter withdraws an open signal, with a reason; its owners are told by e-mail.

    ``withdrawn`` is a status of its own, not a resolution: no outcome, no rationale, no
    survey and no follow-up, and every clock stops. The signal keeps its last owner (who
    still finds it in the inbox under *Ingetrokken*), and no action is possible any more.
    """
    signal, fields = lifecycle.begin("withdraw", actor, reference, WithdrawSchema(), data)
    with unit_of_work():
        lifecycle.move(signal, "withdraw")
        lifecycle.record(signal, "withdrawn", actor, reason=fields["reason"], node=signal.node)
        queue_owner_mail("withdrawn", signal, owner_people(signal.owner), reason=fields["reason"])
    return signal


def reopen_signal(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Reopen a resolved signal: the reporter within the reopen window, or its owner."""
    signal, fields = lifecycle.begin("reopen", actor, reference, MessageSchema(), data)
    if not signal.is_owned_by(actor) and not _within_reopen_window(signal):
        days = counted(settings().reopen_window_days, "dag", "dagen")
        raise StateConflict(
            f"Heropenen kan tot {days} na de afhandeling; dien een nieuw signaal in."
        )
    with unit_of_work():
        previous = {"outcome": signal.outcome, "rationale": signal.rationale}
        lifecycle.move(signal, "reopen")
        signal.outcome = signal.rationale = signal.resolved_at = None
        lifecycle.record(
            signal,
            "reopened",
            actor,
            message=fields["message"],
            previous=previous,
            node=signal.node,
        )
        message = fields["message"]
        if actor.id == signal.reporter_id:
            owners = owner_people(signal.owner)
            queue_owner_mail("reopened", signal, owners, role="person", message=message)
        else:
            queue_reporter_mail("reopened", signal, message=message, person=signal.reporter)
    return signal


def give_feedback(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Send a message from the signal's owner to its reporter."""
    signal, fields = lifecycle.begin("feedback", actor, reference, FeedbackSchema(), data)
    with unit_of_work():
        lifecycle.move(signal, "feedback")
        lifecycle.record(signal, "feedback_sent", actor, message=fields["message"])
        queue_reporter_mail("feedback", signal, message=fields["message"], actor=actor)
    return signal


def resolve_signal(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Close a signal with an outcome, a written rationale and a message to the reporter."""
    signal, fields = lifecycle.begin("resolve", actor, reference, ResolveSchema(), data)
    with unit_of_work():
        close_signal(signal, actor, fields["outcome"], fields["rationale"], fields["message"])
        queue_reporter_mail("resolved", signal, message=fields["message"], actor=actor)
    return signal


def close_signal(
    signal: Signal, actor: User, outcome: str, rationale: str, message: str, **extra: Any
) -> None:
    """Resolve ``signal`` with its outcome and rationale and record it (the caller commits)."""
    lifecycle.move(signal, "resolve")
    signal.outcome = outcome
    signal.rationale = rationale
    signal.resolved_at = signal.updated_at
    lifecycle.record(
        signal, "resolved", actor, outcome=outcome, rationale=rationale, message=message, **extra
    )


def survey_signal(actor: User, reference: str, *, for_update: bool = False) -> Signal:
    """The signal whose survey ``actor`` may see and answer: only its reporter."""
    signal = get_visible_signal(actor, reference, for_update=for_update)
    if signal.reporter_id != actor.id:
        raise Forbidden("Alleen de melder kan deze vraag beantwoorden.")
    return signal


class SurveyState(StrEnum):
    """Where the reporter's verdict on a signal stands; the survey belongs to a resolution."""

    NOT_RESOLVED = "not_resolved"  # open and never resolved: nothing to judge yet
    REOPENED = "reopened"  # resolved once, reopened since: no resolution until the next
    WITHDRAWN = "withdrawn"  # withdrawn by the reporter: no resolution at all
    NOT_ASKED = "not_asked"  # resolved; the question follows by e-mail shortly
    ASKED = "asked"  # resolved and asked: one answer is taken
    ANSWERED = "answered"


@dataclass(frozen=True)
class Survey:
    """The survey of a signal's latest resolution, as its page shows it."""

    state: SurveyState
    answer: dict[str, Any] | None = None
    reopened_at: datetime | None = None


SURVEY_REFUSALS: Mapping[SurveyState, str] = {
    SurveyState.NOT_RESOLVED: "Deze vraag wordt gesteld nadat het signaal is afgehandeld.",
    SurveyState.NOT_ASKED: "Deze vraag wordt gesteld nadat het signaal is afgehandeld.",
    SurveyState.REOPENED: "Dit signaal is heropend en nog niet opnieuw afgehandeld; na de "
    "volgende afhandeling vragen wij opnieuw om uw oordeel.",
    SurveyState.WITHDRAWN: "Dit signaal is ingetrokken; er is geen afhandeling om te beoordelen.",
    SurveyState.ANSWERED: "U heeft deze vraag al beantwoord; dank u wel.",
}


def survey_of(signal: Signal) -> Survey:
    """The survey of ``signal``'s latest resolution: asked, answered, or none (and why)."""
    if signal.status == SignalStatus.WITHDRAWN:
        return Survey(SurveyState.WITHDRAWN)
    if signal.status != SignalStatus.RESOLVED:
        reopened_at = _last_event_at(signal, "reopened")
        if reopened_at is None:
            return Survey(SurveyState.NOT_RESOLVED)
        return Survey(SurveyState.REOPENED, reopened_at=reopened_at)
    if signal.survey_sent_at is None:
        return Survey(SurveyState.NOT_ASKED)
    answer = survey_answer(signal)
    if answer is not None:
        return Survey(SurveyState.ANSWERED, answer=answer)
    return Survey(SurveyState.ASKED)


def answer_survey(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """The reporter's verdict after resolution (asked by the scheduler), once per resolution."""
    signal = survey_signal(actor, reference, for_update=True)
    state = survey_of(signal).state
    if state != SurveyState.ASKED:
        raise StateConflict(SURVEY_REFUSALS[state])
    fields = load(SurveySchema(), data)
    with unit_of_work():
        lifecycle.record(
            signal,
            "survey_answered",
            actor,
            score=int(fields["score"]),
            comment=fields.get("comment", ""),
        )
    return signal


def survey_answer(signal: Signal) -> dict[str, Any] | None:
    """The reporter's verdict on the latest resolution of ``signal``, if given.

    Only an answer recorded after the latest ``resolved`` event counts: after a reopening
    and a new resolution, the earlier verdict was about another answer.
    """
    latest_resolution = (
        select(func.max(SignalEvent.id))
        .where(SignalEvent.signal_id == signal.id, SignalEvent.type == "resolved")
        .scalar_subquery()
    )
    query = (
        select(SignalEvent.data)
        .where(
            SignalEvent.signal_id == signal.id,
            SignalEvent.type == "survey_answered",
            SignalEvent.id > latest_resolution,
        )
        .order_by(SignalEvent.id.desc())
        .limit(1)
    )
    answer: dict[str, Any] | None = db.session.scalar(query)
    return answer


def _last_event_at(signal: Signal, event_type: str) -> datetime | None:
    query = select(func.max(SignalEvent.at)).where(
        SignalEvent.signal_id == signal.id, SignalEvent.type == event_type
    )
    moment: datetime | None = db.session.scalar(query)
    return moment


def preview_valid_signal(reporter: User, data: Mapping[str, Any]) -> RouteDecision:
    """Where a signal with the fields in ``data`` would enter now; nothing is stored (the API).

    Strict: every field may be left out, but what is given must be valid, and a direct choice
    must be one the reporter may make (422 otherwise). The web form's live preview, which
    looks past what is not filled in right yet, is
    :func:`signals.routing.services.preview_draft_entry`.
    """
    fields = load(SignalInputSchema(partial=True), data)
    check_direct_choice(reporter, fields.get("direct_node"))
    return decide_entry(reporter, fields, now())


def _within_reopen_window(signal: Signal) -> bool:
    if signal.resolved_at is None:
        return False
    window = timedelta(days=settings().reopen_window_days)
    return now() <= signal.resolved_at + window


def actions_for(user: User, signal: Signal) -> list[str]:
    """What ``user`` may do with ``signal`` now (the page offers exactly these)."""
    if signal.is_anonymised:
        return []
    actions = allowed_actions(
        signal.status,
        is_owner=signal.is_owned_by(user),
        is_reporter=signal.reporter_id == user.id,
        is_admin=user.is_admin,
    )
    # A hold is placed on a signal without one, and released from one that has it.
    unfit = "legal_hold" if signal.legal_hold else "release_hold"
    actions = [action for action in actions if action != unfit]
    if "reopen" in actions and not signal.is_owned_by(user) and not _within_reopen_window(signal):
        actions.remove("reopen")
    return actions


def open_signals_at_removed_nodes() -> list[Signal]:
    """Open signals whose node is not in the active route file (for the administrator)."""
    query = (
        select(Signal)
        .where(Signal.status.in_(OPEN_STATUSES), Signal.node.not_in(list(active_graph().nodes)))
        .order_by(Signal.created_at, Signal.id)
    )
    return list(db.session.scalars(query))


def open_counts_by_node() -> dict[str, int]:
    """How many open signals are at each node."""
    query = (
        select(Signal.node, func.count())
        .where(Signal.status.in_(OPEN_STATUSES))
        .group_by(Signal.node)
    )
    return dict(db.session.execute(query).all())


def open_counts_by_route_version() -> dict[str, int]:
    """How many open signals were last routed with each version of the route file."""
    query = (
        select(Signal.route_version, func.count())
        .where(Signal.status.in_(OPEN_STATUSES))
        .group_by(Signal.route_version)
    )
    return dict(db.session.execute(query).all())


@dataclass
class BulkResult:
    """What a bulk action did: the references it changed and, per refused one, the reason."""

    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def accept_signals(actor: User, references: list[str]) -> BulkResult:
    """Accept several signals at once (the inbox's bulk action), each in its own transaction.

    Every reference goes through :func:`accept_signal`, so the same checks apply; a refusal
    (not the owner, not new any more, unknown) is recorded with its Dutch reason and does not
    undo the signals accepted before or after it. A reference given twice counts once.
    """
    result = BulkResult()
    for reference in dict.fromkeys(references):
        try:
            accept_signal(actor, reference, {})
        except SignalsError as error:
            db.session.rollback()  # end the refused attempt's transaction and its row lock
            result.refused[reference] = error.message
        else:
            result.accepted.append(reference)
    return result
