"""The scheduler process; the only module that imports APScheduler."""

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from signals.clock import now
from signals.scheduler.jobs import sweep

log = logging.getLogger(__name__)


def run_forever(app: Flask) -> None:
    """Run a sweep every ``SCHEDULER_INTERVAL`` seconds until interrupted."""
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])

    def job() -> None:
        with app.app_context():
            for line in sweep(now()):
                log.info(line)

    scheduler.add_job(
        job,
        "interval",
        seconds=int(app.config["SCHEDULER_INTERVAL"]),
        max_instances=1,
        coalesce=True,
        id="sweep",
    )
    logging.basicConfig(level=logging.INFO)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
