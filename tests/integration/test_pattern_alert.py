"""The pattern alert: the third similar unlinked signal alerts the policy node, once per set."""

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.kwesties.models import PatternAlert
from signals.kwesties.patterns import check_patterns, fingerprint
from signals.kwesties.services import create_kwestie, link_signal
from signals.notifications.models import OutboxMessage
from signals.transaction import unit_of_work
from signals.workflow.models import Signal
from signals.workflow.services import forward_signal, submit_signal
from tests.fixtures.app import Configure
from tests.helpers import MakeUser

SUBJECT = "Zien we dit vaker? Signalen over Participatiewet bij UWV"


def alerts() -> list[PatternAlert]:
    db.session.expire_all()
    return list(db.session.scalars(select(PatternAlert).order_by(PatternAlert.id)))


def alert_mails() -> list[OutboxMessage]:
    db.session.expire_all()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.kind == "pattern_alert")
        .order_by(OutboxMessage.id)
    )
    return list(db.session.scalars(query))


@pytest.fixture
def uwv_signal(signal_data: dict[str, Any]) -> dict[str, Any]:
    """A signal about the Participatiewet as UWV carries it out."""
    return {
        **signal_data,
        "level": "other_organisation_practice",
        "source_organisation": "uwv",
        "regulations": ["participatiewet"],
    }


@pytest.fixture
def policy_people(make_user: MakeUser) -> list[User]:
    """Two active members of beleid (one also in another group); one left, one elsewhere."""
    first = make_user("member", groups=["beleid"], name="Bas Beleid")
    second = make_user("member", groups=["beleid", "bestuur"], name="Bo Beleid")
    gone = make_user("member", groups=["beleid"], name="Oud Lid")
    gone.active = False
    db.session.commit()
    make_user("member", groups=["kwestietafel"], name="Kees Tafel")
    return [first, second]


@pytest.fixture
def submit(
    clock: Clock, reporter: User, uwv_signal: dict[str, Any]
) -> Iterator[Callable[..., Signal]]:
    def submit_one(title: str = "Uitkering UWV stopt te vroeg", **changes: Any) -> Signal:
        return submit_signal(reporter, {**uwv_signal, "title": title, **changes})

    yield submit_one


def test_the_third_similar_signal_alerts_each_policy_member_once(
    submit: Callable[..., Signal], policy_people: list[User]
) -> None:
    first = submit("Uitkering UWV stopt te vroeg")
    second = submit("Betaling UWV komt te laat")
    assert alerts() == [] and alert_mails() == []

    third = submit("Weer een gat tussen UWV en bijstand")

    [alert] = alerts()
    ids = sorted(signal.id for signal in (first, second, third))
    assert (alert.regulation, alert.source_organisation, alert.signal_ids) == (
        "participatiewet",
        "uwv",
        ids,
    )
    assert alert.fingerprint == fingerprint(ids)
    mails = alert_mails()
    assert [mail.recipient for mail in mails] == [person.email for person in policy_people]
    for mail in mails:
        assert mail.subject == SUBJECT
        assert mail.signal_id is None
        # The signals lie with the reporter's teamleider: beleid may not open them.
        for signal in (first, second, third):
            for text in (mail.subject, mail.body_text, mail.body_html):
                assert signal.reference not in text and signal.title not in text
        assert "3 of meer signalen binnengekomen over Participatiewet bij UWV" in mail.body_text
        assert "u kunt ze niet openen" in mail.body_text
        assert (
            "Kwestie aanmaken: http://signalen.test/kwesties/nieuw?"
            "regulation=participatiewet&source_organisation=uwv"
        ) in mail.body_text
    assert "Beste Bas Beleid" in mails[0].body_text


def test_each_member_reads_only_the_signals_they_may_open(
    submit: Callable[..., Signal],
    policy_people: list[User],
    manager: User,
    uwv_signal: dict[str, Any],
) -> None:
    bas, bo = policy_people
    at_teamleider = submit("Uitkering UWV stopt te vroeg")
    forwarded = submit("Betaling UWV komt te laat")
    forward_signal(manager, forwarded.reference, {"to": "casuistiek"})
    by_bas = submit_signal(bas, {**uwv_signal, "title": "Bas meldt zelf een gat bij UWV"})

    mails = {mail.recipient: mail for mail in alert_mails()}
    assert set(mails) == {bas.email, bo.email}
    bas_text = mails[bas.email].body_text
    assert f'- {by_bas.reference} "{by_bas.title}"' in bas_text  # his own signal
    assert "Dit signaal kunt u openen" in bas_text and "De andere liggen bij" in bas_text
    for signal in (at_teamleider, forwarded):
        assert signal.reference not in bas_text and signal.title not in bas_text
    for hidden in (at_teamleider, forwarded, by_bas):
        for text in (mails[bo.email].body_text, mails[bo.email].body_html):
            assert hidden.reference not in text and hidden.title not in text


