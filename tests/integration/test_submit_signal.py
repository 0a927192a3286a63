"""Submitting a signal: routing to the first owner, the reference, the event and the receipt."""

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.errors import InputInvalid
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.workflow.inbox import inbox_page
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import submit_signal


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_staff_signal_goes_to_the_line_manager_with_receipt_and_owner_mail(
    clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)

    assert re.fullmatch(r"KM-2026-\d{6}", signal.reference)
    assert signal.status == "new"
    assert signal.node == "teamleider"
    assert signal.owner_user_id == manager.id and signal.owner_group is None
    assert signal.regulations == ["participatiewet"]
    assert signal.created_at == clock.now()
    events = db.session.scalars(select(SignalEvent).where(SignalEvent.signal_id == signal.id)).all()
    assert [(event.type, event.actor_id) for event in events] == [("submitted", reporter.id)]
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(mail.kind, mail.recipient) for mail in mails] == [
        ("receipt", reporter.email),
        ("new_signal", manager.email),
    ]
    receipt = mails[0]
    assert signal.reference in receipt.subject
    assert f"http://signalen.test/signalen/{signal.reference}" in receipt.body_text
    assert f"http://signalen.test/signalen/{signal.reference}" in receipt.body_html
    assert receipt.status == "pending"


def test_partner_signal_without_line_manager_goes_to_the_intake_group(
    clock: Clock, partner_reporter: User, intake_member: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(partner_reporter, signal_data)

    assert signal.node == "intake"
    assert signal.owner_group == "intake" and signal.owner_user_id is None
    inbox = inbox_page(intake_member, {}, clock.now())
    assert [item.reference for item in inbox.signals] == [signal.reference]
    owner_mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "new_signal")
    ).all()
    assert [mail.recipient for mail in owner_mails] == [intake_member.email]


def test_references_count_up_per_year(
    clock: Clock, reporter: User, signal_data: dict[str, Any]
) -> None:
    first = submit_signal(reporter, signal_data).reference
    second = submit_signal(reporter, signal_data).reference
    assert int(second[-6:]) == int(first[-6:]) + 1
    clock.set(clock.now().replace(year=2027, month=1, day=4))
    assert submit_signal(reporter, signal_data).reference == "KM-2027-000001"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "Dit veld is verplicht."),
        ({"title": "x" * 151}, "title", "Maximaal 150 tekens."),
        ({"situation": "   "}, "situation", "Dit veld is verplicht."),
        ({"situation": "Het BSN is 111222333, zie dossier."}, "situation", "burgerservicenummer"),
        ({"resident_experience": "bsn 1234.56.782"}, "resident_experience", "burgerservicenummer"),
        ({"regulations": ["participatiewet", "belastingwet"]}, "regulations", "Onbekende keuze"),
        ({"regulations": []}, "regulations", "Kies ten minste één."),
        ({"level": "galactic"}, "level", "Onbekende keuze: galactic."),
        ({"level": "other_organisation_practice"}, "source_organisation", "bij welke organisatie"),
        ({"maatwerk": "applied"}, "maatwerk_grounds", "op welke grond"),
        ({"urgency": None}, "urgency", "Dit veld is verplicht."),
        ({"colour": "red"}, "colour", "Onbekend veld."),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_stored(
    reporter: User, signal_data: dict[str, Any], change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InputInvalid) as refused:
        submit_signal(reporter, {**signal_data, **change})

    assert any(message in text for text in refused.value.fields[field])
    assert count(Signal) == 0
    assert count(SignalEvent) == 0
    assert count(OutboxMessage) == 0


def test_a_nine_digit_number_that_fails_the_elfproef_is_accepted(
    clock: Clock, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, {**signal_data, "situation": "Dossiernummer 123456789."})
    assert signal.situation == "Dossiernummer 123456789."


def test_a_failure_while_writing_the_outbox_rolls_back_the_whole_submission(
    clock: Clock, reporter: User, signal_data: dict[str, Any]
) -> None:
    from sqlalchemy import event

    def refuse_outbox(*_args: Any) -> None:
        raise RuntimeError("outbox unavailable")

    event.listen(OutboxMessage, "before_insert", refuse_outbox)
    try:
        with pytest.raises(RuntimeError):
            submit_signal(reporter, signal_data)
    finally:
        event.remove(OutboxMessage, "before_insert", refuse_outbox)

    assert count(Signal) == 0
    assert count(SignalEvent) == 0
    assert count(OutboxMessage) == 0
