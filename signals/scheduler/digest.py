"""The managers' daily digest of late signals: working days only, once a day, in office hours.

Each manager's day gets one ``manager_digests`` row, written in the same transaction as the
mail (or without a mail when nothing is late), and unique per manager and day: a second
sweep, or a second scheduler, finds the row and sends nothing. After the first sweep of a
working day the job costs one query.
"""

from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from signals.auth.models import Role, User
from signals.extensions import db
from signals.notifications.services import link_to, queue_mail
from signals.routing.services import business_calendar
from signals.scheduler.models import ManagerDigest
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.wording import counted
from signals.workflow.inbox import owner_branches
from signals.workflow.models import Signal
from signals.workflow.signal_lists import overdue_clause

LISTED = 50  # the digest lists at most this many; the inbox has the rest


def in_digest_hours(moment: datetime) -> bool:
    """A working day, between the digest hour and the end of office hours (local time)."""
    calendar = business_calendar()
    local = moment.astimezone(calendar.zone)
    start, end = settings().digest_hour, settings().office_hours_end
    return calendar.is_working_day(local.date()) and start <= local.hour < end


def send_digests(moment: datetime) -> int:
    """Write today's digest for every manager who has none yet; how many mails went out."""
    if not in_digest_hours(moment):
        return 0
    day = business_calendar().local_date(moment)
    waiting = select(User).where(
        User.role == Role.MANAGER,
        User.active.is_(True),
        ~exists().where(and_(ManagerDigest.user_id == User.id, ManagerDigest.day == day)),
    )
    managers = list(db.session.scalars(waiting.order_by(User.id)))
    sent = 0
    for manager in managers:
        try:
            with unit_of_work():
                sent += _digest_for(manager, day, moment)
        except IntegrityError:  # another scheduler wrote this manager's day first
            continue
    return sent


def _digest_for(manager: User, day: date, moment: datetime) -> int:
    late = and_(or_(*owner_branches(manager)), overdue_clause(moment))
    total = db.session.scalar(select(func.count()).select_from(Signal).where(late)) or 0
    db.session.add(ManagerDigest(user_id=manager.id, day=day, items=total, created_at=moment))
    db.session.flush()  # the unique row first: a second writer fails here, before any mail
    if not total:
        return 0
    listed = list(
        db.session.scalars(
            select(Signal).where(late).order_by(Signal.feedback_due, Signal.id).limit(LISTED)
        )
    )
    queue_mail(
        "digest",
        manager.email,
        {"signals": counted(total, "signaal", "signalen")},
        manager=manager,
        signals=listed,
        total=total,
        now=moment,
        url=link_to("web.inbox", overdue="true"),
    )
    return 1
