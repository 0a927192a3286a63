"""Two schedulers at once: every clock action happens once, and only the leader sweeps.

The sweep's actions are idempotent on their own (what was done is part of the signal's
state, each signal is handled in a transaction of its own under a row lock), so two sweepers
running the clock work at the same moment — each with its own app, engine and connections,
as two processes would — still record one breach per clock and one escalation per signal.
The leader lock (a PostgreSQL advisory lock, a lease row on SQLite) keeps a second sweeper
from doing anything at all.

On PostgreSQL the race runs through ``FOR UPDATE SKIP LOCKED``; on SQLite (no row locks) the
loser's version check fails, or its re-read finds the work done, and it passes the signal over.
"""

import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from signals.auth.models import User
from signals.clock import Clock, get_clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.scheduler import leader
from signals.scheduler.clock_sweep import claim_and_work, run_clock_work
from signals.scheduler.helpers import helpers_for, run_with_helpers
from signals.scheduler.jobs import NOT_LEADER, sweep
from signals.scheduler.leader import ADVISORY_KEY, LEASE_NAME, RELEASED, leadership
from signals.scheduler.models import SchedulerLease
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import submit_signal
from tests.fixtures.app import START, Configure, make_test_app
from tests.helpers import MakeUser

SIGNALS = 20
# Submitted on Monday START: the teamleider's accept clock (2 working days) runs out at the
# end of Wednesday; on Thursday morning every signal is overdue, and the teamleider node
# escalates to the casuïstiekbespreking.
OVERDUE = START + timedelta(days=3)
OTHER_HOLDER = "andere-planner:4242:0badc0de"


def dialect() -> str:
    return db.engine.dialect.name


@contextmanager
def second_app(app: Flask) -> Iterator[Flask]:
    """Another app on the same database: its own engine and connections, like a process."""
    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], CLOCK=Clock())
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def overdue_signals(reporter: User, signal_data: dict[str, Any], count: int) -> list[int]:
    """``count`` signals submitted at START, all due for the sweep at OVERDUE; their ids."""
    ids = [submit_signal(reporter, signal_data).id for _ in range(count)]
    due = db.session.scalar(
        select(func.count()).select_from(Signal).where(Signal.next_clock_at <= OVERDUE)
    )
    assert due == count
    db.session.rollback()  # end the read: the sweepers must not wait on this session
    return ids


def events_of(kind: str) -> list[SignalEvent]:
    db.session.expire_all()
    query = select(SignalEvent).where(SignalEvent.type == kind).order_by(SignalEvent.id)
    return list(db.session.scalars(query))


def outbox_rows() -> list[tuple[str, str, int | None]]:
    db.session.expire_all()
    query = select(OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.signal_id)
    rows = db.session.execute(query.order_by(OutboxMessage.id))
    return [(recipient, kind, signal_id) for recipient, kind, signal_id in rows]


def assert_each_action_once(
    ids: list[int], before: int, reporter_email: str, manager_email: str, casuistiek_email: str
) -> None:
    """One breach and one escalation per signal, each e-mail once, every signal moved on."""
    breaches = Counter(
        (event.signal_id, event.data["clock"]) for event in events_of("deadline_breached")
    )
    assert breaches == Counter({(signal_id, "accept"): 1 for signal_id in ids})
    escalations = Counter(event.signal_id for event in events_of("escalated_overdue"))
    assert escalations == Counter(dict.fromkeys(ids, 1))
    assert {(event.data["from"], event.data["to"]) for event in events_of("escalated_overdue")} == {
        ("teamleider", "casuistiek")
    }

    mails = Counter(outbox_rows()[before:])
    assert all(number == 1 for number in mails.values()), [
        row for row, number in mails.items() if number > 1
    ]
    expected = {
        *((manager_email, "deadline_breached", signal_id) for signal_id in ids),
        *((reporter_email, "forwarded", signal_id) for signal_id in ids),
        *((casuistiek_email, "new_signal", signal_id) for signal_id in ids),
    }
    assert set(mails) == expected

    db.session.expire_all()
    moved = list(db.session.scalars(select(Signal).where(Signal.id.in_(ids))))
    assert {(signal.node, signal.node_visit, signal.owner_group) for signal in moved} == {
        ("casuistiek", 2, "casuistiek")
    }
    assert all(
        signal.next_clock_at is not None and signal.next_clock_at > OVERDUE for signal in moved
    )


@dataclass(frozen=True)
class Backlog:
    """Overdue signals, the addresses their e-mails go to, and the outbox size before."""

    ids: list[int]
    emails: tuple[str, str, str]  # reporter, manager (owner), casuïstiek member (new owner)
    outbox_before: int


