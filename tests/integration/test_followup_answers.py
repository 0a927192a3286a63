"""The six-month question "houdt de oplossing stand?": asked by the sweep with a link to its
page, answered there once by whoever resolved the signal, reminded once after four weeks."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.scheduler.jobs import sweep
from signals.workflow.models import SignalEvent
from signals.workflow.services import accept_signal, resolve_signal, submit_signal
from tests.fixtures.app import START
from tests.fixtures.people import VALID_SIGNAL
from tests.helpers import RESOLUTION, Api, Login, MakeUser, signal_by_reference

SIX_MONTHS = relativedelta(months=6)


def mails(user: User, kind: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.recipient == user.email, OutboxMessage.kind == kind
    )
    return list(db.session.scalars(query))


def events(reference: str, event_type: str) -> list[SignalEvent]:
    signal = signal_by_reference(reference)
    query = select(SignalEvent).where(
        SignalEvent.signal_id == signal.id, SignalEvent.type == event_type
    )
    return list(db.session.scalars(query))


def resolved(reporter: User, manager: User) -> str:
    signal = submit_signal(reporter, VALID_SIGNAL)
    accept_signal(manager, signal.reference, {})
    resolve_signal(manager, signal.reference, RESOLUTION)
    return signal.reference


def test_the_resolver_answers_on_the_page_the_mail_links_to(
    login: Login, reporter: User, manager: User, make_user: MakeUser, clock: Clock
) -> None:
    reference = resolved(reporter, manager)
    web = login(manager)
    assert "komt een half jaar na de afhandeling" in web.get(f"/signalen/{reference}/stand").text

    asked_at = START + SIX_MONTHS + timedelta(days=1)
    clock.set(asked_at)
    sweep(asked_at)
    question = mails(manager, "followup")
    assert len(question) == 1
    assert f"/signalen/{reference}/stand" in question[0].body_text

    empty = web.post(f"/signalen/{reference}/stand", {"note": "Het speelt niet meer."})
    assert empty.status_code == 422 and "Het speelt niet meer." in empty.text
    answered = web.post(
        f"/signalen/{reference}/stand", {"held": "partly", "note": "Eén inwoner kwam terug."}
    )
    assert answered.status_code == 302
    [answer] = events(reference, "followup_answered")
    assert answer.data == {"held": "partly", "note": "Eén inwoner kwam terug."}
    assert answer.actor_id == manager.id
    again = web.post(f"/signalen/{reference}/stand", {"held": "yes", "note": "Toch wel."})
    assert again.status_code == 409
    assert "Deels" in web.get(f"/signalen/{reference}/stand").text
    # No reminder after an answer.
    later = asked_at + timedelta(weeks=5)
    clock.set(later)
    sweep(later)
    assert mails(manager, "followup_reminder") == []

    assert login(reporter).get(f"/signalen/{reference}/stand").status_code == 403
    stranger = login(make_user("professional", name="Olaf Ander"))
    assert stranger.get(f"/signalen/{reference}/stand").status_code == 404


def test_without_an_answer_in_four_weeks_one_reminder(
    api: Api, reporter: User, manager: User, clock: Clock
) -> None:
    reference = resolved(reporter, manager)
    asked_at = START + SIX_MONTHS + timedelta(days=1)
    clock.set(asked_at)
    sweep(asked_at)

    for weeks in (3, 4, 5, 9):
        moment = asked_at + timedelta(weeks=weeks, hours=1)
        clock.set(moment)
        sweep(moment)
        expected = 0 if weeks < 4 else 1
        assert len(mails(manager, "followup_reminder")) == expected, weeks
    assert len(events(reference, "followup_reminded")) == 1
    assert signal_by_reference(reference).next_clock_at is None
