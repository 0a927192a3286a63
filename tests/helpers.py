"""What many test modules share: the fixtures' callable types, re-reading rows, a resolution."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import inspect, select

from signals.auth.models import User
from signals.database import Base
from signals.extensions import db
from signals.workflow.models import Signal
from tests.fixtures.api import ApiClient
from tests.fixtures.people import WebSession

# What the ``login``, ``api`` and ``make_user`` fixtures return.
Login = Callable[[User], WebSession]
Api = Callable[[User], ApiClient]
MakeUser = Callable[..., User]

# The standard payload of ``resolve_signal`` (and of ``decide_kwestie``): a complete answer.
RESOLUTION = {
    "outcome": "not_possible",
    "rationale": "De wet laat geen voorschot toe; landelijk gesignaleerd via de VNG.",
    "message": "Helaas kunnen wij hier lokaal niets aan veranderen.",
}

Model = TypeVar("Model", bound=Base)


def fresh(instance: Model) -> Model:
    """``instance``'s row as the database has it now (every loaded object is expired first)."""
    identity = inspect(instance).identity
    assert identity is not None, "not stored yet"
    db.session.expire_all()
    stored = db.session.get(type(instance), identity)
    assert stored is not None
    return stored


def signal_by_reference(reference: str) -> Signal:
    """The signal with ``reference`` as the database has it now."""
    db.session.expire_all()
    signal = db.session.scalar(select(Signal).where(Signal.reference == reference))
    assert signal is not None
    return signal


def reporter_of(signal: Signal) -> User:
    """The person who reported ``signal`` (a signal made by a test always has one)."""
    assert signal.reporter is not None, f"{signal.reference} has no reporter"
    return signal.reporter
