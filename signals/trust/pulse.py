"""Opening the trust pulse's rounds: the sweep's part, on a pulse month's first working day.

In each month of ``SIGNALS_TRUST_PULSE_MONTHS`` (March and September by default) the sweep
opens the month's round on its first working day, in office hours (the digest's hours,
:func:`signals.scheduler.digest.in_digest_hours`), and invites every active professional and
manager (the people who report signals; node-group members and administrators are not
asked): one invitation with a token of its own and one e-mail each. A round is open four
weeks. A day without any sweep in office hours is a round missed: a round never opens late,
so every round measures the same moment of the half year.

The round's row is unique per month and written first: a second sweep, or a second
scheduler, that tries to open the same round fails on it before it invites anyone. The
invitations and their e-mails are written in batches of :data:`BATCH` people, one
transaction each (the first one with the round's row): a municipality has thousands of
professionals, and one transaction for all of them would hold SQLite's only write lock for
as long as the rendering of thousands of e-mails takes. Each invitation is written with its
e-mail, so nobody is invited without a mail or mailed twice; a sweep stopped between batches
leaves the others to the next sweep of that day, which invites whoever is not invited yet.
"""

import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from signals.auth.models import Role, User
from signals.extensions import db
from signals.notifications.services import link_to, queue_mail
from signals.routing.services import business_calendar
from signals.scheduler.digest import in_digest_hours
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.trust.models import PulseInvitation, PulseRound
from signals.trust.services import token_hash
from signals.wording import calendar_month

BATCH = 500
OPEN_FOR = timedelta(weeks=4)
INVITED_ROLES = (Role.PROFESSIONAL.value, Role.MANAGER.value)


def first_working_day(day: date) -> date:
    """The first working day of the month ``day`` is in."""
    calendar = business_calendar()
    first = day.replace(day=1)
    while not calendar.is_working_day(first):
        first += timedelta(days=1)
    return first


def due_round(moment: datetime) -> date | None:
    """The month (its first day) whose round is due at ``moment``, or None."""
    months = settings().trust_pulse_months
    if not months or not in_digest_hours(moment):
        return None
    today = business_calendar().local_date(moment)
    if today.month not in months or today != first_working_day(today):
        return None
    return today.replace(day=1)


def open_pulse_round(moment: datetime) -> int:
    """Open the round due at ``moment`` and invite whoever is not invited yet; how many were."""
    month = due_round(moment)
    if month is None:
        return 0
    round_id = db.session.scalar(select(PulseRound.id).where(PulseRound.month == month))
    invited = 0
    try:
        while True:
            with unit_of_work():
                if round_id is None:
                    round_id = _new_round(month, moment)
                batch = _invite_batch(round_id)
            invited += batch
            if batch < BATCH:
                return invited
    except IntegrityError:  # another scheduler opened this round, or invited these people, first
        return invited


def _new_round(month: date, moment: datetime) -> int:
    # Four weeks later at the same local time, also across a change to or from summer time.
    local_close = moment.astimezone(business_calendar().zone) + OPEN_FOR
    pulse_round = PulseRound(month=month, opened_at=moment, closes_at=local_close.astimezone(UTC))
    db.session.add(pulse_round)
    db.session.flush()  # the unique row first: a second writer fails here, before any mail
    return pulse_round.id


def _invite_batch(round_id: int) -> int:
    """Invite (and mail) the next :data:`BATCH` people without an invitation; how many."""
    pulse_round = db.session.get_one(PulseRound, round_id)
    invited = exists().where(
        PulseInvitation.round_id == round_id, PulseInvitation.user_id == User.id
    )
    people = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(INVITED_ROLES), ~invited)
        .order_by(User.id)
        .limit(BATCH)
    ).all()
    for person in people:
        _invite(pulse_round, person)
    db.session.flush()  # a person invited meanwhile by another writer fails here
    return len(people)


def _invite(pulse_round: PulseRound, person: User) -> None:
    token = secrets.token_urlsafe(32)
    db.session.add(
        PulseInvitation(round_id=pulse_round.id, user_id=person.id, token_hash=token_hash(token))
    )
    queue_mail(
        "trust_pulse",
        person.email,
        {"month": calendar_month(pulse_round.month)},
        person=person,
        month=calendar_month(pulse_round.month),
        closes_at=pulse_round.closes_at,
        url=link_to("trust.answer_pulse", token=token),
    )