@pytest.fixture
def backlog(
    clock: Clock,
    reporter: User,
    manager: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> Backlog:
    casuistiek = make_user("member", groups=["casuistiek"], name="Cas Casuïstiek")
    ids = overdue_signals(reporter, signal_data, SIGNALS)
    # Read what the assertions need now: inside the other apps the test's own session would
    # refresh expired objects through their engines.
    made = Backlog(ids, (reporter.email, manager.email, casuistiek.email), len(outbox_rows()))
    db.session.rollback()
    return made


def test_two_sweepers_at_once_do_each_clock_action_once(app: Flask, backlog: Backlog) -> None:

    barrier = threading.Barrier(2)
    done: list[Counter[str]] = []
    failures: list[BaseException] = []

    def sweeper(other: Flask) -> None:
        try:
            with other.app_context(), get_clock().frozen_at(OVERDUE):
                barrier.wait(timeout=30)
                done.append(run_clock_work(OVERDUE))
        except BaseException as error:  # reported by the test thread below
            failures.append(error)

    with second_app(app) as first, second_app(app) as second:
        threads = [threading.Thread(target=sweeper, args=(other,)) for other in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a sweeper hangs"
    assert not failures, failures
    assert len(done) == 2

    total = done[0] + done[1]
    assert total["breach"] == SIGNALS, done
    assert total["escalation"] == SIGNALS, done
    assert set(total) <= {"breach", "escalation", "skipped"}, done

    assert_each_action_once(backlog.ids, backlog.outbox_before, *backlog.emails)
    with get_clock().frozen_at(OVERDUE):
        assert run_clock_work(OVERDUE) == Counter(), "a third sweep finds nothing left"


def only_in_a_helper(moment: datetime) -> Counter[str]:
    """The claim loop, done in helper processes only: whatever is done, a helper did it."""
    if multiprocessing.parent_process() is None:
        return Counter()
    return claim_and_work(moment)


def test_a_large_backlog_is_shared_with_helper_processes(
    app: Flask, backlog: Backlog, configure: Configure
) -> None:
    configure(scheduler_helpers=1, scheduler_helpers_from=SIGNALS)

    with get_clock().frozen_at(OVERDUE):
        if dialect() == "postgresql":
            assert helpers_for(OVERDUE) == 1
            configure(scheduler_helpers_from=SIGNALS + 1)
            assert helpers_for(OVERDUE) == 0, "a backlog under the threshold is done alone"
            # A helper process builds the app from this one's configuration, pins its clock
            # to the sweep's moment and does the work in the same database.
            done = run_with_helpers(OVERDUE, 1, only_in_a_helper)
        else:
            assert helpers_for(OVERDUE) == 0, "SQLite has one writer: never helpers"
            done = run_clock_work(OVERDUE)

    assert done == Counter(breach=SIGNALS, escalation=SIGNALS)
    assert_each_action_once(backlog.ids, backlog.outbox_before, *backlog.emails)
    assert {event.at for event in events_of("deadline_breached")} == {OVERDUE}


# The leader ----------------------------------------------------------------------------------


@contextmanager
def leader_elsewhere(app: Flask) -> Iterator[Callable[[], None]]:
    """Another scheduler holds the leadership until the yielded ``release`` is called.

    PostgreSQL: another app's ``leadership()`` in a thread of its own, holding the advisory
    lock on its own connection. SQLite: a lease row of another holder (this process has one
    holder name for all its apps), which it gives up on release as the leader does.
    """
    if dialect() == "postgresql":
        held, release = threading.Event(), threading.Event()
        outcome: list[object] = []

        def hold(other: Flask) -> None:
            try:
                with other.app_context(), leadership(OVERDUE) as leading:
                    outcome.append(leading)
                    held.set()
                    release.wait(timeout=60)
            except BaseException as error:
                outcome.append(error)
                held.set()

        def give_up() -> None:  # and wait until it has: the unlock is the thread's to do
            release.set()
            thread.join(timeout=30)
            assert not thread.is_alive(), "the other scheduler does not let go"

        with second_app(app) as other:
            thread = threading.Thread(target=hold, args=(other,))
            thread.start()
            try:
                assert held.wait(timeout=30) and outcome == [True], outcome
                yield give_up
            finally:
                give_up()
    else:
        db.session.add(
            SchedulerLease(
                name=LEASE_NAME, holder=OTHER_HOLDER, expires_at=OVERDUE + timedelta(minutes=5)
            )
        )
        db.session.commit()

        def run_out() -> None:
            lease = db.session.get(SchedulerLease, LEASE_NAME, populate_existing=True)
            assert lease is not None and lease.holder == OTHER_HOLDER
            lease.expires_at = RELEASED
            db.session.commit()

        yield run_out


def snapshot() -> tuple[Any, ...]:
    """Everything a sweep could change, to compare before and after."""
    db.session.expire_all()
    signals = db.session.execute(
        select(
            Signal.id, Signal.node, Signal.status, Signal.version, Signal.next_clock_at
        ).order_by(Signal.id)
    ).all()
    events = db.session.scalar(select(func.count()).select_from(SignalEvent))
    mails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    leases = db.session.execute(
        select(SchedulerLease.name, SchedulerLease.holder, SchedulerLease.expires_at)
    ).all()
    db.session.rollback()
    return tuple(signals), events, mails, tuple(leases)


def advisory_lock_is_free(app: Flask) -> bool:
    """Whether another connection could take the sweep's advisory lock now (PostgreSQL)."""
    with second_app(app) as other, other.app_context(), db.engine.connect() as connection:
        taken = bool(
            connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            ).scalar_one()
        )
        if taken:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
        connection.commit()
    return taken


def test_only_the_leader_sweeps_and_the_next_one_takes_over_after_release(
    app: Flask,
    clock: Clock,
    reporter: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    make_user("member", groups=["casuistiek"], name="Cas Casuïstiek")
    (signal_id,) = overdue_signals(reporter, signal_data, 1)

    with leader_elsewhere(app) as release:
        before = snapshot()
        assert sweep(OVERDUE) == [NOT_LEADER]
        assert sweep(OVERDUE + timedelta(minutes=1)) == [NOT_LEADER]
        assert snapshot() == before, "a sweep without the leadership changed something"
        release()
        lines = sweep(OVERDUE)

    assert "termijnoverschrijdingen: 1" in lines and "automatisch doorgezette signalen: 1" in lines
    assert [event.signal_id for event in events_of("deadline_breached")] == [signal_id]
    assert [event.signal_id for event in events_of("escalated_overdue")] == [signal_id]
    if dialect() == "postgresql":
        assert advisory_lock_is_free(app), "the sweep kept the advisory lock"
    else:
        lease = db.session.get(SchedulerLease, LEASE_NAME, populate_existing=True)
        assert lease is not None
        assert (lease.holder, lease.expires_at) == (leader.HOLDER, RELEASED), "given up at once"
        db.session.rollback()
    # The leadership was given back: the next sweep may lead (and has nothing left to do).
    assert "termijnoverschrijdingen: 1" not in sweep(OVERDUE + timedelta(minutes=1))
    assert len(events_of("deadline_breached")) == 1


def wait_until_gone(pid: int) -> None:
    """The server ends a closed connection's backend (and frees its locks) on its own time."""
    deadline = time.monotonic() + 10
    gone = select(func.count()).select_from(text("pg_stat_activity")).where(text("pid = :pid"))
    while db.session.scalar(gone, {"pid": pid}):
        db.session.rollback()
        assert time.monotonic() < deadline, "the dead connection's backend lingers"
        time.sleep(0.05)
    db.session.rollback()


def test_a_leader_that_died_is_taken_over(
    app: Flask,
    clock: Clock,
    reporter: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    """PostgreSQL: the lock went with the dead process's connection; SQLite: its lease ran out."""
    make_user("member", groups=["casuistiek"], name="Cas Casuïstiek")
    (signal_id,) = overdue_signals(reporter, signal_data, 1)
    if dialect() == "postgresql":
        with second_app(app) as other, other.app_context():
            with db.engine.connect() as connection:
                pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
                assert connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
                ).scalar_one()
                connection.commit()
                connection.invalidate()  # the process dies: its connection closes unlocked
        wait_until_gone(pid)
    else:
        db.session.add(
            SchedulerLease(
                name=LEASE_NAME, holder=OTHER_HOLDER, expires_at=OVERDUE - timedelta(seconds=1)
            )
        )
        db.session.commit()
        # Still the other's at a moment before it runs out.
        before = snapshot()
        assert sweep(OVERDUE - timedelta(minutes=1)) == [NOT_LEADER]
        assert snapshot() == before

    lines = sweep(OVERDUE)

    assert "termijnoverschrijdingen: 1" in lines, lines
    assert [event.signal_id for event in events_of("escalated_overdue")] == [signal_id]
    if dialect() == "sqlite":
        lease = db.session.get(SchedulerLease, LEASE_NAME, populate_existing=True)
        assert lease is not None and (lease.holder, lease.expires_at) == (leader.HOLDER, RELEASED)
        db.session.rollback()


def test_a_sweep_at_a_later_moment_does_not_keep_another_scheduler_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ``signals scheduler tick --now`` months ahead, then the scheduler at the real time."""
    assert NOT_LEADER not in sweep(OVERDUE + timedelta(days=180))
    monkeypatch.setattr(leader, "HOLDER", OTHER_HOLDER)  # another process
    assert NOT_LEADER not in sweep(OVERDUE)
