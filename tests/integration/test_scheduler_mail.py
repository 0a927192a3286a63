"""The sweep's e-mails: a person is greeted by name, a group's members as the group, each once."""

from typing import Any

from sqlalchemy import select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.scheduler.clock_sweep import run_clock_work
from signals.workflow.services import submit_signal
from tests.fixtures.app import START
from tests.helpers import MakeUser

AFTER_ACCEPT_DEADLINE = START.replace(day=26)  # Thursday: the 2-working-day clock has passed


def breach_mails() -> dict[str, OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == "deadline_breached")
    return {mail.recipient: mail for mail in db.session.scalars(query)}


def test_a_person_is_greeted_by_name_and_a_groups_members_as_that_group(
    clock: Clock,
    manager: User,
    reporter: User,
    partner_reporter: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    members = [make_user("member", groups=["intake"]) for _ in range(3)]
    emails = {member.email for member in members}
    manager_email, manager_name = manager.email, manager.name
    submit_signal(reporter, signal_data)  # teamleider: the reporter's manager owns it
    submit_signal(partner_reporter, signal_data)  # the intake group owns it

    run_clock_work(AFTER_ACCEPT_DEADLINE)

    mails = breach_mails()
    assert mails[manager_email].body_text.startswith(f"Beste {manager_name},")
    group_mails = [mails[email] for email in sorted(emails)]
    greeting = "Beste leden van Centrale intake signalen,"
    assert all(mail.body_text.startswith(greeting) for mail in group_mails)
    assert all(greeting in mail.body_html for mail in group_mails)
    # One message each, with its own Message-ID, though the body was written once.
    assert len({mail.message_id for mail in group_mails}) == 3
