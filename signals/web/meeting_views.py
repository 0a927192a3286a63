"""Pages for meetings: the list of a person's meetings and one meeting's agenda and outcome."""

from typing import Any

from flask import Blueprint, render_template

from signals.meetings import services
from signals.meetings.models import Meeting
from signals.web.pages import current_person
from signals.workflow.access import fully_visible_references

bp = Blueprint("meetings", __name__)


@bp.get("/overleggen")
def list_meetings() -> str:
    user = current_person()
    return render_template(
        "web/meetings.html",
        meetings=services.list_meetings(user),
        action_items=services.open_action_items_for(user),
        kind_label=services.kind_label,
    )


@bp.get("/overleggen/<int:meeting_id>")
def show_meeting(meeting_id: int) -> str:
    user = current_person()
    meeting = services.get_visible_meeting(user, meeting_id)
    return render_template(
        "web/meeting.html",
        meeting=meeting,
        kind_label=services.kind_label,
        visible=_visible_references(user, meeting),
        is_owner=services.is_meeting_owner(user, meeting),
    )


def _visible_references(user: Any, meeting: Meeting) -> set[str]:
    """The signals on the agenda whose title this person may read."""
    references = [item.signal.reference for item in meeting.items if item.signal is not None]
    return fully_visible_references(user, references)
