"""What e-mail says: quoted titles, no stray empty lines, the owner named once, groups greeted
as the group, kwesties named by their identifier, a count with its noun in the right number."""

import re
from collections import Counter
from typing import Any

from signals.auth.models import User
from signals.clock import Clock
from signals.kwesties.services import create_kwestie, decide_kwestie, kwestie_message, link_signal
from signals.notifications.models import OutboxMessage
from signals.workflow.services import (
    accept_signal,
    forward_signal,
    reopen_signal,
    resolve_signal,
    submit_signal,
)
from tests.fixtures.outbox import outbox
from tests.helpers import RESOLUTION, MakeUser

TITLE_WITH_FULL_STOP = "Inkomensgat bij de start van werk."
QUOTED_TITLE = '"Inkomensgat bij de start van werk"'
INTAKE = "Centrale intake signalen"
CASUISTIEK = "Multidomein casuïstiekbespreking"


def mails(kind: str, recipient: str | None = None) -> list[OutboxMessage]:
    return [
        mail
        for mail in outbox()
        if mail.kind == kind and (recipient is None or mail.recipient == recipient)
    ]


def assert_well_punctuated(mail: OutboxMessage) -> None:
    """No doubled punctuation after a quoted title, no empty line too many, in either body."""
    for body in (mail.body_text, mail.body_html):
        assert '.".' not in body and ".&#34;." not in body, mail.kind
        assert ".." not in body.replace("...", ""), mail.kind
    assert "\n\n\n" not in mail.body_text, (mail.kind, mail.body_text)
    assert not mail.body_text.startswith("\n"), mail.kind


