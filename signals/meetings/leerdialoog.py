"""The leerdialoog: learning from one finished case, with fixed roles and a timeline.

Its rules (the Leerdialoog report, §4.2): one gespreksleider, one casusinbrenger, one
notulist, a verdiepingspanel and optionally an organisator, one role per person; the
casusinbrenger is the professional most involved in the case, never a teamleider; at least one
panel member was not involved in the case (the outside view); managers listen and hold back
(a warning, not a refusal). A week before, every role holder gets their instructions
(:func:`prepare_due_meetings`, in every sweep); the casusinbrenger fills in the timeline.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from signals.auth.models import Role as UserRole
from signals.auth.models import User
from signals.auth.services import user_by_email
from signals.errors import Forbidden, InputInvalid, StateConflict
from signals.extensions import db
from signals.meetings.models import (
    Meeting,
    MeetingKind,
    MeetingRole,
    MeetingStatus,
    Role,
    TimelineEntry,
)
from signals.meetings.schemas import ROLE_LABELS, RolesSchema, TimelineSchema
from signals.meetings.services import (
    OWNERS_ONLY,
    get_visible_meeting,
    is_meeting_owner,
    meeting_url,
    record,
)
from signals.notifications.services import queue_mail
from signals.transaction import unit_of_work
from signals.validation import load
from signals.workflow.models import Signal, SignalEvent

PREPARATION = timedelta(days=7)
SETTLED = relativedelta(months=3)  # a case is best discussed when closed this long
ONE_EACH = (Role.GESPREKSLEIDER, Role.CASUSINBRENGER, Role.NOTULIST)
NOT_A_LEERDIALOOG = "Rollen en een tijdlijn horen bij een leerdialoog."
CASUSINBRENGER_NOT_A_LEAD = (
    "De casusinbrenger is de professional die het langst en het meest bij de casus betrokken "
    "was, nooit een teamleider."
)
OUTSIDE_VIEW = (
    "Neem minstens één niet-betrokken professional op in het verdiepingspanel: die brengt het "
    "buitenperspectief."
)
INSTRUCTIONS = {
    Role.GESPREKSLEIDER: (
        "U leidt het gesprek langs de stappen van het draaiboek: check-in, de casus langs de "
        "tijdlijn, de vragenronde, dominante opvattingen en waarden, cruciale momenten, lessen "
        "en afronding. Stem vooraf kort af met de casusinbrenger over gevoeligheden."
    ),
    Role.CASUSINBRENGER: (
        "U brengt de casus in langs de tijdlijn. Vul de tijdlijn op de pagina van het overleg in "
        "(datum, gebeurtenis, betrokken partijen of afdelingen) en stem kort af met de "
        "gespreksleider over gevoeligheden."
    ),
    Role.VERDIEPINGSPANEL: (
        "U stelt in de vragenronde verdiepende vragen: naar het waarom achter keuzes, niet naar "
        "een oplossing. Lees de casus en de tijdlijn vooraf."
    ),
    Role.NOTULIST: (
        "U legt vast: de dominante opvattingen, de onderliggende waarden, de cruciale momenten "
        "en de lessen voor preventief handelen, en de actiepunten met eigenaar, datum en "
        "terugkoppelmoment."
    ),
    Role.ORGANISATOR: (
        "U zorgt voor de ruimte (zitten en staan, de tijdlijn aan de muur), de uitnodigingen en "
        "de opvolging van de actiepunten."
    ),
}


def check_roles(case: Signal | None, roles: list[tuple[User, Role]]) -> dict[str, list[str]]:
    """The §4.2 rules that refuse: their Dutch messages per field (empty: all is well)."""
    problems: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, (person, role) in enumerate(roles):
        if person.id in seen:
            problems[f"roles.{index}.person"] = ["Iedereen heeft één rol in een leerdialoog."]
        seen.add(person.id)
        if role == Role.CASUSINBRENGER and person.role in (UserRole.MANAGER, UserRole.ADMIN):
            problems[f"roles.{index}.person"] = [CASUSINBRENGER_NOT_A_LEAD]
    overall: list[str] = []
    for role in ONE_EACH:
        count = sum(1 for _, given in roles if given == role)
        if count != 1:
            overall.append(f"Een leerdialoog heeft precies één {ROLE_LABELS[role].lower()}.")
    panel = [person for person, role in roles if role == Role.VERDIEPINGSPANEL]
    if not panel:
        overall.append("Een leerdialoog heeft een verdiepingspanel.")
    elif case is not None and all(person.id in involved_in(case) for person in panel):
        overall.append(OUTSIDE_VIEW)
    if overall:
        problems["roles"] = overall
    return problems


def warnings(meeting: Meeting) -> list[str]:
    """What the leerdialoog advises against, said but not refused."""
    if meeting.kind != MeetingKind.LEERDIALOOG:
        return []
    said: list[str] = []
    case = meeting.case_signal
    if case is not None and case.resolved_at is not None:
        if case.resolved_at + SETTLED > meeting.starts_at:
            said.append(
                "De casus is minder dan drie maanden afgerond: een leerdialoog werkt het best "
                "als de casus wat verder achter de deelnemers ligt."
            )
    for given in meeting.roles:
        if given.person.role == UserRole.MANAGER and given.role != Role.VERDIEPINGSPANEL:
            said.append(
                f"{given.person.name} is leidinggevende: in een leerdialoog luisteren "
                "leidinggevenden en houden zij zich terug."
            )
    return said


def involved_in(case: Signal) -> set[int]:
    """The people involved in the case: its reporter, its owner and whoever acted on it."""
    actors = (
        select(SignalEvent.actor_id)
        .where(SignalEvent.signal_id == case.id, SignalEvent.actor_id.is_not(None))
        .distinct()
    )
    people: set[int] = set(db.session.scalars(actors))
    if case.reporter_id is not None:
        people.add(case.reporter_id)
    if case.owner_user_id is not None:
        people.add(case.owner_user_id)
    return people


def set_roles(actor: User, meeting_id: int, data: Mapping[str, Any]) -> Meeting:
    """Give the leerdialoog its roles (all at once); the rules of §4.2 are checked."""
    meeting = _planned_leerdialoog(actor, meeting_id)
    if not is_meeting_owner(actor, meeting):
        raise Forbidden(OWNERS_ONLY)
    fields = load(RolesSchema(), data)
    roles = [
        (_person(index, given["person"]), Role(given["role"]))
        for index, given in enumerate(fields["roles"])
    ]
    problems = check_roles(meeting.case_signal, roles)
    if problems:
        raise InputInvalid(problems)
    with unit_of_work():
        meeting.roles.clear()
        db.session.flush()
        for person, role in roles:
            meeting.roles.append(MeetingRole(person=person, role=role))
        record(meeting, "roles_set", actor, roles=[[p.email, r.value] for p, r in roles])
    return meeting


def set_timeline(actor: User, meeting_id: int, data: Mapping[str, Any]) -> Meeting:
    """The casusinbrenger (or an owner) writes the case's timeline, all entries at once."""
    meeting = _planned_leerdialoog(actor, meeting_id)
    brings_the_case = any(
        given.user_id == actor.id and given.role == Role.CASUSINBRENGER for given in meeting.roles
    )
    if not (brings_the_case or is_meeting_owner(actor, meeting)):
        raise Forbidden("Alleen de casusinbrenger of de organisatie vult de tijdlijn in.")
    fields = load(TimelineSchema(), data)
    with unit_of_work():
        meeting.timeline.clear()
        db.session.flush()
        for entry in sorted(fields["entries"], key=lambda entry: entry["date"]):
            meeting.timeline.append(
                TimelineEntry(
                    day=entry["date"], event=entry["event"], parties=entry.get("parties", "")
                )
            )
        record(meeting, "timeline_set", actor, entries=len(fields["entries"]))
    return meeting


