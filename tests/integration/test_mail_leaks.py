"""No e-mail tells its reader what they may not see: every kind of mail, every role, over time.

One scenario drives every kind of e-mail the service writes — by people acting (submit,
accept, ask, reply, feed back, forward, resolve, reopen, add information, withdraw,
kwesties, a pattern) and by the scheduler sweeping day by day for eight months (reminders,
breaches with their leads, escalations, status updates, surveys, follow-ups, digests).
After every step each new e-mail is read against the access rules *as they stand at that
moment*: a signal it names (by reference or title) must be one its reader may see in full,
a kwestie it names one its reader may see, and a reporter it names one its reader may know.
At the end, every kind of e-mail must have been written at least once, so a new kind
cannot slip past this test.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from signals.anonymous.services import submit_anonymous_signal
from signals.auth.links import invite_user, request_reset
from signals.auth.models import User
from signals.auth.services import user_by_email
from signals.clock import Clock
from signals.extensions import db
from signals.kwesties.models import Kwestie
from signals.kwesties.services import (
    create_kwestie,
    decide_kwestie,
    kwestie_message,
    link_signal,
    may_see_kwestie,
)
from signals.notifications.models import OutboxMessage
from signals.notifications.services import ANONYMOUS_NOTICE, SUBJECTS
from signals.scheduler.jobs import sweep
from signals.workflow.access import Visibility, shows_reporter, visibility
from signals.workflow.models import Signal
from signals.workflow.services import (
    accept_signal,
    add_info,
    forward_signal,
    give_feedback,
    reopen_signal,
    reply_to_question,
    request_info,
    resolve_signal,
    submit_signal,
    withdraw_signal,
)
from tests.fixtures.app import START
from tests.fixtures.meeting_scenario import finish, meet_about
from tests.helpers import RESOLUTION, MakeUser


@dataclass
class MailReader:
    """Reads each new e-mail against the access rules of the moment it was written."""

    read_up_to: int = 0
    kinds: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    checked: int = 0

    def check_new_mail(self) -> None:
        db.session.expire_all()
        new = list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id > self.read_up_to)
                .order_by(OutboxMessage.id)
            )
        )
        signals = list(db.session.scalars(select(Signal)))
        kwesties = list(db.session.scalars(select(Kwestie)))
        for mail in new:
            self._check(mail, signals, kwesties)
            self.read_up_to = mail.id
        db.session.rollback()

    def _check(self, mail: OutboxMessage, signals: list[Signal], kwesties: list[Kwestie]) -> None:
        if mail.kind == ANONYMOUS_NOTICE:  # to an address nobody may link to a signal
            self._check_anonymous(mail, signals, kwesties)
            return
        reader = user_by_email(mail.recipient)
        assert reader is not None, mail.recipient
        text = "\n".join((mail.subject, mail.body_text, mail.body_html))
        where = f"{mail.kind} to {reader.name}"
        for signal in signals:
            if signal.reference in text or signal.title in text:
                assert visibility(reader, signal) == Visibility.FULL, (where, signal.title)
        for kwestie in kwesties:
            if kwestie.title in text:
                assert may_see_kwestie(reader, kwestie.id), (where, kwestie.title)
        about = db.session.get(Signal, mail.signal_id) if mail.signal_id else None
        if about is not None and about.reporter_id != reader.id:
            if about.reporter is not None and not shows_reporter(reader, about):
                assert about.reporter.name not in text, (where, "reporter's name")
                assert about.reporter.email not in text, (where, "reporter's e-mail")
        self.kinds.add(mail.kind)
        self.subjects.add(mail.subject)
        self.checked += 1

    def _check_anonymous(
        self, mail: OutboxMessage, signals: list[Signal], kwesties: list[Kwestie]
    ) -> None:
        """A notice to an anonymous reporter names nothing at all, not even their own signal."""
        assert user_by_email(mail.recipient) is None and mail.signal_id is None
        text = "\n".join((mail.subject, mail.body_text, mail.body_html))
        for signal in signals:
            assert signal.reference not in text and signal.title not in text, signal.title
        for kwestie in kwesties:
            assert kwestie.title not in text, kwestie.title
        self.kinds.add(mail.kind)
        self.subjects.add(mail.subject)
        self.checked += 1


@pytest.fixture
def reader() -> MailReader:
    return MailReader()


def test_no_mail_of_any_kind_names_what_its_reader_may_not_see(
    clock: Clock, make_user: MakeUser, signal_data: dict[str, Any], reader: MailReader
) -> None:
    head = make_user("manager", name="Hoofd Afdeling")
    manager = make_user("manager", manager=head, name="Marloes Teamleider")
    people = {
        "reporter": make_user("professional", manager=manager, name="Samira Melder"),
        "colleague": make_user("professional", manager=manager, name="Collega Zelfde Team"),
        "partner": make_user(
            "professional", organisation="Buurtteam Oost", kind="partner", name="Fatima Partner"
        ),
        "other_manager": make_user("manager", name="Andere Teamleider"),
        "intake": make_user("member", groups=["intake"], name="Lotte Intake"),
        "casuistiek": make_user("member", groups=["casuistiek"], name="Casus Lid"),
        "doorbraak": make_user("member", groups=["doorbraakteam"], name="Door Braak"),
        "beleid": make_user("member", groups=["beleid"], name="Hans Beleid"),
        "beleid_manager": make_user("manager", groups=["beleid"], name="Bea Beleidschef"),
        "ombuds": make_user("member", groups=["ombudsman"], name="Ingrid Ombuds"),
        "bestuur": make_user("manager", groups=["bestuur"], name="Bert Bestuur"),
        "admin": make_user("admin", name="Beheerder"),
    }
    reporter, partner = people["reporter"], people["partner"]
    uwv = {"level": "other_organisation_practice", "source_organisation": "uwv"}

    def submit(user: User, title: str, **fields: Any) -> Signal:
        signal = submit_signal(user, {**signal_data, "title": title, **fields})
        reader.check_new_mail()
        return signal

    def act(run: Callable[..., Any], *args: Any) -> Any:
        done = run(*args)
        reader.check_new_mail()
        return done

    # People acting.
    alfa = submit(reporter, "Alfa inkomensgat bij werkhervatting")
    act(accept_signal, manager, alfa.reference, {})
    act(request_info, manager, alfa.reference, {"message": "Welke maand ging het mis?"})
    act(reply_to_question, reporter, alfa.reference, {"message": "In september."})
    act(give_feedback, manager, alfa.reference, {"message": "We zoeken het uit."})
    act(resolve_signal, manager, alfa.reference, RESOLUTION)
    act(reopen_signal, reporter, alfa.reference, {"message": "Het speelt opnieuw."})
    act(resolve_signal, manager, alfa.reference, RESOLUTION)

    # An anonymous reporter who left an address for notices; the table asks them something.
    anonymous = {**signal_data, "title": "Oscar anoniem gemeld", "email": "tip@voorbeeld.test"}
    oscar = act(submit_anonymous_signal, anonymous, None).signal
    act(request_info, people["casuistiek"], oscar.reference, {"message": "Hoe vaak?"})

    bravo = submit(partner, "Bravo bijzondere bijstand buurtteam")
    act(forward_signal, people["intake"], bravo.reference, {"to": "casuistiek"})
    outsiders = (people["beleid"], people["colleague"])
    action_item = meet_about(act, people["casuistiek"], partner, bravo.reference, outsiders)

    charlie = submit(reporter, "Charlie onbereikbaar loket")
    act(forward_signal, manager, charlie.reference, {"to": "ombudsman"})
    act(accept_signal, people["ombuds"], charlie.reference, {})
    act(
        create_kwestie,
        people["ombuds"],
        {
            "title": "Kwestie Juliet onbereikbaar loket",
            "node": "ombudsman",
            "from_signal": charlie.reference,
        },
    )

    # A pattern at UWV: three unlinked signals from three reporters, one at the ombudsman.
    echo = submit(reporter, "Echo UWV betaalt te laat", **uwv)
    submit(people["colleague"], "Foxtrot UWV stopt te vroeg", **uwv)
    golf = submit(partner, "Golf UWV en bijstand sluiten niet aan", **uwv)
    act(forward_signal, manager, echo.reference, {"to": "casuistiek"})
    hotel = submit(reporter, "Hotel UWV vraagt te veel stukken", **uwv)
    assert "pattern_alert" in reader.kinds

    kwestie = act(
        create_kwestie,
        manager,
        {
            "title": "Kwestie Kilo eerste loon",
            "node": "beleid",
            "regulation": "participatiewet",
            "from_signal": hotel.reference,
        },
    )
    act(link_signal, people["intake"], golf.reference, {"kwestie": kwestie.id})
    act(kwestie_message, people["beleid"], kwestie.id, {"message": "Wij onderzoeken het."})
    act(
        decide_kwestie,
        people["beleid"],
        kwestie.id,
        {**RESOLUTION, "outcome": "policy_changed"},
    )

    submit(reporter, "Delta nooit opgepakt")
    lima = submit(reporter, "Lima opgepakt en stil")
    act(accept_signal, manager, lima.reference, {})
    act(add_info, reporter, lima.reference, {"message": "Er is een tweede gezin bij gekomen."})
    november = submit(partner, "November ingetrokken door het buurtteam")
    act(add_info, partner, november.reference, {"message": "Het gaat om drie gezinnen."})
    act(withdraw_signal, partner, november.reference, {"reason": "Intussen opgelost."})
    mike = submit(reporter, "Mike teruggekoppeld maar lang open")
    act(accept_signal, manager, mike.reference, {})
    act(give_feedback, manager, mike.reference, {"message": "Wij kijken ernaar."})

    # Accounts: an invitation and a reset link name nobody's signals.
    act(invite_user, people["colleague"], people["admin"])
    act(request_reset, {"email": people["partner"].email}, None)

    # The scheduler, every working morning and afternoon for eight months.
    moment = START
    while moment < START + timedelta(days=245):
        for hour in (7, 13):
            at = datetime(moment.year, moment.month, moment.day, hour, tzinfo=UTC)
            clock.set(at)
            sweep(at)
            reader.check_new_mail()
        moment += timedelta(days=1)

    finish(act, people["casuistiek"], action_item)

    every_kind = {kind for kind in SUBJECTS if kind != "deadline_breached_lead"}
    assert reader.kinds == every_kind, every_kind ^ reader.kinds
    assert SUBJECTS["deadline_breached_lead"] in reader.subjects
    assert reader.checked > 100
