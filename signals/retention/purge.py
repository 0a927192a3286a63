"""One round of retention work, or what it would remove (the dry run).

A round anonymises the signals whose retention period has passed (:mod:`.anonymise`, at most
a batch per round), deletes the outbox's sent and dead e-mail older than
``SIGNALS_OUTBOX_RETENTION_DAYS`` (it holds names, addresses and the texts it carried) and
the failed log-ins that no longer count and are a day old (:mod:`signals.auth.throttle`). The
scheduler's sweep runs a round every time; ``signals privacy purge`` runs one now, or with
``--dry-run`` says what it would remove and changes nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select

from signals.auth.links import forget_old_links
from signals.auth.models import AuthFailure
from signals.auth.throttle import FAILURES_KEPT, forget_old_failures, old_failures
from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.retention.anonymise import BATCH, anonymise_due, due_signals
from signals.settings import settings
from signals.transaction import unit_of_work

# Outbox messages deleted per round at most (each round deletes in one statement).
OUTBOX_BATCH = 5000


@dataclass
class Retention:
    """What a round removed, or (a dry run) would remove.

    ``signals``: the references of the signals anonymised; ``outbox``: e-mails deleted from
    the outbox; ``failed_logins``: failed log-ins deleted.
    """

    signals: list[str] = field(default_factory=list)
    outbox: int = 0
    failed_logins: int = 0

    def lines(self, *, dry_run: bool = False) -> list[str]:
        """A Dutch line per kind of thing removed, ``label: number`` as the sweep's lines are."""
        if dry_run:
            signals, mails, failures = (
                "signalen die geanonimiseerd zouden worden",
                "e-mails die uit de outbox verwijderd zouden worden",
                "mislukte inlogpogingen die verwijderd zouden worden",
            )
        else:
            signals, mails, failures = (
                "signalen geanonimiseerd na de bewaartermijn",
                "e-mails verwijderd uit de outbox (bewaartermijn)",
                "mislukte inlogpogingen verwijderd (bewaartermijn)",
            )
        lines = []
        if self.signals:
            lines.append(f"{signals} ({', '.join(self.signals)}): {len(self.signals)}")
        if self.outbox:
            lines.append(f"{mails}: {self.outbox}")
        if self.failed_logins:
            lines.append(f"{failures}: {self.failed_logins}")
        return lines


def outbox_cutoff(moment: datetime) -> datetime:
    """Sent and dead e-mail from before this moment is deleted at ``moment``."""
    return moment - timedelta(days=settings().outbox_retention_days)


def old_outbox_messages(moment: datetime) -> ColumnElement[bool]:
    """SQL: the sent (by when sent) and dead (by their last attempt) e-mails to delete."""
    cutoff = outbox_cutoff(moment)
    return or_(
        and_(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < cutoff),
        and_(OutboxMessage.status == OutboxStatus.DEAD, OutboxMessage.next_attempt_at < cutoff),
    )


def run_retention(moment: datetime, *, limit: int | None = BATCH) -> Retention:
    """One round at ``moment`` (the app's clock should read ``moment`` too).

    ``limit``: signals anonymised at most (None: every due signal, batch after batch).
    """
    done = Retention()
    while True:
        batch = anonymise_due(moment, BATCH if limit is None else limit)
        done.signals += batch
        if limit is not None or len(batch) < BATCH:
            break
    while True:
        with unit_of_work():
            ids = select(OutboxMessage.id).where(old_outbox_messages(moment)).limit(OUTBOX_BATCH)
            result = db.session.execute(
                delete(OutboxMessage)
                .where(OutboxMessage.id.in_(ids.scalar_subquery()))
                .execution_options(synchronize_session=False)
            )
        deleted = int(getattr(result, "rowcount", 0) or 0)
        done.outbox += deleted
        if limit is not None or deleted < OUTBOX_BATCH:
            break
    done.failed_logins = forget_old_failures(moment - FAILURES_KEPT)
    forget_old_links(moment)
    return done


def plan_retention(moment: datetime) -> Retention:
    """What a full round at ``moment`` would remove; reads only, changes nothing."""
    references = [reference for _id, reference in db.session.execute(due_signals(moment, None))]
    outbox = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(old_outbox_messages(moment))
    )
    failures = db.session.scalar(
        select(func.count()).select_from(AuthFailure).where(old_failures(moment - FAILURES_KEPT))
    )
    return Retention(signals=references, outbox=int(outbox or 0), failed_logins=int(failures or 0))
