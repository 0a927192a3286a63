"""The scheduler's sweep: reminders, breaches, escalation, pause, status updates and after-care.

Every test drives the real sweep (:func:`signals.scheduler.jobs.sweep`, or
:func:`signals.scheduler.clock_sweep.run_clock_work`) with an injected moment on the real
database, and reads what it did from the event log and the outbox. Dates are worked out by
hand from the Amsterdam route file (teamleider: accept 2, feedback 10, update 20 working
days) and checked against :mod:`signals.calendar` where the exact figure matters. The
fixtures start on Monday 23 November 2026, 10:00 in Amsterdam (09:00 UTC).
"""

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPICursor

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.figures.rollups import refresh_monthly_figures
from signals.notifications.models import OutboxMessage
from signals.routing.services import business_calendar
from signals.scheduler.clock_sweep import run_clock_work
from signals.scheduler.jobs import sweep
from signals.scheduler.models import ManagerDigest
from signals.workflow.inbox import inbox_page
from signals.workflow.models import Signal, SignalEvent, SignalStatus
from signals.workflow.services import (
    accept_signal,
    give_feedback,
    reply_to_question,
    request_info,
    resolve_signal,
    submit_signal,
)
from tests.fixtures.app import START
from tests.helpers import RESOLUTION, Login, MakeUser, fresh

# A deadline is the last second of its day; it is breached once that second has passed.
SECOND = timedelta(seconds=1)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NO_SMTP = "e-mail: SIGNALS_SMTP_HOST niet ingesteld, outbox blijft staan"
CLOCK_EVENTS = ("reminder_sent", "deadline_breached", "escalated_overdue", "status_update_sent")


# Helpers -------------------------------------------------------------------------------------


def local(day: date, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    """``day`` at the given Amsterdam wall-clock time, in UTC."""
    moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=AMSTERDAM)
    return moment.astimezone(UTC)


def events(signal: Signal, *types: str) -> list[SignalEvent]:
    db.session.expire_all()
    query = select(SignalEvent).where(SignalEvent.signal_id == signal.id)
    if types:
        query = query.where(SignalEvent.type.in_(types))
    return list(db.session.scalars(query.order_by(SignalEvent.id)))


def mails(kind: str, recipient: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == kind)
    if recipient is not None:
        query = query.where(OutboxMessage.recipient == recipient)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def recipients(kind: str) -> Counter[str]:
    return Counter(mail.recipient for mail in mails(kind))


def everything() -> tuple[Any, ...]:
    """Every event, every e-mail and every signal's clock state: to show a sweep did nothing."""
    db.session.expire_all()
    all_events = db.session.execute(
        select(SignalEvent.signal_id, SignalEvent.type, SignalEvent.at).order_by(SignalEvent.id)
    ).all()
    outbox = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.recipient).order_by(OutboxMessage.id)
    ).all()
    signals = db.session.execute(
        select(
            Signal.id,
            Signal.status,
            Signal.node,
            Signal.node_visit,
            Signal.accept_due,
            Signal.feedback_due,
            Signal.update_due,
            Signal.next_clock_at,
            Signal.version,
        ).order_by(Signal.id)
    ).all()
    return tuple(all_events), tuple(outbox), tuple(signals)


def late_in_inbox(user: User, moment: datetime) -> list[str]:
    """The references ``user``'s inbox lists as late at ``moment``."""
    db.session.expire_all()
    page = inbox_page(user, {"overdue": "true"}, moment)
    return [signal.reference for signal in page.signals]


def clock_work_lines(lines: list[str]) -> list[str]:
    """The sweep's lines about clock work (not about e-mail, digests or monthly figures)."""
    return [
        line for line in lines if not line.startswith(("e-mail:", "overzichten", "maandcijfers"))
    ]


