"""The legal hold: an administrator keeps a signal from anonymisation, and releases it.

One function per action, shared by the web page and the API (through the action registry,
:mod:`signals.workflow.actions`). Each records its event with the administrator's reason,
and an entry in the access log (an administrator's action);
a released signal whose retention period has passed is anonymised at the next sweep.
"""

from collections.abc import Callable, Mapping
from typing import Any

from signals.audit.services import Subject, log_access
from signals.auth.models import User
from signals.retention.schemas import HoldSchema
from signals.transaction import unit_of_work
from signals.workflow import lifecycle
from signals.workflow.models import Signal

ALREADY_HELD = "Dit signaal staat al onder bewaarplicht."
NOT_HELD = "Dit signaal staat niet onder bewaarplicht."


def place_legal_hold(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Keep the signal from anonymisation until the hold is released (administrators)."""
    signal, fields = lifecycle.begin(
        "legal_hold", actor, reference, HoldSchema(), data, _held(ALREADY_HELD, held=True)
    )
    with unit_of_work():
        lifecycle.move(signal, "legal_hold")
        signal.legal_hold = True
        lifecycle.record(signal, "legal_hold", actor, reason=fields["reason"])
        log_access(actor, "legal_hold", Subject.signal(signal), detail=fields["reason"])
    return signal


def release_legal_hold(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """End the hold: the signal is anonymised at the next sweep if its period has passed."""
    signal, fields = lifecycle.begin(
        "release_hold", actor, reference, HoldSchema(), data, _held(NOT_HELD, held=False)
    )
    with unit_of_work():
        lifecycle.move(signal, "release_hold")
        signal.legal_hold = False
        lifecycle.record(signal, "hold_released", actor, reason=fields["reason"])
        log_access(actor, "release_hold", Subject.signal(signal), detail=fields["reason"])
    return signal


def _held(refusal: str, *, held: bool) -> Callable[[Signal], str | None]:
    """Refuse with ``refusal`` when the signal's hold is ``held`` (checked before the input)."""
    return lambda signal: refusal if signal.legal_hold is held else None
