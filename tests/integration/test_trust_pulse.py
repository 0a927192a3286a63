"""The trust pulse: rounds opened by the sweep, answered anonymously through the mailed link.

The real sweep on the injected clock opens a round on the first working day of a pulse month,
in office hours, once; every active professional and manager gets one invitation and one
e-mail. Its link's page takes one answer without a log-in, while the round is open, and
stores it without anything that leads to the person.
"""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select
from werkzeug.test import TestResponse

from signals.auth.models import User
from signals.auth.services import deactivate_user
from signals.clock import Clock, get_clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.scheduler.jobs import due_work, sweep
from signals.trust import pulse
from signals.trust.models import PulseAnswer, PulseInvitation, PulseRound
from signals.trust.schemas import CHOOSE
from signals.trust.services import ANSWERED, CLOSED
from tests.fixtures.app import Configure, csrf_token_from, make_test_app
from tests.helpers import MakeUser

# Monday 1 March 2027, 10:00 in Amsterdam: the first working day of a pulse month.
MARCH_FIRST = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CLOSING = datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # four weeks later: 10:00 summer time
LINK = re.compile(r"http://signalen\.test(/peiling/[A-Za-z0-9_-]+)")
SWEEP_LINE = "uitnodigingen voor de vertrouwenspeiling: {}"


def swept(clock: Clock, moment: datetime) -> list[str]:
    clock.set(moment)
    return sweep(moment)


def pulse_mails() -> dict[str, OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == "trust_pulse")
    mails = list(db.session.scalars(query))
    by_recipient = {mail.recipient: mail for mail in mails}
    assert len(by_recipient) == len(mails), "someone got two invitations"
    return by_recipient


def link_for(user: User) -> str:
    """The path of the pulse page in ``user``'s invitation (same link in text and HTML)."""
    mail = pulse_mails()[user.email]
    paths: set[str] = set(LINK.findall(mail.body_text))
    [path] = paths
    assert f'href="http://signalen.test{path}"' in mail.body_html
    return path


def rows(model: type[PulseRound] | type[PulseInvitation] | type[PulseAnswer]) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def answers() -> list[tuple[str, int, int]]:
    db.session.expire_all()
    query = select(PulseAnswer.kind, PulseAnswer.trust, PulseAnswer.heard)
    return sorted((kind, trust, heard) for kind, trust, heard in db.session.execute(query))


def post_answer(client: FlaskClient, path: str, **scores: str) -> TestResponse:
    """Send the page's form (with its CSRF token) as a browser without a log-in would."""
    token = csrf_token_from(client.get(path).text)
    return client.post(path, data={**scores, "csrf_token": token})


@pytest.fixture
def people(make_user: MakeUser) -> dict[str, User]:
    manager = make_user("manager", name="Marloes Teamleider")
    gone = make_user("professional", manager=manager, name="Vertrokken Collega")
    deactivate_user(gone)
    return {
        "manager": manager,
        "reporter": make_user("professional", manager=manager, name="Samira Consulent"),
        "partner": make_user(
            "professional", organisation="Buurtteam Oost", kind="partner", name="Fatima Partner"
        ),
        "member": make_user("member", groups=["intake"], name="Lotte Intake"),
        "admin": make_user("admin", name="Beheerder"),
        "gone": gone,
    }


def test_a_round_opens_on_the_first_working_day_of_march_in_office_hours_once(
    clock: Clock, people: dict[str, User]
) -> None:
    invited = {people[name].email for name in ("manager", "reporter", "partner")}

    for before in (
        MARCH_FIRST - timedelta(days=3),  # Friday 26 February
        MARCH_FIRST.replace(hour=6),  # 07:00 in Amsterdam: before office hours
    ):
        assert SWEEP_LINE.format(3) not in swept(clock, before)
        assert rows(PulseRound) == 0 and pulse_mails() == {}

    assert SWEEP_LINE.format(3) in swept(clock, MARCH_FIRST)
    mails = pulse_mails()
    assert set(mails) == invited  # not the group member, the administrator or the deactivated
    reporter_mail = mails[people["reporter"].email]
    assert reporter_mail.subject == (
        "Peiling maart 2027: vertrouwt u erop dat er iets met signalen gebeurt?"
    )
    assert reporter_mail.body_text.startswith("Beste Samira Consulent,")
    # Four weeks, to the same time of day (after the change to summer time on 28 March).
    assert "U kunt antwoorden tot 29 maart 2027 10:00." in reporter_mail.body_text
    tokens = {link_for(people[name]) for name in ("manager", "reporter", "partner")}
    assert len(tokens) == 3
    # Only hashes are kept: no link's token is in the invitations.
    stored = set(db.session.scalars(select(PulseInvitation.token_hash)))
    assert not {path.rsplit("/", 1)[1] for path in tokens} & stored

    for later in (
        MARCH_FIRST + timedelta(hours=4),  # a second sweep that day
        MARCH_FIRST + timedelta(days=1),
        MARCH_FIRST + timedelta(days=7),
    ):
        lines = swept(clock, later)
        assert not any(
            line.startswith("uitnodigingen voor de vertrouwenspeiling") for line in lines
        )
    with get_clock().frozen_at(MARCH_FIRST):
        assert due_work(MARCH_FIRST) == []  # a second scheduler beside the leader: nothing
    assert rows(PulseRound) == 1 and rows(PulseInvitation) == 3
    assert set(pulse_mails()) == invited


