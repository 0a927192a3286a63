"""A fault in one signal's clock work never holds up the others, nor the rest of the sweep.

The fault is injected at the sweep's own seam (the function that does one piece of work),
because no valid data makes the real code fail; everything else is the real sweep.
"""

import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.scheduler import clock_sweep
from signals.scheduler.jobs import sweep
from signals.workflow.clocks import Due
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import submit_signal
from tests.fixtures.app import START

AFTER_ACCEPT_DEADLINE = START.replace(day=26)  # Thursday: the 2-working-day clock has passed


def breaches_of(signal_id: int) -> int:
    query = select(func.count()).where(
        SignalEvent.signal_id == signal_id, SignalEvent.type == "deadline_breached"
    )
    return db.session.scalar(query) or 0


def test_one_failing_signal_is_passed_over_and_the_others_are_done(
    clock: Clock,
    reporter: User,
    signal_data: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    signals = [submit_signal(reporter, signal_data).id for _ in range(5)]
    broken = signals[2]
    real_do = clock_sweep.do_due_work

    def failing_do(signal: Signal, due: Due, *args: Any) -> list[str]:
        if signal.id == broken:
            raise RuntimeError("template missing")
        return real_do(signal, due, *args)

    monkeypatch.setattr(clock_sweep, "do_due_work", failing_do)

    with caplog.at_level(logging.ERROR, logger=clock_sweep.__name__):
        lines = sweep(AFTER_ACCEPT_DEADLINE)

    assert "termijnoverschrijdingen: 4" in lines
    assert "signalen overgeslagen door een fout (zie het log): 1" in lines
    assert any(line.startswith("e-mail:") for line in lines)  # the sweep went on to the mail
    db.session.expire_all()
    assert [breaches_of(signal_id) for signal_id in signals] == [1, 1, 0, 1, 1]
    assert f"clock work on signal {broken} failed" in caplog.text
    # Nothing of the failed signal's work was kept, so it is done once the fault is gone.
    monkeypatch.setattr(clock_sweep, "do_due_work", real_do)
    assert "termijnoverschrijdingen: 1" in sweep(AFTER_ACCEPT_DEADLINE)
    db.session.expire_all()
    assert [breaches_of(signal_id) for signal_id in signals] == [1, 1, 1, 1, 1]