def test_a_title_ending_in_a_full_stop_is_quoted_once_in_every_mail(
    clock: Clock,
    partner_reporter: User,
    intake_member: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    make_user("member", groups=["casuistiek"])
    signal_data["title"] = TITLE_WITH_FULL_STOP
    signal = submit_signal(partner_reporter, signal_data)
    accept_signal(intake_member, signal.reference, {})
    forward_signal(intake_member, signal.reference, {"to": "casuistiek"})

    [receipt] = mails("receipt")
    assert f"Bedankt voor uw signaal {QUOTED_TITLE}. Het is ontvangen" in receipt.body_text
    [new_signal] = mails("new_signal", intake_member.email)
    assert f"{signal.reference} {QUOTED_TITLE}.\n" in new_signal.body_text
    [accepted] = mails("accepted")
    assert f"uw signaal {signal.reference} {QUOTED_TITLE} in behandeling" in accepted.body_text
    assert len(outbox()) >= 5
    for mail in outbox():
        assert_well_punctuated(mail)


def test_a_forward_without_a_message_leaves_no_empty_line(
    clock: Clock,
    partner_reporter: User,
    intake_member: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    make_user("member", groups=["casuistiek"])
    silent = submit_signal(partner_reporter, signal_data)
    explained = submit_signal(partner_reporter, signal_data)
    for signal in (silent, explained):
        accept_signal(intake_member, signal.reference, {})
    forward_signal(intake_member, silent.reference, {"to": "casuistiek"})
    forward_signal(
        intake_member, explained.reference, {"to": "casuistiek", "message": "Dit is structureel."}
    )

    without, with_message = mails("forwarded")
    where = f"Uw signaal ligt nu bij: {CASUISTIEK}.\nU hoort uiterlijk 6 januari 2027"
    assert f"{where} wat er met uw signaal gebeurt.\n\nBekijk het signaal:" in without.body_text
    assert "Toelichting" not in without.body_text
    assert (
        "wat er met uw signaal gebeurt.\n\nToelichting:\nDit is structureel.\n\nBekijk het signaal:"
    ) in with_message.body_text
    for mail in (without, with_message):
        assert_well_punctuated(mail)


def test_the_owner_is_named_once_when_it_is_the_steps_own_group(
    clock: Clock,
    partner_reporter: User,
    reporter: User,
    manager: User,
    intake_member: User,
    signal_data: dict[str, Any],
) -> None:
    submit_signal(partner_reporter, signal_data)  # the intake group owns it at the intake
    submit_signal(reporter, signal_data)  # the reporter's manager owns it at the teamleider

    [group_owned] = mails("receipt", partner_reporter.email)
    assert f"Uw signaal ligt nu bij: {INTAKE}.\n" in group_owned.body_text
    assert "verantwoordelijk" not in group_owned.body_text
    assert f"<strong>{INTAKE}</strong>." in group_owned.body_html
    assert "verantwoordelijk" not in group_owned.body_html
    [person_owned] = mails("receipt", reporter.email)
    assert (
        f"Uw signaal ligt nu bij: Teamleider / teammanager (verantwoordelijk: {manager.name})."
    ) in person_owned.body_text


def test_mail_to_a_group_greets_its_members_as_that_group(
    clock: Clock,
    partner_reporter: User,
    intake_member: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    colleague = make_user("member", groups=["intake"], name="Jeroen Intake")
    signal = submit_signal(partner_reporter, signal_data)
    resolve_signal(intake_member, signal.reference, RESOLUTION)
    reopen_signal(partner_reporter, signal.reference, {"message": "Het speelt weer."})
    owner_reopened = submit_signal(partner_reporter, signal_data)
    resolve_signal(intake_member, owner_reopened.reference, RESOLUTION)
    reopen_signal(intake_member, owner_reopened.reference, {"message": "Toch nog niet klaar."})

    greeting = f"Beste leden van {INTAKE},"
    members = {intake_member.email, colleague.email}
    for kind, per_member in (("new_signal", 2), ("reopened", 1)):
        to_group = [mail for mail in mails(kind) if mail.recipient in members]
        assert Counter(mail.recipient for mail in to_group) == dict.fromkeys(members, per_member)
        for mail in to_group:
            assert mail.body_text.startswith(greeting + "\n"), kind
            assert f"<p>{greeting}</p>" in mail.body_html, kind
    [to_reporter] = mails("reopened", partner_reporter.email)
    assert to_reporter.body_text.startswith(f"Beste {partner_reporter.name},\n")
    assert "collega," not in " ".join(mail.body_text for mail in outbox())


def test_kwestie_mail_subjects_carry_the_kwestie_identifier(
    clock: Clock,
    reporter: User,
    manager: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    policy_member = make_user("member", groups=["beleid"], name="Bo Beleid")
    signal = submit_signal(reporter, signal_data)
    kwestie = create_kwestie(manager, {"title": "Inkomensgat na de bijstand.", "node": "beleid"})
    link_signal(manager, signal.reference, {"kwestie": kwestie.id})
    kwestie_message(policy_member, kwestie.id, {"message": "We agenderen dit."})
    decide_kwestie(policy_member, kwestie.id, RESOLUTION)

    prefix = f"[Kwestie {kwestie.id}] "
    assert [mail.subject for mail in mails("kwestie_new", policy_member.email)] == [
        f"{prefix}Nieuwe kwestie bij u: Inkomensgat na de bijstand."
    ]
    assert [mail.subject for mail in mails("kwestie_message", reporter.email)] == [
        f"{prefix}Bericht over de kwestie: Inkomensgat na de bijstand."
    ]
    [decided] = mails("kwestie_decided", reporter.email)
    assert decided.subject == f"{prefix}Besluit over de kwestie: Inkomensgat na de bijstand."
    assert 'Over de kwestie "Inkomensgat na de bijstand" is besloten' in decided.body_text
    assert "Dit besluit geldt voor uw signaal:" in decided.body_text
    for mail in outbox():
        assert_well_punctuated(mail)
    # Signal mail keeps its own identifier: the reference, not a kwestie's.
    assert all(
        re.match(r"\[KM-\d{4}-\d{6}\] ", mail.subject)
        for mail in outbox()
        if not mail.kind.startswith("kwestie_") or mail.kind == "kwestie_linked"
    )
