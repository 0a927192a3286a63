"""Helper processes that share a large backlog of clock work within one sweep.

Rendering e-mail and keeping the ORM's books is Python work, bound to one core per process.
When thousands of signals are due at once (a deadline that passed for a whole team over a
long weekend, the scheduler back after an outage), the sweep starts helper processes
(``SIGNALS_SCHEDULER_HELPERS``, PostgreSQL only: SQLite has one writer at a time). Each
builds the app from the sweeping process's configuration, pins its clock to the sweep's
moment and runs the same claim loop; batches are claimed with ``FOR UPDATE SKIP LOCKED``, so
no signal is handled twice, and every action stays idempotent on its own besides. The sweep
waits for its helpers and adds up what they did. A helper that fails leaves its uncommitted
batch for the next sweep.

A helper never outlives its sweep: when the sweeping process is gone, however it ended
(killed, out of memory), the helper ends at once, so that no batches are claimed without the
leader lock. Its connection closes with it, and PostgreSQL rolls back the batch it had open
(once the statement under way, if any, is over), freeing its rows for the next sweep.
"""

import logging
import multiprocessing
import os
import pickle
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from multiprocessing.process import BaseProcess
from typing import Any

from flask import current_app
from sqlalchemy import select

from signals.extensions import db
from signals.settings import as_config, settings
from signals.workflow.models import Signal

log = logging.getLogger(__name__)
ClaimLoop = Callable[[datetime], Counter[str]]


def helpers_for(moment: datetime) -> int:
    """How many helper processes the work due at ``moment`` is worth (0: work alone).

    Starting a helper costs about a second (imports, the app, the route file), so helpers
    are started only for a backlog of at least ``SCHEDULER_HELPERS_FROM`` signals.
    """
    helpers = settings().scheduler_helpers
    if helpers <= 0 or db.engine.dialect.name != "postgresql":
        return 0
    threshold = settings().scheduler_helpers_from
    last_of_threshold = (
        select(Signal.id)
        .where(Signal.next_clock_at <= moment)
        .order_by(Signal.next_clock_at)
        .offset(threshold - 1)
        .limit(1)
    )
    backlog_reaches_threshold = db.session.scalar(last_of_threshold) is not None
    db.session.rollback()
    return helpers if backlog_reaches_threshold else 0


def run_with_helpers(moment: datetime, helpers: int, claim_loop: ClaimLoop) -> Counter[str]:
    """Run ``claim_loop`` here and in ``helpers`` processes at once; what all of them did."""
    config = _portable_config()
    done: Counter[str] = Counter()
    # A fresh interpreter, never a fork: the sweeping process's database connections (the
    # leader lock's among them) must not be shared with a child.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=helpers, mp_context=spawn, initializer=_end_with_the_sweep
    ) as pool:
        futures = [pool.submit(_help, config, moment, claim_loop) for _ in range(helpers)]
        done.update(claim_loop(moment))
        here = sum(done.values())
        for future in futures:
            try:
                done.update(future.result())
            except Exception:
                log.exception("a scheduler helper failed; its open batch waits for the next sweep")
                done["failed_helper"] += 1
    log.info(
        "clock work: %s actions in this process, %s in %s helpers",
        here,
        sum(done.values()) - here,
        helpers,
    )
    return done


def _end_with_the_sweep() -> None:
    """In a helper, before any work: end this process as soon as the sweeping one is gone."""
    sweeper = multiprocessing.parent_process()
    if sweeper is not None:
        watcher = threading.Thread(
            target=_exit_when_gone, args=(sweeper,), name="sweep-watcher", daemon=True
        )
        watcher.start()


def _exit_when_gone(sweeper: BaseProcess) -> None:
    # ``join`` blocks on the sentinel that "spawn" gave this process: the read end of a pipe
    # whose write end only the sweeper holds, open until this helper has ended. The kernel
    # closes it when the sweeper dies, however it dies, and the read end stays at EOF. So this
    # thread sleeps in the kernel and costs the claim loop nothing, wakes at once, and cannot
    # miss a sweeper that died before it started. Polling os.getppid() would wake up all the
    # time and still notice late; PR_SET_PDEATHSIG follows the thread that started the helper,
    # not the process, and misses a parent that died before it was set.
    sweeper.join()
    # Not sys.exit (it would end this thread only) nor a log line (the main thread may hold
    # the logging lock, stuck on an output nobody reads now): the process ends here and then.
    os._exit(1)


def _help(config: dict[str, Any], moment: datetime, claim_loop: ClaimLoop) -> Counter[str]:
    """A helper process's work: the app as the sweeper has it, the clock pinned to ``moment``."""
    from signals import create_app
    from signals.clock import get_clock

    app = create_app(config)
    with app.app_context(), get_clock().frozen_at(moment):
        try:
            return claim_loop(moment)
        finally:
            db.session.remove()
            db.engine.dispose()


def _portable_config() -> dict[str, Any]:
    """The sweeping app's configuration, without what cannot cross to another process.

    Its settings as this app holds them now: the helper reads the same ones.
    """
    portable = {}
    for key, value in current_app.config.items():
        try:
            pickle.dumps(value)
        except (pickle.PicklingError, TypeError, AttributeError):
            continue
        portable[key] = value
    return {**portable, **as_config(settings())}
