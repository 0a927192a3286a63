"""A helper process ends with the sweep that started it (PostgreSQL on Linux only).

When the sweeping process is killed (SIGKILL: no ``finally`` of its own runs), its helpers
must not go on claiming batches without the leader lock. Each ends at once; its connection
closes, PostgreSQL rolls its open batch back and frees its rows, and the next sweep does the
work.

The helper is caught in the middle of a batch: the test holds a lock on the outbox table, so
the helper, having claimed and worked its batch, waits at its commit with its rows locked.
Without a watcher it would sit there, and then carry on, long after its sweep was gone. The
sweep runs in a process of its own (``python -c``); it takes the leader lock, as a sweep
does, and leaves the claim loop to its helper, so that it is the helper that holds the work.
A helper whose sweep stays alive does its work to the end: see
``test_a_large_backlog_is_shared_with_helper_processes``.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from signals.clock import get_clock
from signals.extensions import db
from signals.scheduler.helpers import run_with_helpers
from signals.scheduler.jobs import sweep
from signals.scheduler.leader import leadership
from signals.workflow.models import Signal
from tests.fixtures.app import make_test_app
from tests.integration.test_scheduler_concurrency import (  # noqa: F401  # backlog: a fixture
    OVERDUE,
    SIGNALS,
    Backlog,
    assert_each_action_once,
    backlog,
    dialect,
    events_of,
    only_in_a_helper,
)

# The killed sweep's connections (its helper's too) carry this name in pg_stat_activity.
APPLICATION = "signals-killed-sweep"
PROJECT = Path(__file__).resolve().parents[2]
SWEEPER = (
    "import sys; from tests.integration.test_scheduler_helper_lifetime import"
    " sweep_with_a_helper; sweep_with_a_helper(sys.argv[1])"
)
# Liveness bounds, generous for a busy CI machine: starting a helper takes about a second.
STARTUP = 60.0
END = 30.0


def sweep_with_a_helper(database_url: str) -> None:
    """The sweeping process: the leader lock, and the backlog left to one helper process."""
    app = make_test_app(database_url)
    with app.app_context(), get_clock().frozen_at(OVERDUE), leadership(OVERDUE) as leading:
        assert leading, "another scheduler leads"
        run_with_helpers(OVERDUE, 1, only_in_a_helper)


@contextmanager
def outbox_held() -> Iterator[None]:
    """No e-mail can be written (a batch waits at its commit) until the block ends."""
    with db.engine.connect() as connection:
        connection.execute(text("LOCK TABLE outbox_messages IN SHARE MODE"))
        try:
            yield
        finally:
            connection.rollback()


# Fields of /proc/PID/stat counted from the one after the command name: 3, 4 and 22 in proc(5).
STATE, PARENT, STARTED = 0, 1, 19


@dataclass(frozen=True)
class Helper:
    """A helper process, by its pid and its start time (a pid is given out again later)."""

    pid: int
    started: str

    def has_ended(self) -> bool:
        """Whether it is gone, or dead and not yet reaped (a zombie)."""
        fields = proc_stat(self.pid)
        return fields is None or fields[STARTED] != self.started or fields[STATE] in {"Z", "X"}

    def kill(self) -> None:
        if not self.has_ended():
            os.kill(self.pid, signal.SIGKILL)


def proc_stat(pid: int) -> list[str] | None:
    """The process's fields from its state on (Linux ``/proc``); None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def spawned_children(pid: int) -> list[Helper]:
    """The processes that ``pid`` started with multiprocessing's "spawn"."""
    children = []
    for entry in Path("/proc").iterdir():
        fields = proc_stat(int(entry.name)) if entry.name.isdigit() else None
        if fields is None or int(fields[PARENT]) != pid:
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        if b"spawn_main" in command:
            children.append(Helper(int(entry.name), fields[STARTED]))
    return children


class SweepProcess:
    """The sweep in a process of its own (``python -c``), and the helper it started."""

    def __init__(self, database_url: str, log: IO[bytes]) -> None:
        url = make_url(database_url).update_query_dict({"application_name": APPLICATION})
        self.process = subprocess.Popen(
            [sys.executable, "-c", SWEEPER, url.render_as_string(hide_password=False)],
            cwd=PROJECT,
            stdout=log,
            stderr=log,
        )
        self.helpers: list[Helper] = []

    def helper(self) -> Helper:
        """The one helper process; found by its parent, so while the sweep lives."""
        (helper,) = spawned_children(self.process.pid)
        self.helpers.append(helper)
        return helper

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def kill_all(self) -> None:
        """The end of a test that may have failed: nothing it started lives on."""
        if self.process.poll() is None:
            self.helpers += spawned_children(self.process.pid)
        self.kill()
        for helper in self.helpers:
            helper.kill()


@contextmanager
def sweep_process(database_url: str, log: IO[bytes]) -> Iterator[SweepProcess]:
    sweeper = SweepProcess(database_url, log)
    try:
        yield sweeper
    finally:
        sweeper.kill_all()


def wait_for(condition: Callable[[], bool], timeout: float, failure: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(failure)
        time.sleep(0.05)


def sweep_backends(waiting_for_outbox: bool = False) -> int:
    """How many of the killed sweep's connections the server still has (waiting to write e-mail)."""
    query = """
        SELECT count(*) FROM pg_stat_activity AS activity
        WHERE activity.application_name = :name AND (NOT :waiting OR EXISTS (
            SELECT 1 FROM pg_locks AS lock WHERE lock.pid = activity.pid AND NOT lock.granted
            AND lock.relation = 'outbox_messages'::regclass))
    """
    number = db.session.scalar(text(query), {"name": APPLICATION, "waiting": waiting_for_outbox})
    db.session.rollback()
    return int(number or 0)


def lockable_now(ids: list[int]) -> bool:
    """Whether another transaction could lock all of these signals at once, without waiting."""
    query = select(Signal.id).where(Signal.id.in_(ids)).with_for_update(nowait=True)
    try:
        return len(db.session.scalars(query).all()) == len(ids)
    except OperationalError:
        return False
    finally:
        db.session.rollback()


def test_a_helper_ends_at_once_when_its_sweep_is_killed(
    app: Flask,
    backlog: Backlog,  # noqa: F811  # the shared fixture, imported above
    tmp_path: Path,
) -> None:
    if dialect() != "postgresql" or not Path("/proc/self/stat").exists():
        pytest.skip("helper processes run on PostgreSQL only; the test reads Linux's /proc")
    log_path = tmp_path / "sweeper.log"

    with log_path.open("wb") as log, outbox_held():
        with sweep_process(app.config["SQLALCHEMY_DATABASE_URI"], log) as sweeper:

            def helper_mid_batch() -> bool:
                assert sweeper.process.poll() is None, log_path.read_text()
                return sweep_backends(waiting_for_outbox=True) == 1

            wait_for(helper_mid_batch, STARTUP, "no helper got to its batch's commit")
            helper = sweeper.helper()
            sweeper.kill()

            wait_for(helper.has_ended, END, "the helper outlives its killed sweep")
    # The helper's server process notices the closed connection once its wait for the lock is
    # over: it rolls the batch back and ends.
    wait_for(lambda: sweep_backends() == 0, END, "the killed sweep's connections linger")

    assert lockable_now(backlog.ids), "rows of the backlog are still locked"
    assert events_of("deadline_breached") == [], "the helper's batch was committed"
    lines = sweep(OVERDUE)  # the next sweep leads, and does all the work once
    assert f"termijnoverschrijdingen: {SIGNALS}" in lines, lines
    assert_each_action_once(backlog.ids, backlog.outbox_before, *backlog.emails)