def working_days(first: date, last: date) -> list[date]:
    calendar = business_calendar()
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    return [day for day in days if calendar.is_working_day(day)]


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block."""
    seen: list[str] = []

    def record(_conn: Connection, _cursor: DBAPICursor, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# Days of the first month (Monday 23 November 2026 is day one) --------------------------------

MON_23_NOV = date(2026, 11, 23)
WED_25_NOV = date(2026, 11, 25)
THU_26_NOV = date(2026, 11, 26)
FRI_27_NOV = date(2026, 11, 27)
SAT_28_NOV = date(2026, 11, 28)
TUE_1_DEC = date(2026, 12, 1)
THU_3_DEC = date(2026, 12, 3)
FRI_4_DEC = date(2026, 12, 4)
MON_7_DEC = date(2026, 12, 7)
TUE_8_DEC = date(2026, 12, 8)
MON_21_DEC = date(2026, 12, 21)
TUE_22_DEC = date(2026, 12, 22)


# The people and signals ----------------------------------------------------------------------


@pytest.fixture
def signal(clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]) -> Signal:
    """A new signal by ``reporter`` at the teamleider node, owned by their manager."""
    return submit_signal(reporter, signal_data)


@pytest.fixture
def accepted(signal: Signal, manager: User) -> Signal:
    """``signal`` accepted by its owner at once (the accept clock is satisfied)."""
    return accept_signal(manager, signal.reference, {})


@pytest.fixture
def chain(make_user: MakeUser) -> tuple[User, User, User]:
    """A department head, the teamleider who reports to them, and a consultant of that team."""
    head = make_user("manager", name="Bram Afdelingshoofd")
    lead = make_user("manager", manager=head, name="Lieke Teamleider")
    consultant = make_user("professional", manager=lead, name="Rik Consulent")
    return head, lead, consultant


# 1. Reminders ----------------------------------------------------------------------------------


def test_a_reminder_before_the_feedback_deadline_goes_once(accepted: Signal, manager: User) -> None:
    stored = fresh(accepted)
    feedback_due = local(MON_7_DEC, 23, 59, 59)  # 10 working days after Monday 23 November
    remind_at = local(THU_3_DEC, 8)  # two working days before, at the start of the day
    assert stored.feedback_due == feedback_due
    assert stored.next_clock_at == remind_at

    assert clock_work_lines(sweep(remind_at - timedelta(seconds=1))) == []
    assert events(accepted, "reminder_sent") == []

    assert clock_work_lines(sweep(remind_at)) == ["herinneringen: 1"]

    [reminder] = events(accepted, "reminder_sent")
    assert reminder.actor_id is None
    assert reminder.at == remind_at
    assert {key: reminder.data[key] for key in ("clock", "node", "visit")} == {
        "clock": "feedback",
        "node": "teamleider",
        "visit": 1,
    }
    assert datetime.fromisoformat(reminder.data["due"]) == feedback_due
    [mail] = mails("deadline_reminder")
    assert mail.recipient == manager.email
    assert mail.signal_id == accepted.id
    assert mail.subject == f"[{accepted.reference}] Herinnering: een termijn loopt bijna af"
    assert "eerste terugkoppeling aan de melder" in mail.body_text
    assert "uiterlijk 7 december 2026" in mail.body_text
    # What is left for this clock is the breach itself.
    assert fresh(accepted).next_clock_at == feedback_due + SECOND  # the breach

    done = everything()
    sweep(remind_at)
    sweep(local(FRI_4_DEC, 12))
    sweep(local(MON_7_DEC, 23, 59, 58))
    assert everything() == done


def test_no_accept_reminder_when_it_would_fall_before_the_signal_arrived(
    signal: Signal, manager: User
) -> None:
    stored = fresh(signal)
    accept_due = local(WED_25_NOV, 23, 59, 59)
    assert stored.accept_due == accept_due
    # Two working days before Wednesday is Monday 08:00, before the signal came in at 10:00.
    remind_at = business_calendar().working_days_before(accept_due, 2)
    assert remind_at == local(MON_23_NOV, 8) < stored.node_entered_at
    assert stored.next_clock_at == accept_due + SECOND

    for moment in (local(MON_23_NOV, 12), local(date(2026, 11, 24), 9), accept_due):
        sweep(moment - timedelta(seconds=1))

    assert events(signal, "reminder_sent") == []
    assert mails("deadline_reminder") == []


def test_an_accept_reminder_goes_when_the_signal_arrived_before_it(
    clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    clock.set(local(MON_23_NOV, 7))  # before the office opens: Monday 08:00 is still ahead
    early = submit_signal(reporter, signal_data)
    assert fresh(early).next_clock_at == local(MON_23_NOV, 8)

    assert clock_work_lines(sweep(local(MON_23_NOV, 8))) == ["herinneringen: 1"]

    [reminder] = events(early, "reminder_sent")
    assert (reminder.data["clock"], reminder.data["visit"]) == ("accept", 1)
    [mail] = mails("deadline_reminder")
    assert mail.recipient == manager.email
    assert "in behandeling nemen" in mail.body_text
    assert fresh(early).next_clock_at == local(WED_25_NOV, 23, 59, 59) + SECOND


# 2. Breach and escalation ----------------------------------------------------------------------


def test_an_accept_breach_is_recorded_once_mailed_and_escalated(
    clock: Clock,
    make_user: MakeUser,
    chain: tuple[User, User, User],
    signal_data: dict[str, Any],
) -> None:
    head, lead, consultant = chain
    members = [make_user("member", groups=["casuistiek"]) for _ in range(2)]
    group_manager = make_user("manager", groups=["casuistiek"], name="Gert Casuistiek")
    breached = submit_signal(consultant, signal_data)
    accept_due = local(WED_25_NOV, 23, 59, 59)
    assert fresh(breached).accept_due == accept_due
    assert fresh(breached).owner_user_id == lead.id

    assert clock_work_lines(sweep(accept_due - timedelta(seconds=1))) == []
    assert events(breached, "deadline_breached") == []

    moment = local(THU_26_NOV, 9)
    assert clock_work_lines(sweep(moment)) == [
        "termijnoverschrijdingen: 1",
        "automatisch doorgezette signalen: 1",
    ]

    breach, escalation = events(breached, "deadline_breached", "escalated_overdue")
    assert breach.type == "deadline_breached"
    assert breach.actor_id is None
    assert {key: breach.data[key] for key in ("clock", "node", "visit")} == {
        "clock": "accept",
        "node": "teamleider",
        "visit": 1,
    }
    assert datetime.fromisoformat(breach.data["due"]) == accept_due
    assert escalation.type == "escalated_overdue"
    assert escalation.actor_id is None
    assert escalation.data == {"from": "teamleider", "to": "casuistiek", "clock": "accept"}

    # The owner and the owner's own manager; the lead, who may not open the signal, reads
    # neither its title nor its reference, and is not sent to a page they cannot open.
    owner_mail, lead_mail = mails("deadline_breached")
    assert (owner_mail.recipient, lead_mail.recipient) == (lead.email, head.email)
    assert breached.title in owner_mail.subject
    assert breached.title in owner_mail.body_text
    assert lead_mail.subject == "Termijn verstreken bij een signaal in uw lijn"
    for part in (lead_mail.subject, lead_mail.body_text, lead_mail.body_html):
        assert breached.title not in part and breached.reference not in part
    assert "als leidinggevende" in lead_mail.body_text
    assert "waarvoor Lieke Teamleider verantwoordelijk is" in lead_mail.body_text
    assert "Naar Signalen knellende mechanismen: http://signalen.test/\n" in lead_mail.body_text
    assert "uiterlijk 25 november 2026" in lead_mail.body_text

    # The escalation: new owners hear of it, and so does the reporter.
    escalated_to = [
        mail for mail in mails("new_signal") if "automatisch aan u voorgelegd" in mail.body_text
    ]
    assert Counter(mail.recipient for mail in escalated_to) == Counter(
        {user.email: 1 for user in [*members, group_manager]}
    )
    [forwarded] = mails("forwarded", consultant.email)
    assert "automatisch doorgestuurd" in forwarded.body_text
    assert "Multidomein casuïstiekbespreking" in forwarded.body_text

    # Fresh clocks at the new node.
    calendar = business_calendar()
    stored = fresh(breached)
    assert (stored.node, stored.status, stored.node_visit) == ("casuistiek", "new", 2)
    assert (stored.owner_user_id, stored.owner_group) == (None, "casuistiek")
    assert stored.node_entered_at == moment
    assert (
        stored.accept_due
        == calendar.add_working_days(moment, 2)
        == local(date(2026, 11, 30), 23, 59, 59)
    )
    assert stored.feedback_due == calendar.add_working_days(moment, 30)
    assert stored.accept_breached_at is None and stored.accept_reminded_at is None
    assert stored.feedback_breached_at is None and stored.feedback_reminded_at is None
    # Thursday 08:00 (the accept reminder) was before it arrived: the breach is next.
    assert stored.next_clock_at == stored.accept_due + SECOND

    # Nothing more for that visit: not at the same moment, not later.
    done = everything()
    sweep(moment)
    sweep(local(FRI_27_NOV, 12))
    sweep(local(date(2026, 11, 30), 23, 59, 58))
    assert everything() == done

    # The next visit has its own accept clock, breached once in its turn.
    assert clock_work_lines(sweep(local(TUE_1_DEC, 9))) == [
        "termijnoverschrijdingen: 1",
        "automatisch doorgezette signalen: 1",
    ]
    breaches = [
        (item.data["clock"], item.data["node"], item.data["visit"])
        for item in events(breached, "deadline_breached")
    ]
    assert breaches == [("accept", "teamleider", 1), ("accept", "casuistiek", 2)]
    assert fresh(breached).node == "doorbraakteam"
    assert fresh(breached).node_visit == 3
    # Every owner of the group is told once (a manager in the group as one of the owners).
    assert recipients("deadline_breached") == Counter(
        {lead.email: 1, head.email: 1, **{user.email: 1 for user in [*members, group_manager]}}
    )


# 3. A node without escalation ------------------------------------------------------------------


def test_a_breach_at_a_node_without_escalation_is_recorded_and_the_signal_stays(
    clock: Clock, make_user: MakeUser, reporter: User, signal_data: dict[str, Any]
) -> None:
    ombuds = make_user("member", groups=["ombudsman"], name="Olaf Ombudsman")
    kept = submit_signal(reporter, {**signal_data, "direct_node": "ombudsman"})
    assert kept.node == "ombudsman"
    moment = local(THU_26_NOV, 9)

    assert clock_work_lines(sweep(moment)) == ["termijnoverschrijdingen: 1"]

    [breach] = events(kept, "deadline_breached")
    assert (breach.data["clock"], breach.data["node"], breach.data["visit"]) == (
        "accept",
        "ombudsman",
        1,
    )
    assert events(kept, "escalated_overdue", "forwarded") == []
    assert recipients("deadline_breached") == Counter({ombuds.email: 1})
    stored = fresh(kept)
    assert (stored.node, stored.status, stored.node_visit) == ("ombudsman", "new", 1)
    assert stored.owner_group == "ombudsman"
    assert stored.accept_breached_at == moment
    assert late_in_inbox(ombuds, moment) == [kept.reference]
    # The feedback clock (15 working days) still runs: its reminder is what comes next.
    assert stored.feedback_due is not None
    assert stored.next_clock_at == business_calendar().working_days_before(stored.feedback_due, 2)

    done = everything()
    sweep(moment)
    sweep(local(FRI_27_NOV, 9))
    assert everything() == done


# 4. The pause ----------------------------------------------------------------------------------


def test_the_clocks_stand_still_while_the_reporter_is_asked_and_resume_with_the_days_back(
    clock: Clock, accepted: Signal, manager: User, reporter: User
) -> None:
    calendar = business_calendar()
    asked_at = local(MON_23_NOV, 11)
    clock.set(asked_at)
    request_info(manager, accepted.reference, {"message": "Om hoeveel huishoudens gaat het?"})
    paused = fresh(accepted)
    assert paused.status == SignalStatus.AWAITING_REPORTER
    assert paused.paused_at == asked_at
    assert paused.next_clock_at is None
    accept_due, feedback_due, update_due = paused.accept_due, paused.feedback_due, paused.update_due
    assert accept_due is not None and update_due is not None
    assert feedback_due == local(MON_7_DEC, 23, 59, 59)

    # Past the reminder, the feedback deadline and the status update: nothing happens.
    for moment in (local(THU_3_DEC, 9), local(TUE_8_DEC, 9), local(TUE_22_DEC, 8)):
        assert clock_work_lines(sweep(moment)) == []
        assert late_in_inbox(manager, moment) == []
    assert events(accepted, *CLOCK_EVENTS) == []
    assert mails("deadline_reminder") == mails("deadline_breached") == []
    assert mails("status_update") == []

    replied_at = local(TUE_22_DEC, 12)
    clock.set(replied_at)
    reply_to_question(reporter, accepted.reference, {"message": "Het gaat om twaalf gezinnen."})

    # Tuesday 24 November up to and including Tuesday 22 December: 21 working days.
    days = calendar.working_days_between(asked_at, replied_at)
    assert days == 21
    resumed = fresh(accepted)
    assert resumed.status == SignalStatus.IN_PROGRESS
    assert resumed.paused_at is None
    moved_due = resumed.feedback_due
    assert moved_due == calendar.extend(local(MON_7_DEC, 23, 59, 59), days)
    assert moved_due == local(date(2027, 1, 7), 23, 59, 59)
    assert resumed.accept_due == calendar.extend(accept_due, days)
    assert resumed.update_due == calendar.extend(update_due, days)
    remind_at = local(date(2027, 1, 5), 8)
    assert calendar.working_days_before(moved_due, 2) == remind_at
    assert resumed.next_clock_at == remind_at
    assert late_in_inbox(manager, replied_at) == []
    assert late_in_inbox(manager, local(date(2027, 1, 7), 23, 59)) == []
    assert late_in_inbox(manager, local(date(2027, 1, 8), 9)) == [accepted.reference]

    # The clocks run again, against the moved deadline.
    assert clock_work_lines(sweep(remind_at - timedelta(seconds=1))) == []
    assert clock_work_lines(sweep(remind_at)) == ["herinneringen: 1"]
    assert clock_work_lines(sweep(local(date(2027, 1, 7), 23, 59, 58))) == []
    assert clock_work_lines(sweep(local(date(2027, 1, 8), 9))) == [
        "termijnoverschrijdingen: 1",
        "automatisch doorgezette signalen: 1",
    ]
    reminder, breach = events(accepted, "reminder_sent", "deadline_breached")
    assert datetime.fromisoformat(reminder.data["due"]) == moved_due
    assert datetime.fromisoformat(breach.data["due"]) == moved_due
    assert (breach.data["clock"], breach.data["visit"]) == ("feedback", 1)


# 5. What satisfies a clock ---------------------------------------------------------------------


def test_accepting_satisfies_the_accept_clock(
    clock: Clock, accepted: Signal, reporter: User, signal_data: dict[str, Any]
) -> None:
    clock.set(START)
    untouched = submit_signal(reporter, signal_data)

    assert clock_work_lines(sweep(local(THU_26_NOV, 9))) == [
        "termijnoverschrijdingen: 1",
        "automatisch doorgezette signalen: 1",
    ]

    assert [item.type for item in events(untouched, *CLOCK_EVENTS)] == [
        "deadline_breached",
        "escalated_overdue",
    ]
    assert events(accepted, *CLOCK_EVENTS) == []
    stored = fresh(accepted)
    assert (stored.node, stored.node_visit, stored.accept_breached_at) == ("teamleider", 1, None)


def test_feedback_satisfies_the_feedback_clock(
    clock: Clock, accepted: Signal, manager: User
) -> None:
    calendar = business_calendar()
    given_at = local(date(2026, 11, 30), 10)
    clock.set(given_at)
    give_feedback(manager, accepted.reference, {"message": "We bespreken het volgende week."})
    stored = fresh(accepted)
    assert stored.feedback_sent_at == given_at
    # Only the status-update clock is left, restarted by the feedback.
    assert stored.update_due == calendar.add_working_days(given_at, 20)
    assert stored.next_clock_at == stored.update_due

    for moment in (local(THU_3_DEC, 9), local(TUE_8_DEC, 9), local(TUE_22_DEC, 9)):
        assert clock_work_lines(sweep(moment)) == []
        assert late_in_inbox(manager, moment) == []

    assert events(accepted, *CLOCK_EVENTS) == []
    assert mails("deadline_reminder") == mails("deadline_breached") == []


# 6. Status updates -----------------------------------------------------------------------------


def test_a_status_update_goes_when_nothing_reached_the_reporter_and_then_every_period(
    clock: Clock, accepted: Signal, manager: User, reporter: User
) -> None:
    calendar = business_calendar()
    give_feedback(manager, accepted.reference, {"message": "We zoeken het uit."})
    first_due = local(MON_21_DEC, 23, 59, 59)  # 20 working days after Monday 23 November
    assert fresh(accepted).update_due == first_due == fresh(accepted).next_clock_at

    assert clock_work_lines(sweep(first_due - timedelta(seconds=1))) == []
    sent_at = local(TUE_22_DEC, 9)
    assert clock_work_lines(sweep(sent_at)) == ["statusberichten aan melders: 1"]

    [update] = events(accepted, "status_update_sent")
    assert update.actor_id is None
    assert update.at == sent_at
    assert update.data == {"node": "teamleider"}
    [mail] = mails("status_update")
    assert mail.recipient == reporter.email
    assert mail.subject == f"[{accepted.reference}] Stand van zaken van uw signaal"
    next_due = calendar.add_working_days(sent_at, 20)
    assert next_due == local(date(2027, 1, 21), 23, 59, 59)
    assert fresh(accepted).update_due == next_due
    assert "uiterlijk 21 januari 2027 een nieuwe stand van zaken" in mail.body_text

    done = everything()
    sweep(sent_at)
    sweep(next_due - timedelta(seconds=1))
    assert everything() == done

    second_at = local(date(2027, 1, 22), 9)
    assert clock_work_lines(sweep(second_at)) == ["statusberichten aan melders: 1"]
    assert len(mails("status_update")) == 2
    assert fresh(accepted).update_due == calendar.add_working_days(second_at, 20)

    # Any message to the reporter restarts the clock.
    feedback_at = local(date(2027, 1, 25), 10)
    clock.set(feedback_at)
    give_feedback(manager, accepted.reference, {"message": "Het ligt nu bij de jurist."})
    restarted = calendar.add_working_days(feedback_at, 20)
    assert fresh(accepted).update_due == restarted
    assert restarted > calendar.add_working_days(second_at, 20)

    assert clock_work_lines(sweep(calendar.add_working_days(second_at, 20))) == []
    assert clock_work_lines(sweep(restarted + timedelta(seconds=1))) == [
        "statusberichten aan melders: 1"
    ]
    assert len(events(accepted, "status_update_sent")) == 3


# 7. After resolution: the survey and the follow-up ---------------------------------------------


def test_after_resolution_one_survey_to_the_reporter_and_one_followup_to_the_resolver(
    clock: Clock,
    make_user: MakeUser,
    partner_reporter: User,
    intake_member: User,
    signal_data: dict[str, Any],
) -> None:
    colleague = make_user("member", groups=["intake"], name="Kees Intake")
    closed = submit_signal(partner_reporter, signal_data)
    assert closed.owner_group == "intake"
    resolved_at = local(date(2026, 11, 24), 14)
    clock.set(resolved_at)
    resolve_signal(intake_member, closed.reference, RESOLUTION)
    assert fresh(closed).next_clock_at == resolved_at

    assert clock_work_lines(sweep(resolved_at + timedelta(minutes=1))) == [
        "vragen na afhandeling: 1"
    ]

    [survey_event] = events(closed, "survey_sent")
    assert survey_event.actor_id is None
    [mail] = mails("survey")
    assert mail.recipient == partner_reporter.email
    link = f"http://signalen.test/signalen/{closed.reference}/evaluatie"
    assert link in mail.body_text
    assert f'href="{link}"' in mail.body_html
    # Reopening is possible for 14 days after the resolution: up to 8 December.
    assert "tot en met 8 december 2026 heropenen" in mail.body_text
    followup_due = datetime(2027, 5, 24, 13, 0, tzinfo=UTC)  # six months after 24 November
    assert fresh(closed).followup_due == followup_due
    assert fresh(closed).next_clock_at == followup_due

    done = everything()
    sweep(resolved_at + timedelta(minutes=1))
    sweep(local(date(2026, 12, 8), 9))
    sweep(followup_due - timedelta(seconds=1))
    assert everything() == done

    assert clock_work_lines(sweep(followup_due)) == ["controles na zes maanden: 1"]
    [followup] = mails("followup")
    assert followup.recipient == intake_member.email  # who resolved it, not the whole group
    assert colleague.email not in recipients("followup")
    assert "Houdt de oplossing stand?" in followup.body_text
    assert len(events(closed, "followup_sent")) == 1
    # Unanswered, the question is asked once more four weeks later, and then never again.
    reminder_due = followup_due + timedelta(weeks=4)
    assert fresh(closed).next_clock_at == reminder_due
    assert clock_work_lines(sweep(reminder_due)) == [
        "herinneringen aan de controle na zes maanden: 1"
    ]
    assert [mail.recipient for mail in mails("followup_reminder")] == [intake_member.email]
    assert fresh(closed).next_clock_at is None

    done = everything()
    sweep(reminder_due)
    sweep(local(date(2027, 12, 1), 9))
    assert everything() == done


def test_the_survey_page_takes_one_score_and_refuses_bad_input_in_dutch(
    clock: Clock,
    login: Login,
    partner_reporter: User,
    intake_member: User,
    signal_data: dict[str, Any],
) -> None:
    closed = submit_signal(partner_reporter, signal_data)
    page = f"/signalen/{closed.reference}/evaluatie"
    resolve_signal(intake_member, closed.reference, RESOLUTION)
    reporter_session = login(partner_reporter)

    # Before the question has been asked, no answer is taken.
    early = reporter_session.post(page, {"score": "4"})
    assert early.status_code == 409
    assert events(closed, "survey_answered") == []

    sweep(START + timedelta(minutes=5))
    clock.set(START + timedelta(hours=2))
    form = reporter_session.get(page)
    assert form.status_code == 200
    assert 'name="score"' in form.text

    comment = "Duidelijk antwoord, maar het duurde lang."
    out_of_range = reporter_session.post(page, {"score": "9", "comment": comment})
    assert out_of_range.status_code == 422
    assert "Onbekende keuze: 9." in out_of_range.text
    assert comment in out_of_range.text
    missing = reporter_session.post(page, {"comment": comment})
    assert missing.status_code == 422
    assert "Dit veld is verplicht." in missing.text
    assert comment in missing.text
    assert events(closed, "survey_answered") == []

    owner_session = login(intake_member)
    assert owner_session.post(page, {"score": "1"}).status_code == 403

    answered = reporter_session.post(page, {"score": "4", "comment": comment})
    assert answered.status_code == 302
    [answer] = events(closed, "survey_answered")
    assert answer.actor_id == partner_reporter.id
    assert answer.data == {"score": 4, "comment": comment}
    assert "U gaf een 4" in reporter_session.get(page).text

    again = reporter_session.post(page, {"score": "1", "comment": "Toch niet goed."})
    assert again.status_code == 409
    assert "U heeft deze vraag al beantwoord" in again.text
    [still] = events(closed, "survey_answered")
    assert still.data["score"] == 4


# 8. The managers' digest -----------------------------------------------------------------------


def test_managers_get_one_digest_of_late_signals_per_working_day_in_office_hours(
    clock: Clock,
    make_user: MakeUser,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    ombuds_manager = make_user("manager", groups=["ombudsman"], name="Olga Ombudsmanager")
    idle_manager = make_user("manager", name="Ivo Zonder Achterstand")
    late = submit_signal(reporter, {**signal_data, "direct_node": "ombudsman"})
    on_time = submit_signal(reporter, signal_data)
    accept_signal(manager, on_time.reference, {})

    def digests() -> Counter[str]:
        return recipients("digest")

    # Thursday 07:00: the accept deadline has passed, but it is before the digest hour.
    early = sweep(local(THU_26_NOV, 7))
    assert clock_work_lines(early) == ["termijnoverschrijdingen: 1"]
    assert digests() == Counter()
    assert db.session.scalar(select(func.count()).select_from(ManagerDigest)) == 0

    lines = sweep(local(THU_26_NOV, 9))
    assert "overzichten aan leidinggevenden: 1" in lines
    assert digests() == Counter({ombuds_manager.email: 1})
    [mail] = mails("digest")
    assert mail.subject == "Overzicht: 1 signaal over de termijn"
    assert late.reference in mail.body_text
    assert on_time.reference not in mail.body_text
    assert "http://signalen.test/inbox?overdue=true" in mail.body_text
    rows = db.session.execute(
        select(ManagerDigest.user_id, ManagerDigest.items).where(ManagerDigest.day == THU_26_NOV)
    ).all()
    assert sorted(rows) == sorted([(manager.id, 0), (ombuds_manager.id, 1), (idle_manager.id, 0)])

    for moment in (local(THU_26_NOV, 9), local(THU_26_NOV, 17, 59)):
        assert not [line for line in sweep(moment) if line.startswith("overzichten")]
    assert digests() == Counter({ombuds_manager.email: 1})

    sweep(local(FRI_27_NOV, 9))
    assert digests() == Counter({ombuds_manager.email: 2})
    sweep(local(SAT_28_NOV, 9))
    sweep(local(date(2026, 11, 30), 7, 59))
    sweep(local(date(2026, 11, 30), 18))
    assert digests() == Counter({ombuds_manager.email: 2})
    sweep(local(date(2026, 11, 30), 17, 59))
    assert digests() == Counter({ombuds_manager.email: 3})
    assert idle_manager.email not in digests() and manager.email not in digests()


# 9. The command line, day by day ---------------------------------------------------------------

# What the sweep at 09:00 does on each working day of the month for the three signals of the
# test below (worked out from the route file; every other day does nothing):
#   untouched: breaks its accept clock at every node and goes up the escalation chain
#     teamleider (Thu 26 Nov) → casuïstiek (Tue 1 Dec) → doorbraakteam (accept 1, Thu 3 Dec)
#     → beleid (Tue 8 Dec) → bestuur, which has no escalation (breach only, Fri 11 Dec);
#   silent (accepted, no feedback): feedback reminder Thu 3 Dec, feedback breach Tue 8 Dec →
#     casuïstiek, then accept breaches Fri 11 → doorbraakteam, Tue 15 → beleid, Fri 18 →
#     bestuur, Wed 23 Dec (breach only);
#   answered (accepted, feedback at once): a status update on Tue 22 Dec.
EXPECTED_BY_DAY: dict[date, list[str]] = {
    THU_26_NOV: ["termijnoverschrijdingen: 1", "automatisch doorgezette signalen: 1"],
    TUE_1_DEC: ["termijnoverschrijdingen: 1", "automatisch doorgezette signalen: 1"],
    THU_3_DEC: [
        "termijnoverschrijdingen: 1",
        "automatisch doorgezette signalen: 1",
        "herinneringen: 1",
    ],
    TUE_8_DEC: ["termijnoverschrijdingen: 2", "automatisch doorgezette signalen: 2"],
    date(2026, 12, 11): ["termijnoverschrijdingen: 2", "automatisch doorgezette signalen: 1"],
    date(2026, 12, 15): ["termijnoverschrijdingen: 1", "automatisch doorgezette signalen: 1"],
    date(2026, 12, 18): ["termijnoverschrijdingen: 1", "automatisch doorgezette signalen: 1"],
    TUE_22_DEC: ["statusberichten aan melders: 1"],
    date(2026, 12, 23): ["termijnoverschrijdingen: 1"],
}


def event_keys() -> Counter[tuple[Any, ...]]:
    """Each clock event by what makes it unique: signal, type, clock and visit (or moment)."""
    db.session.expire_all()
    keys: Counter[tuple[Any, ...]] = Counter()
    for item in db.session.scalars(select(SignalEvent).where(SignalEvent.type.in_(CLOCK_EVENTS))):
        if item.type == "escalated_overdue":
            keys[(item.signal_id, item.type, item.data["from"], item.data["to"])] += 1
        elif item.type == "status_update_sent":
            keys[(item.signal_id, item.type, item.at)] += 1
        else:
            keys[(item.signal_id, item.type, item.data["clock"], item.data["visit"])] += 1
    return keys


def test_tick_day_by_day_for_a_month_does_each_thing_once(
    app: Flask,
    clock: Clock,
    make_user: MakeUser,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    for group in ("casuistiek", "doorbraakteam", "beleid", "bestuur"):
        make_user("member", groups=[group])
    untouched = submit_signal(reporter, {**signal_data, "title": "Nooit opgepakt"})
    silent = submit_signal(reporter, {**signal_data, "title": "Opgepakt, nooit teruggekoppeld"})
    accept_signal(manager, silent.reference, {})
    answered = submit_signal(reporter, {**signal_data, "title": "Netjes teruggekoppeld"})
    accept_signal(manager, answered.reference, {})
    give_feedback(manager, answered.reference, {"message": "We pakken het op."})
    runner = app.test_cli_runner()

    done: dict[date, list[str]] = {}
    for day in working_days(MON_23_NOV, date(2026, 12, 31)):
        moment = local(day, 9).astimezone(AMSTERDAM).isoformat()
        first = runner.invoke(args=["scheduler", "tick", "--now", moment])
        assert first.exit_code == 0, first.output
        lines = first.output.splitlines()
        assert lines[0] == f"ronde op {moment}"
        assert all(line.startswith("- ") for line in lines[1:]), lines
        assert f"- {NO_SMTP}" in lines
        work = clock_work_lines([line[2:] for line in lines[1:]])
        if work:
            done[day] = work
        counted = event_keys()

        second = runner.invoke(args=["scheduler", "tick", "--now", moment])
        assert second.exit_code == 0, second.output
        assert second.output.splitlines() == [f"ronde op {moment}", f"- {NO_SMTP}"]
        assert event_keys() == counted

    assert done == EXPECTED_BY_DAY
    keys = event_keys()
    assert set(keys.values()) == {1}, [key for key, number in keys.items() if number > 1]

    def breaches(signal: Signal) -> list[tuple[str, str, int]]:
        return [
            (item.data["clock"], item.data["node"], item.data["visit"])
            for item in events(signal, "deadline_breached")
        ]

    chain = ["teamleider", "casuistiek", "doorbraakteam", "beleid", "bestuur"]
    assert breaches(untouched) == [("accept", node, visit) for visit, node in enumerate(chain, 1)]
    assert breaches(silent) == [
        ("feedback", "teamleider", 1),
        *[("accept", node, visit) for visit, node in enumerate(chain[1:], 2)],
    ]
    assert breaches(answered) == []
    for escalated in (untouched, silent):
        hops = [
            (item.data["from"], item.data["to"]) for item in events(escalated, "escalated_overdue")
        ]
        assert hops == list(zip(chain, chain[1:], strict=False))
        assert (fresh(escalated).node, fresh(escalated).node_visit) == ("bestuur", 5)
    assert [item.data["clock"] for item in events(silent, "reminder_sent")] == ["feedback"]
    assert events(untouched, "reminder_sent", "status_update_sent") == []
    assert len(events(answered, "status_update_sent")) == 1
    assert len(mails("status_update")) == 1
    assert len(mails("deadline_reminder")) == 1


# 10. next_clock_at: a sweep reads only what is due ---------------------------------------------


def test_next_clock_at_follows_the_lifecycle(
    clock: Clock, signal: Signal, manager: User, reporter: User
) -> None:
    calendar = business_calendar()
    assert fresh(signal).next_clock_at == local(WED_25_NOV, 23, 59, 59) + SECOND  # accept breach
    accept_signal(manager, signal.reference, {})
    assert fresh(signal).next_clock_at == local(THU_3_DEC, 8)  # the feedback reminder
    request_info(manager, signal.reference, {"message": "Welke regeling precies?"})
    assert fresh(signal).next_clock_at is None  # paused
    clock.set(local(WED_25_NOV, 10))
    reply_to_question(reporter, signal.reference, {"message": "De Participatiewet."})
    moved = calendar.extend(local(MON_7_DEC, 23, 59, 59), 2)  # Tuesday and Wednesday back
    assert fresh(signal).feedback_due == moved
    assert fresh(signal).next_clock_at == calendar.working_days_before(moved, 2)
    give_feedback(manager, signal.reference, {"message": "We zijn ermee bezig."})
    assert fresh(signal).next_clock_at == calendar.add_working_days(local(WED_25_NOV, 10), 20)
    resolved_at = local(FRI_27_NOV, 15)
    clock.set(resolved_at)
    resolve_signal(manager, signal.reference, RESOLUTION)
    assert fresh(signal).next_clock_at == resolved_at  # the survey


def test_a_sweep_with_nothing_due_does_nothing_and_reads_no_signal_rows(
    clock: Clock, accepted: Signal, reporter: User, signal_data: dict[str, Any]
) -> None:
    others = [submit_signal(reporter, signal_data) for _ in range(3)]
    assert {fresh(item).next_clock_at for item in others} == {
        local(WED_25_NOV, 23, 59, 59) + SECOND
    }
    done = everything()

    with statements() as seen:
        assert run_clock_work(local(WED_25_NOV, 12)) == Counter()

    assert len(seen) == 1, seen
    query = " ".join(seen[0].split())
    assert query.startswith("SELECT signals.id FROM signals WHERE signals.next_clock_at <=")

    # The whole sweep, outside digest hours, with the monthly figures just refreshed: still
    # only that one query touches the signals, and retention's, on its own index.
    refresh_monthly_figures(local(date(2026, 11, 24), 7))
    with statements() as seen:
        lines = sweep(local(date(2026, 11, 24), 7))
    assert clock_work_lines(lines) == []
    touching = [" ".join(text.split()) for text in seen if re.search(r"\bsignals\b", text)]
    assert len(touching) == 2, touching
    assert touching[0].startswith("SELECT signals.id FROM signals")
    assert "WHERE signals.anonymised_at IS NULL AND signals.closed_at <" in touching[1]
    assert everything() == done

    # Once something is due, the sweep does read and act on it.
    assert run_clock_work(local(THU_26_NOV, 9)) == Counter({"breach": 3, "escalation": 3})
