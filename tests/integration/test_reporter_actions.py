"""The reporter's own actions: adding information, withdrawing; the survey after a reopening."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.errors import Forbidden, InputInvalid, StateConflict
from signals.extensions import db
from signals.kwesties.services import create_kwestie, decide_kwestie
from signals.notifications.models import OutboxMessage
from signals.scheduler.jobs import sweep
from signals.workflow.access import get_visible_signal
from signals.workflow.inbox import inbox_page
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import (
    SurveyState,
    accept_signal,
    add_info,
    answer_survey,
    forward_signal,
    give_feedback,
    reopen_signal,
    reply_to_question,
    request_info,
    resolve_signal,
    submit_signal,
    survey_of,
    withdraw_signal,
)
from tests.helpers import RESOLUTION, Api, Login, MakeUser, fresh

REQUIRED = "Dit veld is verplicht."
INFO = "Inmiddels zijn er twee gezinnen in dezelfde situatie."
REASON = "Het UWV heeft de betaling alsnog gedaan; het signaal is niet meer nodig."


def events(signal: Signal, event_type: str | None = None) -> list[SignalEvent]:
    db.session.expire_all()
    query = select(SignalEvent).where(SignalEvent.signal_id == signal.id)
    if event_type is not None:
        query = query.where(SignalEvent.type == event_type)
    return list(db.session.scalars(query.order_by(SignalEvent.id)))


def mails(kind: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def clocks_of(signal: Signal) -> tuple[Any, ...]:
    stored = fresh(signal)
    return (
        stored.status,
        stored.accept_due,
        stored.feedback_due,
        stored.update_due,
        stored.paused_at,
        stored.feedback_sent_at,
        stored.next_clock_at,
    )


def everything_about(signal: Signal) -> tuple[Any, ...]:
    return (
        clocks_of(signal),
        fresh(signal).version,
        [(event.type, event.data) for event in events(signal)],
        [(mail.kind, mail.recipient) for mail in mails()],
    )


@pytest.fixture
def signal(clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]) -> Signal:
    """An open signal by ``reporter``, owned by their line manager ``manager``."""
    return submit_signal(reporter, signal_data)


@pytest.fixture
def group_signal(
    clock: Clock, partner_reporter: User, intake_member: User, signal_data: dict[str, Any]
) -> Signal:
    """An open signal by ``partner_reporter``, owned by the intake group."""
    return submit_signal(partner_reporter, signal_data)


# Adding information ----------------------------------------------------------------------------


def test_added_information_reaches_the_owner_and_changes_no_clock(
    clock: Clock, signal: Signal, reporter: User, manager: User
) -> None:
    accept_signal(manager, signal.reference, {})
    clock.set(clock.now() + timedelta(days=1))
    before = clocks_of(signal)
    version = fresh(signal).version

    add_info(reporter, signal.reference, {"message": f"  {INFO}  "})

    assert clocks_of(signal) == before
    assert fresh(signal).version == version + 1
    [added] = events(signal, "info_added")
    assert (added.actor_id, added.data, added.at) == (reporter.id, {"message": INFO}, clock.now())
    [mail] = mails("info_added")
    assert mail.recipient == manager.email
    assert mail.subject == f"[{signal.reference}] De melder heeft informatie toegevoegd"
    assert INFO in mail.body_text and f"Beste {manager.name}," in mail.body_text


def test_added_information_reaches_every_member_of_an_owning_group(
    group_signal: Signal, partner_reporter: User, intake_member: User, make_user: MakeUser
) -> None:
    colleague = make_user("member", groups=["intake"], name="Collega Intake")

    add_info(partner_reporter, group_signal.reference, {"message": INFO})

    assert {mail.recipient for mail in mails("info_added")} == {
        intake_member.email,
        colleague.email,
    }
    assert "Beste leden van Centrale intake signalen," in mails("info_added")[0].body_text


def test_while_a_question_waits_the_reporter_answers_it_instead_of_adding_information(
    clock: Clock, signal: Signal, reporter: User, manager: User
) -> None:
    request_info(manager, signal.reference, {"message": "Om hoeveel mensen gaat het?"})
    before = everything_about(signal)

    with pytest.raises(StateConflict, match="Er staat een vraag aan u open"):
        add_info(reporter, signal.reference, {"message": INFO})

    assert everything_about(signal) == before
    clock.set(clock.now() + timedelta(days=3))
    reply_to_question(reporter, signal.reference, {"message": "Om twee gezinnen."})
    add_info(reporter, signal.reference, {"message": INFO})  # answered: possible again
    assert len(events(signal, "info_added")) == 1


def test_only_the_reporter_adds_information_to_an_open_signal_with_a_message(
    signal: Signal, reporter: User, manager: User, outsider: User
) -> None:
    before = everything_about(signal)

    with pytest.raises(Forbidden, match="Alleen de melder"):
        add_info(manager, signal.reference, {"message": INFO})
    with pytest.raises(InputInvalid) as refused:
        add_info(reporter, signal.reference, {"message": "  "})
    assert refused.value.fields == {"message": [REQUIRED]}
    assert everything_about(signal) == before

    resolve_signal(manager, signal.reference, RESOLUTION)
    with pytest.raises(StateConflict, match="al afgehandeld"):
        add_info(reporter, signal.reference, {"message": INFO})


# Withdrawing ------------------------------------------------------------------------------------


def test_a_withdrawn_signal_is_closed_without_an_outcome_and_its_clocks_stop(
    clock: Clock, signal: Signal, reporter: User, manager: User
) -> None:
    accept_signal(manager, signal.reference, {})
    request_info(manager, signal.reference, {"message": "Om hoeveel mensen gaat het?"})
    clock.set(clock.now() + timedelta(days=1))

    withdraw_signal(reporter, signal.reference, {"reason": REASON})

    stored = fresh(signal)
    assert (stored.status, stored.outcome, stored.rationale, stored.resolved_at) == (
        "withdrawn",
        None,
        None,
        None,
    )
    assert (stored.paused_at, stored.next_clock_at) == (None, None)
    assert not stored.is_open
    [withdrawn] = events(signal, "withdrawn")
    assert withdrawn.actor_id == reporter.id
    assert withdrawn.data == {"reason": REASON, "node": "teamleider"}
    [mail] = mails("withdrawn")
    assert mail.recipient == manager.email
    assert mail.subject == f"[{signal.reference}] De melder heeft het signaal ingetrokken"
    assert REASON in mail.body_text

    # A year of sweeps: no reminder, breach, status update, survey or follow-up.
    written = everything_about(signal)
    for days in (3, 10, 30, 200, 365):
        sweep(clock.now() + timedelta(days=days))
    assert everything_about(signal) == written


def test_a_withdrawn_signal_cannot_be_withdrawn_again_nor_acted_on_by_anyone(
    signal: Signal, reporter: User, manager: User
) -> None:
    withdraw_signal(reporter, signal.reference, {"reason": REASON})
    before = everything_about(signal)

    refusals: list[tuple[Callable[..., Signal], User, dict[str, Any]]] = [
        (withdraw_signal, reporter, {"reason": "Nog een keer."}),
        (add_info, reporter, {"message": INFO}),
        (reopen_signal, reporter, {"message": "Toch weer nodig."}),
        (reopen_signal, manager, {"message": "Toch weer nodig."}),
        (accept_signal, manager, {}),
        (give_feedback, manager, {"message": "Wij kijken ernaar."}),
        (request_info, manager, {"message": "Nog een vraag."}),
        (resolve_signal, manager, RESOLUTION),
        (forward_signal, manager, {"to": "casuistiek"}),
    ]
    for run, actor, data in refusals:
        with pytest.raises(StateConflict, match="ingetrokken door de melder"):
            run(actor, signal.reference, data)

    assert everything_about(signal) == before


def test_only_the_reporter_withdraws_and_always_with_a_reason(
    signal: Signal, reporter: User, manager: User
) -> None:
    before = everything_about(signal)

    with pytest.raises(Forbidden, match="Alleen de melder"):
        withdraw_signal(manager, signal.reference, {"reason": REASON})
    with pytest.raises(InputInvalid) as refused:
        withdraw_signal(reporter, signal.reference, {})
    assert refused.value.fields == {"reason": [REQUIRED]}

    assert everything_about(signal) == before
    resolve_signal(manager, signal.reference, RESOLUTION)
    with pytest.raises(StateConflict, match="al afgehandeld"):
        withdraw_signal(reporter, signal.reference, {"reason": REASON})


def test_a_withdrawn_signal_leaves_the_open_inbox_and_is_counted_apart(
    clock: Clock, group_signal: Signal, partner_reporter: User, intake_member: User
) -> None:
    withdraw_signal(partner_reporter, group_signal.reference, {"reason": REASON})

    page = inbox_page(intake_member, {}, clock.now())
    assert page.signals == []
    assert page.counts == {
        "new": 0,
        "in_progress": 0,
        "awaiting_reporter": 0,
        "resolved": 0,
        "withdrawn": 1,
    }
    shown = inbox_page(intake_member, {"status": "withdrawn"}, clock.now())
    assert [signal.reference for signal in shown.signals] == [group_signal.reference]
    late = clock.now() + timedelta(days=60)
    assert inbox_page(intake_member, {"status": "withdrawn", "overdue": "true"}, late).signals == []
    assert inbox_page(intake_member, {"overdue": "false"}, late).counts["withdrawn"] == 1


def test_a_kwestie_decision_does_not_resolve_a_withdrawn_linked_signal(
    clock: Clock,
    signal: Signal,
    reporter: User,
    manager: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    policy = make_user("member", groups=["beleid"], name="Hans Beleid")
    kwestie = create_kwestie(
        manager,
        {"title": "Kwestie eerste loon", "node": "beleid", "from_signal": signal.reference},
    )
    other = submit_signal(reporter, {**signal_data, "title": "Tweede signaal"})
    withdraw_signal(reporter, signal.reference, {"reason": REASON})

    decide_kwestie(policy, kwestie.id, {**RESOLUTION, "outcome": "policy_changed"})

    assert (fresh(signal).status, fresh(signal).outcome) == ("withdrawn", None)
    assert fresh(other).status == "new"  # not linked: untouched
    assert db.session.scalar(select(func.count()).where(Signal.status == "resolved")) == 0


# The web forms and the API -----------------------------------------------------------------------


def test_the_signal_page_offers_the_reporter_to_add_and_withdraw_and_keeps_what_was_typed(
    login: Login, signal: Signal, reporter: User, manager: User
) -> None:
    session = login(reporter)
    page = session.get(f"/signalen/{signal.reference}").text
    assert "<summary>Informatie toevoegen</summary>" in page
    assert "<summary>Signaal intrekken</summary>" in page
    owner_page = login(manager).get(f"/signalen/{signal.reference}").text
    assert "Signaal intrekken" not in owner_page and "Informatie toevoegen" not in owner_page

    empty = session.post(f"/signalen/{signal.reference}/intrekken", {"reason": " "})
    assert empty.status_code == 422
    assert 'id="withdraw-reason-error"' in empty.text
    assert re.search(r'href="#withdraw-reason">[^<]*Dit veld is verplicht\.</a>', empty.text)
    assert re.search(r'<details open class="action">\s*<summary>Signaal intrekken', empty.text)
    too_long = session.post(f"/signalen/{signal.reference}/aanvullen", {"message": "x" * 5001})
    assert too_long.status_code == 422
    assert "x" * 5001 in too_long.text and "Maximaal 5000 tekens." in too_long.text

    added = session.post(f"/signalen/{signal.reference}/aanvullen", {"message": INFO})
    assert added.status_code == 302
    withdrawn = session.post(f"/signalen/{signal.reference}/intrekken", {"reason": REASON})
    assert withdrawn.status_code == 302
    after = session.get(f"/signalen/{signal.reference}").text
    assert "U heeft het signaal ingetrokken; de eigenaar krijgt bericht." in after
    assert "Ingetrokken door de melder op" in after and REASON in after
    assert after.count("<em>Reden:</em>") == 1  # on the withdrawal only, in the timeline
    assert 'class="owner-actions"' not in after  # nothing left to do, for anyone
    assert 'class="owner-actions"' not in login(manager).get(f"/signalen/{signal.reference}").text
    assert [event.type for event in events(signal)] == ["submitted", "info_added", "withdrawn"]


def test_the_api_adds_information_and_withdraws_as_the_web_does(
    api: Api, signal: Signal, reporter: User, manager: User
) -> None:
    client = api(reporter)
    version = client.get(f"/signals/{signal.reference}").get_json()["version"]

    added = client.act(signal.reference, "add_info", message=INFO, version=version)
    assert added.status_code == 200, added.text
    assert added.get_json()["status"] == "new"
    assert added.get_json()["events"][-1]["type"] == "info_added"
    missing = client.act(signal.reference, "withdraw")
    assert missing.status_code == 422
    assert missing.get_json()["error"]["fields"] == {"reason": [REQUIRED]}
    stale = client.act(signal.reference, "withdraw", reason=REASON, version=version)
    assert stale.status_code == 409

    withdrawn = client.act(signal.reference, "withdraw", reason=REASON)
    assert withdrawn.status_code == 200
    body = withdrawn.get_json()
    assert (body["status"], body["outcome"], body["actions"]) == ("withdrawn", None, [])
    again = client.act(signal.reference, "withdraw", reason=REASON)
    assert again.status_code == 409
    assert "ingetrokken" in again.get_json()["error"]["message"]
    owner = api(manager).act(signal.reference, "feedback", message="Wij kijken ernaar.")
    assert owner.status_code == 409
    listed = client.get("/signals", status="withdrawn").get_json()["items"]
    assert [item["reference"] for item in listed] == [signal.reference]


def test_the_api_document_states_both_actions_and_the_new_status(api: Api, reporter: User) -> None:
    document = api(reporter).get("/openapi.json").get_json()
    schemas = document["components"]["schemas"]

    assert schemas["AddInfoAction"]["required"] == ["action", "message"]
    assert schemas["WithdrawAction"]["required"] == ["action", "reason"]
    assert "withdrawn" in schemas["Signal"]["properties"]["status"]["enum"]
    description = document["paths"]["/api/v1/signals/{reference}/actions"]["post"]["description"]
    assert "| `withdraw` | melder | `reason` |" in description
    assert "| `add_info` | melder | `message` |" in description


# The survey belongs to a resolution ---------------------------------------------------------------


def test_a_reopened_signal_asks_nothing_until_it_is_resolved_again(
    clock: Clock, login: Login, signal: Signal, reporter: User, manager: User
) -> None:
    page = f"/signalen/{signal.reference}/evaluatie"
    resolve_signal(manager, signal.reference, RESOLUTION)
    sweep(clock.now() + timedelta(minutes=5))
    clock.set(clock.now() + timedelta(hours=1))
    answer_survey(reporter, signal.reference, {"score": "4"})
    clock.set(clock.now() + timedelta(days=2))
    reopen_signal(reporter, signal.reference, {"message": "Het speelt opnieuw."})
    session = login(reporter)

    reopened = session.get(page)
    assert reopened.status_code == 200
    assert "is op 25 november 2026 heropend en is nog niet opnieuw afgehandeld" in reopened.text
    assert "met de uitkomst" not in reopened.text
    assert 'name="score"' not in reopened.text and "U gaf een" not in reopened.text
    refused = session.post(page, {"score": "1"})
    assert refused.status_code == 409
    assert "na de volgende afhandeling vragen wij opnieuw" in refused.text
    assert survey_of(fresh(signal)).state == SurveyState.REOPENED

    # Resolved again: until the new question is sent nothing is taken, then one answer.
    clock.set(clock.now() + timedelta(days=1))
    resolve_signal(manager, signal.reference, {**RESOLUTION, "outcome": "referred"})
    assert survey_of(fresh(signal)).state == SurveyState.NOT_ASKED
    assert session.post(page, {"score": "2"}).status_code == 409
    sweep(clock.now() + timedelta(minutes=5))
    asked = session.get(page)
    assert 'name="score"' in asked.text and "U gaf een" not in asked.text
    assert "Doorverwezen" in asked.text
    assert session.post(page, {"score": "2"}).status_code == 302
    answered = survey_of(fresh(signal))
    assert (answered.state, answered.answer) == (SurveyState.ANSWERED, {"score": 2, "comment": ""})
    assert [event.data["score"] for event in events(signal, "survey_answered")] == [4, 2]


def test_a_withdrawn_signal_has_no_survey(login: Login, signal: Signal, reporter: User) -> None:
    withdraw_signal(reporter, signal.reference, {"reason": REASON})

    page = login(reporter).get(f"/signalen/{signal.reference}/evaluatie")

    assert "is ingetrokken en dus niet afgehandeld" in page.text
    assert 'name="score"' not in page.text
    assert survey_of(get_visible_signal(reporter, signal.reference)).state == (
        SurveyState.WITHDRAWN
    )