def test_signals_at_the_ombudsman_do_not_make_a_pattern(
    submit: Callable[..., Signal], policy_people: list[User], manager: User
) -> None:
    first = submit()
    forward_signal(manager, first.reference, {"to": "ombudsman"})
    submit()
    submit()

    assert alerts() == [] and alert_mails() == []  # two outside the closed room: no pattern

    submit()
    [alert] = alerts()
    assert first.id not in alert.signal_ids


def test_unrelated_signals_do_not_alert(
    submit: Callable[..., Signal], policy_people: list[User], signal_data: dict[str, Any]
) -> None:
    submit()
    submit()
    submit()
    assert len(alert_mails()) == 2

    submit(regulations=["wmo"])
    submit(source_organisation="svb")
    submit(level="municipal_practice", source_organisation=None)
    submit(regulations=["wmo", "awb"])

    assert len(alerts()) == 1
    assert len(alert_mails()) == 2


def test_a_linked_signal_does_not_count(
    submit: Callable[..., Signal], policy_people: list[User], manager: User
) -> None:
    first = submit()
    submit()
    kwestie = create_kwestie(
        manager,
        {"title": "UWV stopt te vroeg", "node": "landelijk", "from_signal": first.reference},
    )
    assert kwestie.id is not None

    submit()

    assert alerts() == [] and alert_mails() == []
    assert len(list(db.session.scalars(select(Signal)))) == 3


def test_a_fourth_signal_makes_a_new_set_but_an_old_set_never_alerts_again(
    submit: Callable[..., Signal], policy_people: list[User], manager: User
) -> None:
    signals = [submit(f"Signaal {number}") for number in range(1, 4)]
    fourth = submit("Signaal 4")

    first_alert, second_alert = alerts()
    assert first_alert.signal_ids == sorted(signal.id for signal in signals)
    assert second_alert.signal_ids == sorted(signal.id for signal in [*signals, fourth])
    assert [mail.subject for mail in alert_mails()] == [SUBJECT] * 4

    # Linking the fourth brings the first set back: it has been seen already.
    link_signal(
        manager,
        fourth.reference,
        {"kwestie": create_kwestie(manager, {"title": "UWV", "node": "beleid"}).id},
    )
    with unit_of_work():
        again = check_patterns(signals[-1])
    assert again == []
    assert len(alerts()) == 2 and len(alert_mails()) == 4


def test_only_signals_within_the_window_count(
    clock: Clock, submit: Callable[..., Signal], policy_people: list[User]
) -> None:
    start = clock.now()
    submit()
    clock.set(start + timedelta(days=20))
    submit()
    clock.set(start + timedelta(days=31))  # the first is now older than 30 days
    submit()
    assert alerts() == []

    clock.set(start + timedelta(days=45))
    submit()
    [alert] = alerts()
    assert len(alert.signal_ids) == 3


def test_the_threshold_and_window_are_configurable(
    configure: Configure, submit: Callable[..., Signal], policy_people: list[User]
) -> None:
    configure(pattern_alert_threshold=2)
    submit()
    assert alerts() == []
    submit()
    assert len(alerts()) == 1
    assert "2 of meer signalen" in alert_mails()[0].body_text


def test_a_signal_about_two_regulations_alerts_per_regulation_but_a_set_only_once(
    submit: Callable[..., Signal], policy_people: list[User]
) -> None:
    both = ["participatiewet", "toeslagen"]
    submit(regulations=both)
    submit(regulations=both)
    assert alerts() == []

    submit(regulations=both)

    # The same three signals for both regulations: one set, one alert.
    [alert] = alerts()
    assert (alert.regulation, len(alert.signal_ids)) == ("participatiewet", 3)
    assert len(alert_mails()) == 2

    submit(regulations=["toeslagen"])
    submit(regulations=["participatiewet", "awb"])

    # toeslagen: a set of four; participatiewet: another set of four; awb: one signal.
    assert [(alert.regulation, len(alert.signal_ids)) for alert in alerts()] == [
        ("participatiewet", 3),
        ("toeslagen", 4),
        ("participatiewet", 4),
    ]
    assert len(alert_mails()) == 6
    assert "Toeslagen (kinderopvang-, huur-, zorgtoeslag)" in alert_mails()[2].subject


def test_the_same_set_in_two_transactions_at_once_alerts_once(
    app: Flask, configure: Configure, submit: Callable[..., Signal], policy_people: list[User]
) -> None:
    configure(pattern_alert_threshold=99)
    signals = [submit() for _ in range(3)]
    configure(pattern_alert_threshold=3)
    signal_id = signals[-1].id
    barrier = threading.Barrier(2)
    made: list[int] = []

    def check() -> None:
        with app.app_context():
            signal = db.session.get(Signal, signal_id)
            assert signal is not None
            barrier.wait()
            with unit_of_work():
                made.append(len(check_patterns(signal)))
            db.session.remove()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(made) == [0, 1]
    assert len(alerts()) == 1
    assert len(alert_mails()) == len(policy_people)
    count = db.session.scalar(select(func.count()).select_from(PatternAlert))
    assert count == 1
