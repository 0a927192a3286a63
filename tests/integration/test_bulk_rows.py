"""Rows gathered during a block are written at its end, in the caller's transaction.

On PostgreSQL they go through COPY, elsewhere through executemany; both must store what an
ORM insert would: converted types (JSON, UTC times, enums), Python defaults for left-out
columns, and nothing at all when the block fails.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from signals.auth.models import User
from signals.bulk import gather, gathered_rows
from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.transaction import unit_of_work
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import submit_signal

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_gathered_rows_are_stored_as_an_orm_insert_would(
    reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    with unit_of_work(), gathered_rows():
        assert gather(
            SignalEvent,
            {
                "signal_id": signal.id,
                "type": "reminder_sent",
                "actor_id": None,
                "at": AT,
                "data": {"clock": "accept", "tekst": 'één "citaat"\tmet tab\nen regel'},
            },
        )
        # "data" left out: its Python default (an empty object), not NULL
        assert gather(
            SignalEvent,
            {
                "signal_id": signal.id,
                "type": "status_update_sent",
                "actor_id": None,
                "at": AT + timedelta(seconds=1),
            },
        )
        assert gather(
            OutboxMessage,
            {
                "message_id": "<bulk-1@test>",
                "recipient": "a@example.org",
                "subject": "Onderwerp met \\ backslash",
                "body_text": "Regel 1\nRegel 2\\N",
                "body_html": "<p>één</p>",
                "kind": "status_update",
                "signal_id": signal.id,
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": AT,
                "created_at": AT,
            },
        )
    db.session.expire_all()

    events = db.session.scalars(
        select(SignalEvent)
        .where(SignalEvent.type.in_(["reminder_sent", "status_update_sent"]))
        .order_by(SignalEvent.at)
    ).all()
    assert [(event.type, event.at, event.data) for event in events] == [
        ("reminder_sent", AT, {"clock": "accept", "tekst": 'één "citaat"\tmet tab\nen regel'}),
        ("status_update_sent", AT + timedelta(seconds=1), {}),
    ]
    assert all(event.signal_id == signal.id for event in events)
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.message_id == "<bulk-1@test>")
    ).one()
    assert (mail.subject, mail.body_text, mail.body_html) == (
        "Onderwerp met \\ backslash",
        "Regel 1\nRegel 2\\N",
        "<p>één</p>",
    )
    assert (mail.status, mail.attempts, mail.next_attempt_at, mail.sent_at) == (
        "pending",
        0,
        AT,
        None,
    )


def test_nothing_gathered_is_written_when_the_block_fails(
    reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    before = db.session.scalars(select(SignalEvent.id)).all()
    with pytest.raises(RuntimeError), unit_of_work(), gathered_rows():
        gather(
            SignalEvent,
            {"signal_id": signal.id, "type": "reminder_sent", "actor_id": None, "at": AT},
        )
        db.session.get(Signal, signal.id).title = "gewijzigd"  # type: ignore[union-attr]
        raise RuntimeError("a fault after the rows were gathered")
    db.session.expire_all()
    assert db.session.scalars(select(SignalEvent.id)).all() == before
    assert db.session.get(Signal, signal.id).title == signal_data["title"]  # type: ignore[union-attr]
    assert gather(SignalEvent, {}) is False, "outside a block nothing is gathered"