def test_the_first_working_day_follows_the_business_calendar(
    clock: Clock, configure: Configure, people: dict[str, User]
) -> None:
    configure(trust_pulse_months=(1, 9))
    new_years_day = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)  # a Friday, and a public holiday
    swept(clock, new_years_day)
    assert rows(PulseRound) == 0

    swept(clock, datetime(2027, 1, 4, 12, 0, tzinfo=UTC))  # Monday: the first working day
    swept(clock, datetime(2027, 2, 1, 12, 0, tzinfo=UTC))  # February is no pulse month
    swept(clock, datetime(2027, 3, 1, 12, 0, tzinfo=UTC))  # nor is March any more
    swept(clock, datetime(2027, 9, 1, 12, 0, tzinfo=UTC))  # Wednesday 1 September

    db.session.expire_all()
    months = [str(month) for month in db.session.scalars(select(PulseRound.month))]
    assert sorted(months) == ["2027-01-01", "2027-09-01"]
    subjects = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.kind == "trust_pulse")
    ).all()
    assert rows(PulseInvitation) == 6 and len(subjects) == 6
    assert {subject.split(":")[0] for subject in subjects} == {
        "Peiling januari 2027",
        "Peiling september 2027",
    }


def test_without_pulse_months_no_round_opens(
    clock: Clock, configure: Configure, people: dict[str, User]
) -> None:
    configure(trust_pulse_months=())
    swept(clock, MARCH_FIRST)
    assert rows(PulseRound) == 0 and pulse_mails() == {}


def test_everyone_is_invited_in_batches_each_once(
    clock: Clock, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pulse, "BATCH", 2)
    users = [make_user("professional") for _ in range(5)]

    assert SWEEP_LINE.format(5) in swept(clock, MARCH_FIRST)
    assert set(pulse_mails()) == {user.email for user in users}
    # A sweep stopped between batches: whoever is not invited yet is, later that day.
    later = make_user("professional")
    assert SWEEP_LINE.format(1) in swept(clock, MARCH_FIRST + timedelta(hours=2))
    assert later.email in pulse_mails() and rows(PulseInvitation) == 6


