"""Owner actions as services: feedback and resolution, who may do them and what they record."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import ColumnElement, func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.errors import Forbidden, InputInvalid, NotFound, StateConflict
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.ownership.services import owner_people
from signals.privacy import BSN_MESSAGE
from signals.workflow.access import get_visible_signal
from signals.workflow.inbox import inbox_page
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import (
    give_feedback,
    resolve_signal,
    submit_signal,
)
from tests.helpers import RESOLUTION, MakeUser

REQUIRED = "Dit veld is verplicht."


def count(model: type, *where: ColumnElement[bool]) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def snapshot(signal: Signal) -> tuple[Any, ...]:
    """Everything an owner action could change, read fresh from the database."""
    db.session.expire_all()
    stored = db.session.get(Signal, signal.id)
    assert stored is not None
    events = db.session.scalars(
        select(SignalEvent).where(SignalEvent.signal_id == signal.id).order_by(SignalEvent.id)
    )
    outbox = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return (
        stored.status,
        stored.outcome,
        stored.rationale,
        stored.resolved_at,
        stored.updated_at,
        [(event.type, event.actor_id, event.data) for event in events],
        [(mail.kind, mail.recipient) for mail in outbox],
    )


@pytest.fixture
def signal(clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]) -> Signal:
    """An open signal by ``reporter``, owned by their line manager ``manager``."""
    return submit_signal(reporter, signal_data)


@pytest.fixture
def intake_signal(
    clock: Clock, partner_reporter: User, intake_member: User, signal_data: dict[str, Any]
) -> Signal:
    """An open signal by ``partner_reporter``, owned by the intake group."""
    return submit_signal(partner_reporter, signal_data)


# Validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, {"message": [REQUIRED]}),
        ({"message": "  \n "}, {"message": [REQUIRED]}),
        ({"message": None}, {"message": [REQUIRED]}),
        ({"message": "x" * 5001}, {"message": ["Maximaal 5000 tekens."]}),
        ({"message": "Zie BSN 1112.22.333 in het dossier."}, {"message": [BSN_MESSAGE]}),
        ({"message": 42}, {"message": ["Verwacht tekst."]}),
        ({"message": "Goed.", "urgent": "ja"}, {"urgent": ["Onbekend veld."]}),
    ],
)
def test_feedback_is_validated_per_field_and_nothing_is_recorded(
    signal: Signal, manager: User, data: dict[str, Any], expected: dict[str, list[str]]
) -> None:
    before = snapshot(signal)

    with pytest.raises(InputInvalid) as refused:
        give_feedback(manager, signal.reference, data)

    assert refused.value.fields == expected
    assert refused.value.status_code == 422
    assert snapshot(signal) == before


def test_feedback_of_exactly_the_maximum_length_is_accepted(signal: Signal, manager: User) -> None:
    give_feedback(manager, signal.reference, {"message": "x" * 5000})
    assert count(SignalEvent, SignalEvent.type == "feedback_sent") == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"outcome": ""}, {"outcome": [REQUIRED]}),
        ({"rationale": ""}, {"rationale": [REQUIRED]}),
        ({"message": "   "}, {"message": [REQUIRED]}),
        ({"outcome": "forgotten"}, {"outcome": ["Onbekende keuze: forgotten."]}),
        ({"rationale": "BSN 111222333 heeft geen recht."}, {"rationale": [BSN_MESSAGE]}),
        ({"message": "Voor 111-222-333: afgewezen."}, {"message": [BSN_MESSAGE]}),
        ({"rationale": "x" * 5001}, {"rationale": ["Maximaal 5000 tekens."]}),
        (
            {"outcome": None, "rationale": None, "message": None},
            {"outcome": [REQUIRED], "rationale": [REQUIRED], "message": [REQUIRED]},
        ),
    ],
)
def test_a_resolution_is_validated_per_field_and_nothing_is_recorded(
    signal: Signal,
    manager: User,
    change: dict[str, Any],
    expected: dict[str, list[str]],
) -> None:
    before = snapshot(signal)

    with pytest.raises(InputInvalid) as refused:
        resolve_signal(manager, signal.reference, {**RESOLUTION, **change})

    assert refused.value.fields == expected
    assert snapshot(signal) == before


def test_a_resolution_with_nothing_at_all_names_all_three_fields(
    signal: Signal, manager: User
) -> None:
    with pytest.raises(InputInvalid) as refused:
        resolve_signal(manager, signal.reference, {})
    assert refused.value.fields == {
        "outcome": [REQUIRED],
        "rationale": [REQUIRED],
        "message": [REQUIRED],
    }


# What an action records ----------------------------------------------------------------------


def test_feedback_records_an_event_and_mails_the_reporter(
    clock: Clock, signal: Signal, reporter: User, manager: User
) -> None:
    clock.set(clock.now() + timedelta(hours=4))

    returned = give_feedback(manager, signal.reference, {"message": "  We pakken het op.  "})

    assert returned.id == signal.id
    db.session.expire_all()
    event = db.session.scalars(select(SignalEvent).where(SignalEvent.type == "feedback_sent")).one()
    assert event.signal_id == signal.id
    assert event.actor_id == manager.id
    assert event.at == clock.now()
    assert event.data == {"message": "We pakken het op."}
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "feedback")).one()
    assert mail.recipient == reporter.email
    assert mail.signal_id == signal.id
    assert mail.subject == f"[{signal.reference}] Terugkoppeling op uw signaal"
    assert "We pakken het op." in mail.body_text
    assert "Marloes Teamleider heeft terugkoppeling gegeven" in mail.body_text
    assert f"http://signalen.test/signalen/{signal.reference}" in mail.body_text
    assert mail.status == "pending"
    assert snapshot(signal)[0] == "new"


def test_feedback_can_be_given_more_than_once(signal: Signal, manager: User) -> None:
    give_feedback(manager, signal.reference, {"message": "Eerste bericht."})
    give_feedback(manager, signal.reference, {"message": "Tweede bericht."})

    assert count(SignalEvent, SignalEvent.type == "feedback_sent") == 2
    assert count(OutboxMessage, OutboxMessage.kind == "feedback") == 2


def test_a_resolution_closes_the_signal_records_the_event_and_mails_the_reporter(
    clock: Clock, signal: Signal, reporter: User, manager: User
) -> None:
    clock.set(clock.now() + timedelta(days=3))

    resolve_signal(manager, signal.reference, RESOLUTION)

    db.session.expire_all()
    stored = db.session.get(Signal, signal.id)
    assert stored is not None
    assert stored.status == "resolved"
    assert not stored.is_open
    assert stored.outcome == RESOLUTION["outcome"]
    assert stored.rationale == RESOLUTION["rationale"]
    assert stored.resolved_at == clock.now()
    assert stored.updated_at == clock.now()
    event = db.session.scalars(select(SignalEvent).where(SignalEvent.type == "resolved")).one()
    assert event.actor_id == manager.id
    assert event.at == clock.now()
    assert event.data == RESOLUTION
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "resolved")).one()
    assert mail.recipient == reporter.email
    assert mail.subject == f"[{signal.reference}] Uw signaal is afgehandeld"
    assert RESOLUTION["message"] in mail.body_text
    assert RESOLUTION["rationale"] in mail.body_text
    assert "Niet mogelijk (met onderbouwing)" in mail.body_text
    inbox = inbox_page(manager, {}, clock.now())
    assert inbox.signals == []
    assert inbox.counts["resolved"] == 1


def test_a_resolved_signal_takes_no_further_actions(signal: Signal, manager: User) -> None:
    resolve_signal(manager, signal.reference, RESOLUTION)
    before = snapshot(signal)

    with pytest.raises(StateConflict, match="al afgehandeld"):
        give_feedback(manager, signal.reference, {"message": "Nog iets."})
    with pytest.raises(StateConflict):
        resolve_signal(manager, signal.reference, {**RESOLUTION, "outcome": "escalated"})

    assert snapshot(signal) == before


# Who owns a signal ---------------------------------------------------------------------------


def test_owners_of_a_personal_signal_is_the_owner(
    signal: Signal, manager: User, intake_member: User
) -> None:
    assert owner_people(signal.owner) == [manager]


def test_owners_of_a_group_signal_are_its_active_members_only(
    make_user: MakeUser, intake_signal: Signal, intake_member: User
) -> None:
    colleague = make_user("member", groups=["intake", "beleid"], name="Daan Intake")
    leaver = make_user("member", groups=["intake"], name="Vera Vertrokken")
    make_user("member", groups=["beleid"], name="Bert Beleid")
    leaver.active = False
    db.session.commit()

    owners = owner_people(intake_signal.owner)
    assert [user.id for user in owners] == [intake_member.id, colleague.id]


def test_any_active_intake_member_may_act_on_a_group_signal(
    make_user: MakeUser, intake_signal: Signal, partner_reporter: User
) -> None:
    colleague = make_user("member", groups=["intake"], name="Daan Intake")

    give_feedback(colleague, intake_signal.reference, {"message": "Wij kijken ernaar."})

    db.session.expire_all()
    event = db.session.scalars(select(SignalEvent).where(SignalEvent.type == "feedback_sent")).one()
    assert event.actor_id == colleague.id
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "feedback")).one()
    assert mail.recipient == partner_reporter.email


def test_a_member_of_another_group_can_neither_see_nor_act(
    make_user: MakeUser, intake_signal: Signal
) -> None:
    policy_member = make_user("member", groups=["beleid"], name="Bert Beleid")
    before = snapshot(intake_signal)

    with pytest.raises(NotFound):
        get_visible_signal(policy_member, intake_signal.reference)
    with pytest.raises(NotFound):
        give_feedback(policy_member, intake_signal.reference, {"message": "Ik doe het wel."})
    with pytest.raises(NotFound):
        resolve_signal(policy_member, intake_signal.reference, RESOLUTION)

    assert snapshot(intake_signal) == before


def test_a_group_member_who_may_see_but_does_not_own_is_forbidden(
    make_user: MakeUser,
    clock: Clock,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    # A policy-group member with a line manager reports a signal: they may see it, the
    # manager owns it, and their group membership does not make them an owner.
    policy_member = make_user("member", groups=["beleid"], manager=manager, name="Bert Beleid")
    own = submit_signal(policy_member, signal_data)
    before = snapshot(own)

    assert get_visible_signal(policy_member, own.reference).id == own.id
    with pytest.raises(Forbidden, match="Alleen de eigenaar"):
        give_feedback(policy_member, own.reference, {"message": "Zelf afgehandeld."})
    with pytest.raises(Forbidden):
        resolve_signal(policy_member, own.reference, RESOLUTION)

    assert snapshot(own) == before


def test_the_reporter_may_see_but_not_act(signal: Signal, reporter: User) -> None:
    before = snapshot(signal)

    assert get_visible_signal(reporter, signal.reference).id == signal.id
    with pytest.raises(Forbidden):
        give_feedback(reporter, signal.reference, {"message": "Hoe staat het ervoor?"})
    with pytest.raises(Forbidden):
        resolve_signal(reporter, signal.reference, RESOLUTION)

    assert snapshot(signal) == before


def test_an_admin_may_see_but_not_act(signal: Signal, intake_signal: Signal, admin: User) -> None:
    before = (snapshot(signal), snapshot(intake_signal))

    assert get_visible_signal(admin, signal.reference).id == signal.id
    assert get_visible_signal(admin, intake_signal.reference).id == intake_signal.id
    for target in (signal, intake_signal):
        with pytest.raises(Forbidden):
            give_feedback(admin, target.reference, {"message": "Beheer kijkt mee."})
        with pytest.raises(Forbidden):
            resolve_signal(admin, target.reference, RESOLUTION)

    assert (snapshot(signal), snapshot(intake_signal)) == before


def test_an_outsider_cannot_see_a_signal_and_an_unknown_reference_is_not_found(
    signal: Signal, outsider: User, manager: User
) -> None:
    with pytest.raises(NotFound, match="bestaat niet of u heeft er geen toegang toe"):
        get_visible_signal(outsider, signal.reference)
    with pytest.raises(NotFound):
        give_feedback(manager, "KM-2026-999999", {"message": "Bestaat niet."})
    with pytest.raises(NotFound):
        resolve_signal(outsider, signal.reference, RESOLUTION)


# Who may act is decided before the input is judged ------------------------------------------


def test_a_non_owner_with_empty_input_is_told_it_is_not_theirs(
    signal: Signal, reporter: User
) -> None:
    with pytest.raises(Forbidden):
        give_feedback(reporter, signal.reference, {})
    with pytest.raises(Forbidden):
        resolve_signal(reporter, signal.reference, {})


def test_empty_input_on_a_resolved_signal_is_told_it_is_closed(
    signal: Signal, manager: User
) -> None:
    resolve_signal(manager, signal.reference, RESOLUTION)

    with pytest.raises(StateConflict):
        give_feedback(manager, signal.reference, {})
    with pytest.raises(StateConflict):
        resolve_signal(manager, signal.reference, {})


def test_feedback_marks_the_signal_as_updated(signal: Signal, manager: User, clock: Clock) -> None:
    clock.set(clock.now() + timedelta(hours=5))
    give_feedback(manager, signal.reference, {"message": "We bespreken het donderdag."})

    db.session.expire_all()
    assert db.session.get(Signal, signal.id).updated_at == clock.now()  # type: ignore[union-attr]
