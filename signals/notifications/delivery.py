"""Delivery of the outbox over SMTP: batches, one connection per batch, failures per message.

**Batches.** :func:`deliver_pending` goes on until no due message is left. It claims a batch
of ``BATCH_SIZE`` due messages (the longest due first; on PostgreSQL ``FOR UPDATE SKIP
LOCKED``, so two senders never hold, and so never send, the same message), sends them over one
SMTP connection and commits what happened to them in one transaction with the claim. After an
error the connection is closed and the next message gets a fresh one.

**Failures.** Whatever goes wrong with one message is recorded on that message (``attempts``,
``last_error``) and the batch goes on with the next one:

- *permanent* — the message is dead at once: it cannot be built or encoded (a recipient that
  is not one plain ASCII address, a header the e-mail library refuses), or the server answers
  5xx to its recipient or to its data. Trying again would fail the same way.
- *transient* — back-off (1, 2, 4 … minutes, at most 6 hours), dead after ``MAX_ATTEMPTS``:
  the server cannot be reached, times out, drops the connection, answers 4xx, or refuses
  the sender or the greeting (a fault of the server or our configuration, not the message's).

A timeout costs ``SMTP_TIMEOUT`` seconds, with the batch's rows locked and its transaction
open. The second timeout in a batch ends the run: the server is taken to be hanging. The
messages not yet tried keep their place and attempts; the timed-out ones wait for their
back-off, so the next sweep starts with others.

**Guarantees: at-least-once.** A message is marked sent only when the server has accepted it,
in its batch's commit. So a message is sent again only

- after a crash (or a lost database connection) between the server's acceptance and that
  commit: at most one batch, ``BATCH_SIZE`` messages, per sender; and
- when the server stores a message but acknowledges it after ``SMTP_TIMEOUT``: the message
  counts as failed and goes out again after its back-off.

Either way the copy carries the same ``Message-ID`` (stored with the message), so mail
programs can recognise it. SQLite has no row locks: run one sender at a time there (for
sweeps the scheduler's leader lock sees to that).
"""

import smtplib
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from types import TracebackType

from sqlalchemy import select

from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.validation import one_line

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# Messages claimed, sent over one connection and committed together: also the most a crash
# can make a sender send twice.
BATCH_SIZE = 100
# The second timeout in a batch ends the run: the server is hanging (see above).
TIMEOUTS_PER_BATCH = 2
LAST_ERROR_LENGTH = 2000


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    server_hanging: bool = False

    def summary(self) -> str:
        line = (
            f"verzonden: {len(self.sent)}, mislukt: {len(self.failed)}, opgegeven: {len(self.dead)}"
        )
        if self.server_hanging:
            line += " (gestopt: de mailserver reageert niet; de rest gaat mee in de volgende ronde)"
        return line


class UnsendableMessage(Exception):
    """The message cannot be built or encoded: sending it again would fail the same way."""


@dataclass(frozen=True)
class Envelope:
    """A message as it goes over the wire: the envelope addresses and the encoded bytes."""

    sender: str
    recipient: str
    data: bytes


@dataclass(frozen=True)
class Failure:
    """Why one message was not delivered, and whether trying again can help."""

    error: str
    permanent: bool
    timed_out: bool = False


def smtp_configured() -> bool:
    return settings().smtp_host is not None


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off after ``attempts`` failed attempts: 1, 2, 4 … minutes, capped."""
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


def deliver_pending(now: datetime, limit: int | None = None) -> DeliveryReport:
    """Send every message due at ``now`` (at most ``limit``), batch by batch; say what happened."""
    report = DeliveryReport()
    if not smtp_configured():
        return report
    while limit is None or limit > 0:
        size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit)
        with unit_of_work():
            batch = _claim_batch(now, size)
            _deliver_batch(batch, now, report)
        if report.server_hanging or len(batch) < size:
            break
        if limit is not None:
            limit -= size
    return report


def _claim_batch(now: datetime, size: int) -> Sequence[OutboxMessage]:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalars(query).all()


def _deliver_batch(batch: Sequence[OutboxMessage], now: datetime, report: DeliveryReport) -> None:
    """Send ``batch`` over one connection, unless the server stops answering."""
    server = settings()
    timeouts = 0
    with SmtpConnection(
        server.smtp_host or "", server.smtp_port, server.smtp_timeout
    ) as connection:
        for message in batch:
            failure = _attempt(message, connection)
            _record(message, failure, now, report)
            timeouts += bool(failure and failure.timed_out)
            if timeouts >= TIMEOUTS_PER_BATCH:
                report.server_hanging = True
                return


def _attempt(message: OutboxMessage, connection: "SmtpConnection") -> Failure | None:
    """Send one message; what went wrong, or ``None`` when the server accepted it."""
    try:
        connection.send(as_envelope(message))
    except UnsendableMessage as error:
        return Failure(_describe(error), permanent=True)
    except (OSError, smtplib.SMTPException) as error:
        permanent, timed_out = _refused_for_good(error), _timed_out(error)
        return Failure(_describe(error), permanent=permanent, timed_out=timed_out)
    except ValueError as error:  # smtplib encodes commands as ASCII (no SMTPUTF8 here)
        return Failure(_describe(error), permanent=True)
    return None


def _record(
    message: OutboxMessage, failure: Failure | None, now: datetime, report: DeliveryReport
) -> None:
    message.attempts += 1
    if failure is None:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.last_error = None
        report.sent.append(message.id)
        return
    message.last_error = failure.error[:LAST_ERROR_LENGTH]
    if failure.permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.DEAD
        message.next_attempt_at = now  # when it was given up: retention counts from it
        report.dead.append(message.id)
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
        report.failed.append(message.id)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _refused_for_good(error: Exception) -> bool:
    """Whether the server answered 5xx to this message's recipient or its data."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(_is_5xx(code) for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return _is_5xx(error.smtp_code)
    return False