def prepare_due_meetings(moment: datetime) -> int:
    """Send the role instructions of every leerdialoog that starts within a week; once each."""
    query = select(Meeting.id).where(
        Meeting.kind == MeetingKind.LEERDIALOOG,
        Meeting.status == MeetingStatus.PLANNED,
        Meeting.prepared_at.is_(None),
        Meeting.starts_at <= moment + PREPARATION,
        Meeting.starts_at > moment,
    )
    prepared = 0
    for meeting_id in list(db.session.scalars(query)):
        with unit_of_work():
            meeting = db.session.scalar(
                select(Meeting).where(Meeting.id == meeting_id).with_for_update(of=Meeting)
            )
            if meeting is None or meeting.prepared_at is not None or not meeting.roles:
                continue
            meeting.prepared_at = moment
            for given in meeting.roles:
                queue_mail(
                    "meeting_preparation",
                    given.person.email,
                    {"title": meeting.title},
                    meeting=meeting,
                    person=given.person,
                    role=ROLE_LABELS[Role(given.role)],
                    instructions=INSTRUCTIONS[Role(given.role)],
                    url=meeting_url(meeting.id),
                )
            record(meeting, "prepared", None, roles=len(meeting.roles))
            prepared += 1
    return prepared


def _planned_leerdialoog(actor: User, meeting_id: int) -> Meeting:
    meeting = get_visible_meeting(actor, meeting_id, for_update=True)
    if meeting.kind != MeetingKind.LEERDIALOOG:
        raise StateConflict(NOT_A_LEERDIALOOG)
    if not meeting.is_planned:
        raise StateConflict("Deze leerdialoog is al gehouden.")
    return meeting


def _person(index: int, email: str) -> User:
    person = user_by_email(email)
    if person is None or not person.active:
        raise InputInvalid(
            {f"roles.{index}.person": ["Er is geen actieve gebruiker met dit e-mailadres."]}
        )
    return person
