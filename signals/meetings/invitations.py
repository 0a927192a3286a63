"""Calendar invitations for meetings.

An iCalendar document made with the icalendar library, sent to the table's members as an
attachment when a meeting is planned.
"""

from datetime import timedelta
from email.utils import parseaddr

from icalendar import Calendar, Event, vCalAddress, vText

from signals.clock import now
from signals.meetings.models import Meeting, MeetingKind
from signals.notifications.services import queue_mail
from signals.ownership.models import Owner
from signals.ownership.services import owner_people
from signals.routing.services import active_graph
from signals.settings import settings
from signals.wording import calendar_day

# How long a meeting takes: a leerdialoog about one case 1.5 hours (the Leerdialoog report),
# any other meeting an hour.
DURATION = {MeetingKind.LEERDIALOOG: timedelta(minutes=90)}
DEFAULT_DURATION = timedelta(hours=1)


def calendar_for(meeting: Meeting, url: str) -> str:
    """The meeting as an iCalendar REQUEST: one event with its time, title, chair and link."""
    domain = parseaddr(settings().mail_from)[1].rpartition("@")[2] or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Signalen knellende mechanismen//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"overleg-{meeting.id}@{domain}")
    event.add("dtstamp", now())
    event.add("dtstart", meeting.starts_at)
    event.add(
        "dtend", meeting.starts_at + DURATION.get(MeetingKind(meeting.kind), DEFAULT_DURATION)
    )
    event.add("summary", meeting.title)
    event.add("description", f"Agenda en verslag: {url}")
    event.add("url", url)
    organizer = vCalAddress(f"mailto:{meeting.chair.email}")
    organizer.params["cn"] = vText(meeting.chair.name)
    event["organizer"] = organizer
    calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document.decode()


def invite_the_table(meeting: Meeting, url: str) -> None:
    """The planned meeting, with its invitation, to every member of its node's group."""
    node = active_graph().nodes.get(meeting.node)
    if node is None:
        return
    people = {
        person.id: person for person in owner_people(Owner(user=None, group=node.owner.group))
    }
    people.setdefault(meeting.chair.id, meeting.chair)
    invitation = calendar_for(meeting, url)
    day = calendar_day(meeting.starts_at.astimezone(settings().zone).date())
    for person in people.values():
        queue_mail(
            "meeting_invitation",
            person.email,
            {"title": meeting.title, "day": day},
            calendar=invitation,
            meeting=meeting,
            person=person,
            table=node.label,
            url=url,
        )
