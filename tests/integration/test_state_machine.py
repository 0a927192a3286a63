"""The state machine: every action in every status for every kind of person, and the flows."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.errors import Forbidden, StaleVersion, StateConflict
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.workflow.actions import SIGNAL_ACTIONS
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import (
    accept_signal,
    give_feedback,
    reopen_signal,
    reply_to_question,
    request_info,
    resolve_signal,
    submit_signal,
)
from signals.workflow.transitions import allowed_actions, check
from tests.helpers import RESOLUTION, Login, MakeUser, fresh, reporter_of

STATUSES = ("new", "in_progress", "awaiting_reporter", "resolved", "withdrawn")

# The whole table, written out: (action, status) → allowed for (owner, reporter).
EXPECTED = {
    ("accept", "new"): (True, False),
    ("forward", "new"): (True, False),
    ("forward", "in_progress"): (True, False),
    ("request_info", "new"): (True, False),
    ("request_info", "in_progress"): (True, False),
    ("reply", "awaiting_reporter"): (False, True),
    ("feedback", "new"): (True, False),
    ("feedback", "in_progress"): (True, False),
    ("feedback", "awaiting_reporter"): (True, False),
    ("resolve", "new"): (True, False),
    ("resolve", "in_progress"): (True, False),
    ("resolve", "awaiting_reporter"): (True, False),
    ("reopen", "resolved"): (True, True),
    ("link", "new"): (True, False),
    ("link", "in_progress"): (True, False),
    ("link", "awaiting_reporter"): (True, False),
    # The reporter's own; while a question waits for them, answering it is the way.
    ("add_info", "new"): (False, True),
    ("add_info", "in_progress"): (False, True),
    ("withdraw", "new"): (False, True),
    ("withdraw", "in_progress"): (False, True),
    ("withdraw", "awaiting_reporter"): (False, True),
    # After the resolution, its owner publishes what was learned (signals.knowledge).
    ("publish", "resolved"): (True, False),
    # Nothing at all once withdrawn.
}


@pytest.mark.parametrize("action", sorted(SIGNAL_ACTIONS))
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    ("who", "is_owner", "is_reporter"),
    [("owner", True, False), ("reporter", False, True), ("other", False, False)],
)
def test_the_transition_table(
    action: str, status: str, who: str, is_owner: bool, is_reporter: bool
) -> None:
    owner_ok, reporter_ok = EXPECTED.get((action, status), (False, False))
    in_state = (action, status) in EXPECTED
    actor = SIGNAL_ACTIONS[action].transition.actor
    role_ok = {
        "owner": actor in ("owner", "reporter_or_owner"),
        "reporter": actor in ("reporter", "reporter_or_owner"),
        "other": False,
    }[who]
    expected = {"owner": owner_ok, "reporter": reporter_ok, "other": False}[who]
    allowed = action in allowed_actions(status, is_owner=is_owner, is_reporter=is_reporter)
    assert allowed is expected
    if expected:
        check(action, status, is_owner=is_owner, is_reporter=is_reporter)
    elif not role_ok:
        with pytest.raises(Forbidden):
            check(action, status, is_owner=is_owner, is_reporter=is_reporter)
    else:
        assert not in_state
        with pytest.raises(StateConflict):
            check(action, status, is_owner=is_owner, is_reporter=is_reporter)


# An administrator's own actions (signals.retention): in every status, and only theirs.
ADMIN_ACTIONS = {"legal_hold", "release_hold"}


@pytest.mark.parametrize("action", sorted(SIGNAL_ACTIONS))
@pytest.mark.parametrize("status", STATUSES)
def test_the_administrators_part_of_the_table(action: str, status: str) -> None:
    as_admin = action in allowed_actions(status, is_owner=False, is_reporter=False, is_admin=True)
    assert as_admin is (action in ADMIN_ACTIONS)
    if action in ADMIN_ACTIONS:
        assert SIGNAL_ACTIONS[action].transition.leads_to is None  # the status stays
        with pytest.raises(Forbidden, match="beheerder"):
            check(action, status, is_owner=True, is_reporter=True)


def kinds_to(recipient: str) -> list[str]:
    db.session.expire_all()
    query = select(OutboxMessage.kind).where(OutboxMessage.recipient == recipient)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


@pytest.fixture
def signal(clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]) -> Signal:
    return submit_signal(reporter, signal_data)


def test_accept_question_reply_and_resolve(
    signal: Signal, reporter: User, manager: User, clock: Clock
) -> None:
    accept_signal(manager, signal.reference, {})
    assert fresh(signal).status == "in_progress"
    request_info(manager, signal.reference, {"message": "Om welke maand gaat het?"})
    assert fresh(signal).status == "awaiting_reporter"
    with pytest.raises(Forbidden):
        reply_to_question(manager, signal.reference, {"message": "Ik antwoord zelf"})
    reply_to_question(reporter, signal.reference, {"message": "Het gaat om januari."})
    assert fresh(signal).status == "in_progress"
    resolve_signal(manager, signal.reference, RESOLUTION)

    assert kinds_to(reporter.email) == [
        "receipt",
        "accepted",
        "info_requested",
        "resolved",
    ]
    assert kinds_to(manager.email) == ["new_signal", "reporter_replied"]
    types = [event.type for event in fresh(signal).events]
    assert types == [
        "submitted",
        "accepted",
        "info_requested",
        "reporter_replied",
        "resolved",
    ]


def test_accepting_twice_is_refused_and_changes_nothing(signal: Signal, manager: User) -> None:
    accept_signal(manager, signal.reference, {})
    version = fresh(signal).version
    with pytest.raises(StateConflict, match="al in behandeling"):
        accept_signal(manager, signal.reference, {})
    assert fresh(signal).version == version
    assert kinds_to(reporter_of(signal).email).count("accepted") == 1


def test_the_reporter_may_reopen_within_the_window_only(
    signal: Signal, reporter: User, manager: User, clock: Clock
) -> None:
    resolve_signal(manager, signal.reference, RESOLUTION)
    clock.set(clock.now() + timedelta(days=13))
    reopen_signal(reporter, signal.reference, {"message": "Het probleem is terug."})
    reopened = fresh(signal)
    assert (reopened.status, reopened.outcome, reopened.rationale) == ("in_progress", None, None)
    assert kinds_to(manager.email)[-1] == "reopened"
    event = reopened.events[-1]
    assert event.type == "reopened"
    assert event.data["previous"]["outcome"] == RESOLUTION["outcome"]

    resolve_signal(manager, signal.reference, RESOLUTION)
    clock.set(clock.now() + timedelta(days=15))
    with pytest.raises(StateConflict, match="14 dagen"):
        reopen_signal(reporter, signal.reference, {"message": "Nog steeds."})
    assert fresh(signal).status == "resolved"
    reopen_signal(manager, signal.reference, {"message": "Nieuwe informatie van de melder."})
    assert fresh(signal).status == "in_progress"


def test_a_stale_version_is_a_conflict_and_changes_nothing(signal: Signal, manager: User) -> None:
    seen = fresh(signal).version
    give_feedback(manager, signal.reference, {"message": "Eerste bericht.", "version": seen})
    after_first = fresh(signal).version
    assert after_first == seen + 1

    with pytest.raises(StaleVersion):
        resolve_signal(manager, signal.reference, {**RESOLUTION, "version": seen})
    assert fresh(signal).status == "new"
    assert fresh(signal).version == after_first


def test_a_stale_web_form_answers_409_and_changes_nothing(
    signal: Signal, manager: User, login: Login
) -> None:
    session = login(manager)
    seen = fresh(signal).version
    give_feedback(manager, signal.reference, {"message": "Ondertussen door een collega."})
    response = session.post(
        f"/signalen/{signal.reference}/afhandelen", {**RESOLUTION, "version": str(seen)}
    )
    assert response.status_code == 409
    assert "Niet verstuurd: dit signaal is intussen gewijzigd" in response.text
    assert fresh(signal).status == "new"


def test_two_owners_resolving_at_once_one_wins(
    app: Flask, signal: Signal, manager: User, make_user: MakeUser
) -> None:
    """Two real sessions, in two threads, each with its own database connection."""
    reference, manager_id = signal.reference, manager.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def resolve(outcome: str) -> None:
        with app.app_context():
            actor = db.session.get(User, manager_id)
            assert actor is not None
            barrier.wait()
            try:
                resolve_signal(actor, reference, {**RESOLUTION, "outcome": outcome})
                outcomes.append(f"won:{outcome}")
            except StateConflict as refused:
                outcomes.append(f"refused:{type(refused).__name__}")

    threads = [
        threading.Thread(target=resolve, args=(outcome,))
        for outcome in ("solved_individually", "referred")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [item for item in outcomes if item.startswith("won:")]
    assert len(outcomes) == 2 and len(winners) == 1, outcomes
    stored = fresh(signal)
    assert stored.status == "resolved" and f"won:{stored.outcome}" == winners[0]
    resolved_events = db.session.scalar(
        select(func.count()).select_from(SignalEvent).where(SignalEvent.type == "resolved")
    )
    assert resolved_events == 1
    assert kinds_to(reporter_of(signal).email).count("resolved") == 1