@contextmanager
def second_app(app: Flask) -> Iterator[Flask]:
    """Another app on the same database, with its own engine: like a second process."""
    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], CLOCK=Clock())
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_two_schedulers_at_once_open_one_round_and_invite_each_person_once(
    app: Flask, clock: Clock, people: dict[str, User]
) -> None:
    db.session.rollback()  # end this session's reads: the schedulers must not wait on it
    barrier = threading.Barrier(2)
    invited: list[int] = []
    failures: list[BaseException] = []

    def scheduler(other: Flask) -> None:
        try:
            with other.app_context(), get_clock().frozen_at(MARCH_FIRST):
                barrier.wait(timeout=30)
                invited.append(pulse.open_pulse_round(MARCH_FIRST))
        except BaseException as error:  # reported by the test thread below
            failures.append(error)

    with second_app(app) as first, second_app(app) as second:
        threads = [threading.Thread(target=scheduler, args=(other,)) for other in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a scheduler hangs"
    assert not failures, failures
    assert sorted(invited) == [0, 3]
    assert rows(PulseRound) == 1 and rows(PulseInvitation) == 3 and len(pulse_mails()) == 3


def test_the_link_takes_one_anonymous_answer_without_a_log_in(
    client: FlaskClient, clock: Clock, people: dict[str, User]
) -> None:
    swept(clock, MARCH_FIRST)
    partner_link, staff_link = link_for(people["partner"]), link_for(people["manager"])
    clock.set(MARCH_FIRST + timedelta(days=2))

    page = client.get(partner_link)
    assert page.status_code == 200
    assert "<title>Peiling maart 2027 – Signalen</title>" in page.text
    assert "Ik vertrouw erop dat er iets met mijn signaal gebeurt" in page.text
    assert "Ik voel me gehoord" in page.text and "5 – helemaal eens" in page.text

    answered = post_answer(client, partner_link, trust="4", heard="2")
    assert answered.status_code == 302 and answered.headers["Location"] == partner_link
    after = client.get(partner_link).text
    assert "Dank u wel. Uw antwoord is anoniem bewaard." in after
    assert "Deze peiling is beantwoord" in after and 'name="trust"' not in after
    assert answers() == [("partner", 4, 2)]

    assert post_answer(client, staff_link, trust="5", heard="5").status_code == 302
    twice = client.post(
        partner_link, data={"trust": "1", "heard": "1", "csrf_token": _any_csrf(client)}
    )
    assert twice.status_code == 409 and ANSWERED in twice.text
    assert answers() == [("partner", 4, 2), ("staff", 5, 5)]
    db.session.expire_all()
    flags = list(db.session.scalars(select(PulseInvitation.answered)))
    assert sorted(flags) == [False, True, True]


def _any_csrf(client: FlaskClient) -> str:
    """A CSRF token of this browser's session (the page of an answered pulse has no form)."""
    return csrf_token_from(client.get("/inloggen").text)


def test_the_answers_table_holds_nothing_that_leads_to_a_person() -> None:
    database = inspect(db.engine)
    columns = {column["name"] for column in database.get_columns("pulse_answers")}
    assert columns == {"id", "round_id", "kind", "trust", "heard"}
    references = {key["referred_table"] for key in database.get_foreign_keys("pulse_answers")}
    assert references == {"pulse_rounds"}
    invitation_columns = {column["name"] for column in database.get_columns("pulse_invitations")}
    assert invitation_columns == {"id", "round_id", "user_id", "token_hash", "answered"}


def test_input_that_does_not_do_is_named_per_field_and_the_choice_kept(
    client: FlaskClient, clock: Clock, people: dict[str, User]
) -> None:
    swept(clock, MARCH_FIRST)
    link = link_for(people["reporter"])

    half = post_answer(client, link, trust="4")
    assert half.status_code == 422
    assert f'id="heard-error">\n    <span>{CHOOSE}</span>' in half.text
    assert 'id="trust-error"' not in half.text
    assert re.search(r'name="trust" value="4" checked', half.text)
    assert "Controleer de gemarkeerde velden" in half.text
    assert f'<a href="#heard">Ik voel me gehoord: {CHOOSE}</a>' in half.text

    wrong = post_answer(client, link, trust="9", heard="3")
    assert wrong.status_code == 422
    assert 'id="trust-error"' in wrong.text and 'id="heard-error"' not in wrong.text
    assert re.search(r'name="heard" value="3" checked', wrong.text)
    assert not re.search(r'name="trust" value="\d" checked', wrong.text)

    assert answers() == [] and post_answer(client, link, trust="3", heard="4").status_code == 302


def test_a_closed_round_refuses_answers(
    client: FlaskClient, clock: Clock, people: dict[str, User]
) -> None:
    swept(clock, MARCH_FIRST)
    in_time, too_late = link_for(people["reporter"]), link_for(people["partner"])

    clock.set(CLOSING - timedelta(minutes=1))
    assert post_answer(client, in_time, trust="2", heard="3").status_code == 302
    clock.set(CLOSING)
    page = client.get(too_late)
    assert page.status_code == 200 and "Deze peiling is gesloten sinds 29 maart 2027" in page.text
    refused = client.post(
        too_late, data={"trust": "5", "heard": "5", "csrf_token": _any_csrf(client)}
    )
    assert refused.status_code == 409 and CLOSED in refused.text
    assert answers() == [("staff", 2, 3)]


def test_an_unknown_link_is_a_dutch_not_found_page(client: FlaskClient) -> None:
    page = client.get("/peiling/geen-geldige-sleutel")
    assert page.status_code == 404
    assert "Niet gevonden" in page.text and "Deze peiling bestaat niet" in page.text