def _is_5xx(code: int) -> bool:
    return 500 <= code < 600


def _timed_out(error: BaseException) -> bool:
    # smtplib turns a timeout while it waits for an answer into SMTPServerDisconnected.
    return any(
        isinstance(cause, TimeoutError) for cause in (error, error.__cause__, error.__context__)
    )


# Building ------------------------------------------------------------------------------------


def as_envelope(message: OutboxMessage) -> Envelope:
    """The outbox row as it goes over the wire.

    :raise UnsendableMessage: the row cannot be made into an e-mail.
    """
    email = build_email(message)
    try:
        data = email.as_bytes(policy=SMTP)
    except Exception as error:  # the e-mail library raises many kinds on text it cannot encode
        raise UnsendableMessage(_describe(error)) from error
    sender = parseaddr(settings().mail_from)[1]
    return Envelope(sender=sender, recipient=message.recipient, data=data)


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message for an outbox row: plain text with an HTML alternative.

    A meeting's invitation comes along as an ``uitnodiging.ics`` attachment (text/calendar),
    the quarterly report as a PDF.

    The subject and Message-ID are made one line, for rows stored before titles were checked
    on input; a recipient cannot be repaired like that and is refused instead.

    :raise UnsendableMessage: the row cannot be made into an e-mail.
    """
    recipient = recipient_address(message.recipient)
    email = EmailMessage()
    try:
        email["From"] = settings().mail_from
        email["To"] = recipient
        email["Subject"] = one_line(message.subject)
        email["Message-ID"] = one_line(message.message_id)
        email["Date"] = format_datetime(message.created_at)
        email.set_content(message.body_text)
        email.add_alternative(message.body_html, subtype="html")
        if message.calendar:
            email.add_attachment(
                message.calendar.encode(),
                maintype="text",
                subtype="calendar",
                filename="uitnodiging.ics",
                params={"method": "REQUEST", "charset": "utf-8"},
            )
        if message.attachment_name and message.attachment is not None:
            email.add_attachment(
                message.attachment,
                maintype="application",
                subtype="pdf",
                filename=message.attachment_name,
            )
    except Exception as error:  # the e-mail library raises many kinds on text it refuses
        raise UnsendableMessage(_describe(error)) from error
    return email


def recipient_address(recipient: str) -> Address:
    """The address ``recipient`` names, if it is one plain address fit for a header and SMTP.

    We do not speak SMTPUTF8, so the address must be ASCII; a line break, a second address or
    a display name would change who gets the message.

    :raise UnsendableMessage: it is not.
    """
    try:
        address = Address(addr_spec=recipient)
    except Exception as error:  # the address parser raises many kinds, IndexError included
        raise UnsendableMessage(f"geen bruikbaar e-mailadres {recipient!r}: {error}") from error
    if not (recipient.isascii() and address.username and address.domain):
        raise UnsendableMessage(f"geen bruikbaar e-mailadres {recipient!r}")
    return address


# Sending --------------------------------------------------------------------------------------


class SmtpConnection:
    """One connection to the mail server, opened when first needed and dropped after an error."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self._host = host
        self._port = port
        self._timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpConnection":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, envelope: Envelope) -> None:
        """Hand ``envelope`` to the server; after any error the next send connects anew."""
        try:
            smtp = self._smtp or self._connect()
            smtp.sendmail(envelope.sender, [envelope.recipient], envelope.data)
        except BaseException:
            self._drop()
            raise

    def close(self) -> None:
        """Say goodbye; a server that has gone away by now changes nothing."""
        if self._smtp is not None:
            with suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
        self._drop()

    def _connect(self) -> smtplib.SMTP:
        # Connecting outside the constructor: the object exists, so a failed greeting is closed.
        self._smtp = smtplib.SMTP(timeout=self._timeout)
        code, greeting = self._smtp.connect(self._host, self._port)
        if code != 220:
            raise smtplib.SMTPConnectError(code, greeting)
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None
