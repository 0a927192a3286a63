"""The append-only history: on PostgreSQL no UPDATE or DELETE of an event gets through.

Only retention's anonymisation may blank an event's text and actor, inside its own
transaction (:mod:`signals.retention.audit`), and it records that it did. SQLite has no
trigger; there only the ORM's side is checked (:mod:`tests.integration.test_retention`).
"""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.retention.anonymise import anonymise_signal
from signals.retention.audit import allow_anonymising
from signals.transaction import unit_of_work
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import resolve_signal, submit_signal
from tests.helpers import RESOLUTION, fresh


@pytest.fixture(autouse=True)
def only_on_postgresql() -> None:  # the database is known only once the app is made
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")


@pytest.fixture
def resolved(clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]) -> Signal:
    signal = submit_signal(reporter, signal_data)
    resolve_signal(manager, signal.reference, RESOLUTION)
    return fresh(signal)


def first_event_id(signal: Signal) -> int:
    event_id = db.session.scalar(
        select(SignalEvent.id).where(SignalEvent.signal_id == signal.id).order_by(SignalEvent.id)
    )
    assert event_id is not None
    return event_id


def test_an_update_of_an_event_is_refused(resolved: Signal) -> None:
    event_id = first_event_id(resolved)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(
            text("UPDATE signal_events SET data = '{}' WHERE id = :id"), {"id": event_id}
        )
    db.session.rollback()
    event = db.session.get(SignalEvent, event_id)
    assert event is not None and event.data != {}


def test_a_delete_of_an_event_is_refused_even_while_anonymising(resolved: Signal) -> None:
    event_id = first_event_id(resolved)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("DELETE FROM signal_events WHERE id = :id"), {"id": event_id})
    db.session.rollback()

    allow_anonymising()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("DELETE FROM signal_events WHERE id = :id"), {"id": event_id})
    db.session.rollback()
    assert db.session.get(SignalEvent, event_id) is not None


def test_anonymising_may_blank_but_not_rewrite_an_event(resolved: Signal) -> None:
    event_id = first_event_id(resolved)
    allow_anonymising()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(
            text("UPDATE signal_events SET type = 'accepted', actor_id = NULL WHERE id = :id"),
            {"id": event_id},
        )
    db.session.rollback()
    allow_anonymising()
    with pytest.raises(DBAPIError, match="append-only"):  # a name must go, not stay
        db.session.execute(
            text("UPDATE signal_events SET data = '{}' WHERE id = :id"), {"id": event_id}
        )
    db.session.rollback()


def test_the_permission_ends_with_its_transaction(resolved: Signal) -> None:
    event_id = first_event_id(resolved)
    allow_anonymising()
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(
            text("UPDATE signal_events SET actor_id = NULL WHERE id = :id"), {"id": event_id}
        )
    db.session.rollback()


def test_the_anonymisation_gets_through_and_is_recorded(resolved: Signal, clock: Clock) -> None:
    moment = clock.now() + timedelta(days=800)
    with clock.frozen_at(moment), unit_of_work():
        locked = db.session.scalar(select(Signal).where(Signal.id == resolved.id))
        assert locked is not None
        anonymise_signal(locked, moment)

    events = fresh(resolved).events
    assert [event.type for event in events][-1] == "anonymised"
    assert all(event.actor_id is None for event in events)
    assert events[-2].data["rationale"] == ""


def test_the_kwestie_history_has_the_same_trigger() -> None:
    triggers = db.session.scalars(
        text(
            "SELECT tgrelid::regclass::text FROM pg_trigger "
            "WHERE tgname LIKE '%_append_only' AND NOT tgisinternal"
        )
    )
    assert set(triggers) == {"signal_events", "kwestie_events"}
