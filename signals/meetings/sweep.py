"""Action items run like clocks.

A reminder before the due date, one overdue record after it, and at the terugkoppelmoment a
request to report back and a place on the next meeting's agenda.

Moments are in the municipality's time zone: the reminder at 8:00 some working days before
the due date (``SIGNALS_REMINDER_WORKING_DAYS``), overdue from the first moment of the day
after the due date, the terugkoppelmoment at 8:00 on its date. ``next_work_at`` holds the
earliest moment still to come, so the sweep reads only items with work; each piece of work
is recorded on the item, so a sweep never does it twice.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from signals.extensions import db
from signals.meetings.models import ActionItem, ActionStatus, AgendaItem, Meeting, MeetingStatus
from signals.routing.services import business_calendar
from signals.settings import settings
from signals.transaction import unit_of_work

OFFICE_MORNING = time(8, 0)
BATCH = 200


def reminder_moment(item: ActionItem) -> datetime:
    calendar = business_calendar()
    due_end = _local(item.due, time(23, 59, 59))
    return calendar.working_days_before(due_end, settings().reminder_working_days)


def overdue_moment(item: ActionItem) -> datetime:
    return _local(item.due + timedelta(days=1), time(0, 0))


def feedback_moment(item: ActionItem) -> datetime:
    return _local(item.feedback_on, OFFICE_MORNING)


def schedule(item: ActionItem) -> None:
    """Set ``next_work_at``: the first of the item's moments whose work is not yet done."""
    if not item.is_open:
        item.next_work_at = None
        return
    moments = []
    if item.reminded_at is None and item.overdue_at is None:
        moments.append(reminder_moment(item))
    if item.overdue_at is None:
        moments.append(overdue_moment(item))
    if item.feedback_asked_at is None:
        moments.append(feedback_moment(item))
    item.next_work_at = min(moments) if moments else None


def waiting_to_come_back(node: str) -> list[ActionItem]:
    """Open items of ``node``'s meetings asked to report back, not on a planned agenda yet."""
    on_a_planned_agenda = (
        select(AgendaItem.action_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.action_item_id.is_not(None), Meeting.status == MeetingStatus.PLANNED)
    )
    query = (
        select(ActionItem)
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(Meeting.node == node, ActionItem.status == ActionStatus.OPEN)
        .where(ActionItem.feedback_asked_at.is_not(None))
        .where(ActionItem.id.not_in(on_a_planned_agenda))
        .order_by(ActionItem.id)
    )
    return list(db.session.scalars(query))


def run_action_items(moment: datetime) -> Counter[str]:
    """Do every action item's work that is due at ``moment``; counts per kind of work."""
    done: Counter[str] = Counter()
    passed: list[int] = []
    while True:
        query = (
            select(ActionItem.id)
            .where(ActionItem.next_work_at <= moment, ActionItem.id.not_in(passed))
            .order_by(ActionItem.next_work_at, ActionItem.id)
            .limit(BATCH)
        )
        ids = list(db.session.scalars(query))
        if not ids:
            return done
        for item_id in ids:
            with unit_of_work():
                locked = select(ActionItem).where(ActionItem.id == item_id)
                item = db.session.scalar(locked.with_for_update(of=ActionItem))
                if item is not None and item.next_work_at is not None:
                    done.update(_work_on(item, moment))
            passed.append(item_id)


def _work_on(item: ActionItem, moment: datetime) -> list[str]:
    from signals.meetings import notices  # notices use the services, which use this module

    work: list[str] = []
    if item.overdue_at is None and moment >= overdue_moment(item):
        item.overdue_at = moment
        notices.overdue(item)
        work.append("action_item_overdue")
    elif item.reminded_at is None and item.overdue_at is None and moment >= reminder_moment(item):
        item.reminded_at = moment
        notices.reminder(item)
        work.append("action_item_reminder")
    if item.feedback_asked_at is None and moment >= feedback_moment(item):
        item.feedback_asked_at = moment
        notices.feedback_asked(item, moment)
        work.append("action_item_feedback")
    schedule(item)
    return work


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=business_calendar().zone).astimezone(UTC)
