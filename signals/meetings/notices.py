"""What the action-item clocks tell people: reminders, overdue, and the request to report back.

Called by :mod:`signals.meetings.sweep` inside its transaction for the item; each notice
records its event in the meeting's history and writes its e-mails to the outbox.
"""

from datetime import datetime
from typing import Any

from signals.meetings.models import ActionItem
from signals.meetings.services import bring_back, meeting_url, next_meeting_at, record
from signals.notifications.services import queue_mail
from signals.ownership.services import owner_people


def reminder(item: ActionItem) -> None:
    record(item.meeting, "action_item_reminder", None, action_item=item)
    _to_owners(item, "action_item_reminder")


def overdue(item: ActionItem) -> None:
    record(item.meeting, "action_item_overdue", None, action_item=item, due=item.due.isoformat())
    _to_owners(item, "action_item_overdue", with_chair=True)


def feedback_asked(item: ActionItem, moment: datetime) -> None:
    """Ask owner and chair to report back; the item joins the node's next planned meeting."""
    meeting = next_meeting_at(item.meeting.node, moment)
    if meeting is not None:
        bring_back(item, meeting, moment)
    record(
        item.meeting,
        "action_item_feedback_asked",
        None,
        action_item=item,
        next_meeting=meeting.id if meeting is not None else None,
    )
    _to_owners(item, "action_item_feedback", with_chair=True, next_meeting=meeting)


def _to_owners(item: ActionItem, kind: str, *, with_chair: bool = False, **context: Any) -> None:
    people = {person.id: person for person in owner_people(item.owner)}
    if with_chair:
        people.setdefault(item.meeting.chair.id, item.meeting.chair)
    for person in people.values():
        queue_mail(
            kind,
            person.email,
            {"title": item.meeting.title},
            item=item,
            meeting=item.meeting,
            person=person,
            url=meeting_url(item.meeting.id),
            **context,
        )
