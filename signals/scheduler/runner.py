"""The scheduler's timing: a sweep every ``SCHEDULER_INTERVAL`` seconds; the only APScheduler user.

In a process of its own (``signals scheduler run``) or in a thread beside the demo's web
server (``signals demo run``).
"""

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from signals.clock import now
from signals.scheduler.jobs import sweep
from signals.settings import settings_of

log = logging.getLogger(__name__)


def run_forever(app: Flask) -> None:
    """Run a sweep every ``SCHEDULER_INTERVAL`` seconds until interrupted."""
    scheduler = _with_sweeps(BlockingScheduler(timezone=settings_of(app).timezone), app)
    logging.basicConfig(level=logging.INFO)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


def start_in_background(app: Flask) -> Callable[[], None]:
    """Sweep every ``SCHEDULER_INTERVAL`` seconds in a thread of this process (the demo's server).

    Returns the function that stops it; a sweep under way is finished first.
    """
    scheduler = _with_sweeps(BackgroundScheduler(timezone=settings_of(app).timezone), app)
    scheduler.start()
    return lambda: scheduler.shutdown(wait=True)


def _with_sweeps(scheduler: BaseScheduler, app: Flask) -> BaseScheduler:
    def job() -> None:
        with app.app_context():
            for line in sweep(now()):
                log.info(line)

    scheduler.add_job(
        job,
        "interval",
        seconds=settings_of(app).scheduler_interval,
        max_instances=1,
        coalesce=True,
        id="sweep",
    )
    return scheduler
