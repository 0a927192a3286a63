"""The anonymous channel: submit a signal without a name, follow it and answer with a receipt.

Nothing links an anonymous signal to a person. It has no reporter and belongs to the
channel's pseudo-organisation (its reporter kind, ``anonymous``, is what entry rules and
figures see). The reporter gets a receipt code once (100 bits, in groups of four for reading
aloud); only its hash is kept. With it they read what the owners wrote them and answer a
question; a wrong code is refused after a pause, with no hint of what was wrong.

The client's address is never stored: it serves only to count requests per day under a
keyed hash that changes every day (:class:`AnonymousQuota`). The web and API views pass it
in; they keep nothing else about the request either.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from signals import codes
from signals.anonymous.models import AnonymousContact, AnonymousQuota, AnonymousReceipt
from signals.anonymous.schemas import AnonymousReplySchema, AnonymousSignalSchema
from signals.auth.models import Organisation, OrganisationKind
from signals.auth.throttle import client_network
from signals.clock import now
from signals.errors import NotFound, TooManyAttempts
from signals.extensions import db
from signals.notifications.services import queue_anonymous_notice
from signals.routing.services import node_label
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.validation import load, reusable
from signals.workflow.models import Signal, SignalEvent, SignalStatus
from signals.workflow.services import check_direct_choice, record_reply, store_routed_signal
from signals.workflow.transitions import check

CHANNEL_ORGANISATION = "Anonieme melders"
CHANNEL_CLOSED = "Het anonieme kanaal staat uit bij deze gemeente."
WRONG_RECEIPT = "Met deze ontvangstcode is geen signaal te vinden."
# Crockford's base 32: no I, L, O or U, so that nothing is misread or misheard.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 20  # 100 bits
RECEIPT_GROUP = 4
# What a person may type for a letter the alphabet leaves out.
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
# The pause before a wrong receipt is refused, and how many wrong ones a network may try a day.
REFUSAL_DELAY = 1.0
WRONG_RECEIPTS_A_DAY = 50
SUBMIT, GUESS = "submit", "guess"
# What the anonymous reporter reads of a signal's history: the owners' words and their own.
SHOWN_EVENTS = (
    "submitted",
    "accepted",
    "forwarded",
    "escalated_overdue",
    "info_requested",
    "reporter_replied",
    "feedback_sent",
    "status_update_sent",
    "linked",
    "resolved",
)


@dataclass(frozen=True)
class AnonymousSubmission:
    """A signal made through the channel and its receipt code (shown this once)."""

    signal: Signal
    receipt: str


@dataclass(frozen=True)
class Entry:
    """One step in what the anonymous reporter reads: the day, what happened, the words."""

    day: date
    label: str
    message: str | None
    by_reporter: bool


@dataclass(frozen=True)
class AnonymousView:
    """An anonymous signal as its reporter may read it: no names, no time finer than the day."""

    reference: str
    title: str
    status: str
    status_label: str
    node_label: str
    submitted_on: date
    question: str | None
    outcome: str | None
    rationale: str | None
    entries: list[Entry]

    @property
    def may_reply(self) -> bool:
        return self.status == SignalStatus.AWAITING_REPORTER


def channel_open() -> bool:
    return settings().anonymous


def check_channel_open() -> None:
    if not channel_open():
        raise NotFound(CHANNEL_CLOSED)


# Submitting ------------------------------------------------------------------------------------


def submit_anonymous_signal(data: Mapping[str, Any], address: str | None) -> AnonymousSubmission:
    """Validate and store an anonymous signal; its receipt, and a notice if an address was left.

    ``address``: the client's, to count submissions per day (never stored).
    """
    check_channel_open()
    fields = load(reusable(AnonymousSignalSchema), data)
    check_direct_choice(None, fields.get("direct_node"))
    receipt = new_receipt()
    with unit_of_work():
        _count(SUBMIT, address, settings().anonymous_daily_limit, "anonieme signalen vandaag")
        signal = store_routed_signal(fields, None, channel_organisation().id)
        db.session.add(AnonymousReceipt(signal_id=signal.id, receipt_hash=receipt_hash(receipt)))
        if fields.get("email"):
            db.session.add(AnonymousContact(signal_id=signal.id, email=fields["email"]))
            queue_anonymous_notice(signal, "receipt")
    return AnonymousSubmission(signal, receipt)


def channel_organisation() -> Organisation:
    """The pseudo-organisation anonymous signals belong to; made the first time it is needed."""
    query = select(Organisation).where(Organisation.kind == OrganisationKind.ANONYMOUS)
    found = db.session.scalar(query)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            organisation = Organisation(
                name=CHANNEL_ORGANISATION, kind=OrganisationKind.ANONYMOUS, created_at=now()
            )
            db.session.add(organisation)
        return organisation
    except IntegrityError:  # made at the same moment by another submission
        return db.session.scalars(query).one()


def new_receipt() -> str:
    """A fresh receipt code: 100 random bits as ``XXXX-XXXX-XXXX-XXXX-XXXX``."""
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    groups = [code[start : start + RECEIPT_GROUP] for start in range(0, RECEIPT_LENGTH, 4)]
    return "-".join(groups)


def normalised_receipt(typed: str) -> str | None:
    """The code as typed, without spaces or dashes, upper case; None if it cannot be one."""
    code = "".join(typed.split()).replace("-", "").upper().translate(READ_AS)
    if len(code) != RECEIPT_LENGTH or any(char not in RECEIPT_ALPHABET for char in code):
        return None
    return code


def receipt_hash(receipt: str) -> str:
    """What is kept of a receipt: the SHA-256 of its normalised form (100 random bits)."""
    code = normalised_receipt(receipt)
    if code is None:
        raise ValueError("not a receipt code")
    return hashlib.sha256(code.encode()).hexdigest()


# Following and answering -------------------------------------------------------------------------


def follow_signal(receipt: str, address: str | None) -> AnonymousView:
    """What the anonymous reporter may read of the signal ``receipt`` opens."""
    check_channel_open()
    return anonymous_view(_signal_of(receipt, address))


def reply_anonymously(receipt: str, data: Mapping[str, Any], address: str | None) -> Signal:
    """The anonymous reporter answers the owner's question; the signal is back in progress."""
    check_channel_open()
    signal = _signal_of(receipt, address, for_update=True)
    check("reply", signal.status, is_owner=False, is_reporter=True)
    fields = load(AnonymousReplySchema(), data)
    with unit_of_work():
        record_reply(signal, None, fields["message"])
    return signal


def _signal_of(receipt: str, address: str | None, *, for_update: bool = False) -> Signal:
    """The signal ``receipt`` opens; refused after a pause, without saying why, if none."""
    code = normalised_receipt(receipt) if isinstance(receipt, str) else None
    signal = None
    if code is not None:
        query = (
            select(Signal)
            .join(AnonymousReceipt, AnonymousReceipt.signal_id == Signal.id)
            .where(AnonymousReceipt.receipt_hash == receipt_hash(code))
        )
        if for_update:
            query = query.with_for_update(of=Signal).execution_options(populate_existing=True)
        signal = db.session.scalar(query)
    if signal is None:
        with unit_of_work():
            _count(GUESS, address, WRONG_RECEIPTS_A_DAY, "onjuiste ontvangstcodes vandaag")
        pause(REFUSAL_DELAY)
        raise NotFound(WRONG_RECEIPT)
    return signal


def pause(seconds: float) -> None:
    """Wait before refusing (tests put their own sleep in ``app.extensions``)."""
    sleep: Callable[[float], None] = current_app.extensions.get("signals.sleep", time.sleep)
    sleep(seconds)


def anonymous_view(signal: Signal) -> AnonymousView:
    """``signal`` as its anonymous reporter reads it."""
    events = db.session.scalars(
        select(SignalEvent)
        .where(SignalEvent.signal_id == signal.id, SignalEvent.type.in_(SHOWN_EVENTS))
        .order_by(SignalEvent.id)
    ).all()
    entries = [_entry(event) for event in events]
    question = next(
        (e.message for e in reversed(entries) if e.label == codes.EVENT_LABELS["info_requested"]),
        None,
    )
    resolved = signal.status == SignalStatus.RESOLVED
    return AnonymousView(
        reference=signal.reference,
        title=signal.title,
        status=signal.status,
        status_label=codes.STATUSES.get(signal.status, signal.status),
        node_label=node_label(signal.node),
        submitted_on=local_day(signal.created_at),
        question=question if signal.status == SignalStatus.AWAITING_REPORTER else None,
        outcome=codes.OUTCOMES.get(signal.outcome or "") if resolved else None,
        rationale=signal.rationale if resolved else None,
        entries=entries,
    )


def _entry(event: SignalEvent) -> Entry:
    data = event.data or {}
    label = codes.EVENT_LABELS.get(event.type, event.type)
    if event.type in ("forwarded", "escalated_overdue") and data.get("to"):
        label = f"{label} naar {node_label(data['to'])}"
    return Entry(
        day=local_day(event.at),
        label=label,
        message=data.get("message") or None,
        by_reporter=event.type in ("submitted", "reporter_replied"),
    )


def local_day(moment: datetime) -> date:
    """The day (in the municipality's time zone) of ``moment``: all the channel ever shows."""
    return moment.astimezone(settings().zone).date()


# The daily count per client network ----------------------------------------------------------


def _count(purpose: str, address: str | None, limit: int, what: str) -> None:
    """Count one ``purpose`` request from ``address`` today; refuse (429) beyond ``limit``.

    The count is kept under a keyed hash of the address's network and the day: the same
    network gets another key tomorrow, and no key leads back to an address.
    """
    today = local_day(now())
    db.session.execute(delete(AnonymousQuota).where(AnonymousQuota.day < today))
    key = _daily_key(purpose, address, today)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(AnonymousQuota).values(purpose=purpose, key_hash=key, day=today, count=0)
    db.session.execute(statement.on_conflict_do_nothing())
    counted = db.session.execute(
        update(AnonymousQuota)
        .where(AnonymousQuota.purpose == purpose, AnonymousQuota.key_hash == key)
        .values(count=AnonymousQuota.count + 1)
        .returning(AnonymousQuota.count)
    ).scalar_one()
    if counted > limit:
        raise TooManyAttempts(_seconds_until_tomorrow(), what)


def _daily_key(purpose: str, address: str | None, today: date) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"anonymous:{purpose}:{today.isoformat()}:{client_network(address)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _seconds_until_tomorrow() -> int:
    moment = now().astimezone(settings().zone)
    midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time())
    return max(1, int((midnight.replace(tzinfo=moment.tzinfo) - moment).total_seconds()))
