"""Kwesties: create, link, message and decide; one e-mail per reporter; suggestions; web pages."""

import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import ColumnElement, func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.errors import Forbidden, InputInvalid, NotFound, StaleVersion, StateConflict
from signals.extensions import db
from signals.kwesties.models import Kwestie, KwestieEvent
from signals.kwesties.services import (
    create_kwestie,
    decide_kwestie,
    get_visible_kwestie,
    kwestie_message,
    link_signal,
    list_kwesties,
    suggest_for,
)
from signals.notifications.models import OutboxMessage
from signals.validation import NOT_ONE_LINE
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import resolve_signal, submit_signal
from tests.helpers import Login, MakeUser, fresh

REQUIRED = "Dit veld is verplicht."
DECISION = {
    "outcome": "policy_changed",
    "rationale": "De werkinstructie is aangepast: voortaan een voorschot op het eerste loon.",
    "message": "Dank voor uw signalen; de werkinstructie is per 1 januari aangepast.",
}
KWESTIE = {
    "title": "Inkomensgat bij de overgang van bijstand naar werk",
    "regulation": "participatiewet",
    "level": "municipal_practice",
    "node": "beleid",
}


# Helpers and fixtures ------------------------------------------------------------------------


def count(model: type, *where: ColumnElement[bool]) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def mails(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def snapshot(kwestie: Kwestie) -> tuple[Any, ...]:
    """Everything a kwestie action could change, read fresh from the database."""
    kwestie = fresh(kwestie)
    signals = db.session.scalars(select(Signal).order_by(Signal.id))
    events = db.session.scalars(select(KwestieEvent).order_by(KwestieEvent.id))
    signal_events = db.session.scalars(select(SignalEvent).order_by(SignalEvent.id))
    outbox = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return (
        (kwestie.status, kwestie.outcome, kwestie.rationale, kwestie.version),
        [(s.status, s.outcome, s.rationale, s.kwestie_id, s.version) for s in signals],
        [(event.type, event.data) for event in events],
        [(event.signal_id, event.type) for event in signal_events],
        [(mail.kind, mail.recipient) for mail in outbox],
    )


@pytest.fixture
def policy_member(make_user: MakeUser) -> User:
    return make_user("member", groups=["beleid"], name="Bas Beleid")


@pytest.fixture
def reporters(make_user: MakeUser, manager: User) -> list[User]:
    """Three professionals of the same team, all led by ``manager``."""
    return [
        make_user("professional", manager=manager, name=name)
        for name in ("Anna Consulent", "Bram Consulent", "Chris Consulent")
    ]


def submit(reporter: User, signal_data: dict[str, Any], **changes: Any) -> Signal:
    return submit_signal(reporter, {**signal_data, **changes})


def new_kwestie(actor: User, **changes: Any) -> Kwestie:
    return create_kwestie(actor, {**KWESTIE, **changes})


# The done-when scenario ----------------------------------------------------------------------


def test_one_decision_reaches_three_reporters_once_and_resolves_their_signals(
    clock: Clock,
    manager: User,
    policy_member: User,
    reporters: list[User],
    signal_data: dict[str, Any],
) -> None:
    signals = [submit(reporter, signal_data) for reporter in reporters]
    kwestie = new_kwestie(manager)
    assert (kwestie.node, kwestie.owner_group, kwestie.owner_user_id) == ("beleid", "beleid", None)
    for signal in signals:
        link_signal(manager, signal.reference, {"kwestie": kwestie.id})
    assert [mail.recipient for mail in mails("kwestie_linked")] == [r.email for r in reporters]

    decide_kwestie(policy_member, kwestie.id, DECISION)

    decided = fresh(kwestie)
    assert (decided.status, decided.outcome, decided.rationale) == (
        "decided",
        DECISION["outcome"],
        DECISION["rationale"],
    )
    assert decided.decided_at == clock.now()
    for signal in signals:
        stored = fresh(signal)
        assert (stored.status, stored.outcome, stored.rationale) == (
            "resolved",
            DECISION["outcome"],
            DECISION["rationale"],
        )
        assert stored.resolved_at == clock.now()
        [event] = [event for event in stored.events if event.type == "resolved"]
        assert event.actor_id == policy_member.id
        assert event.data == {**DECISION, "kwestie": kwestie.id}

    decision_mails = mails("kwestie_decided")
    assert Counter(mail.recipient for mail in decision_mails) == Counter(
        {reporter.email: 1 for reporter in reporters}
    )
    for reporter, signal, mail in zip(reporters, signals, decision_mails, strict=True):
        assert mail.recipient == reporter.email
        assert mail.subject == f"[Kwestie {kwestie.id}] Besluit over de kwestie: {KWESTIE['title']}"
        assert signal.reference in mail.body_text
        assert "Beleid of werkinstructie aangepast" in mail.body_text
        assert DECISION["rationale"] in mail.body_text and DECISION["message"] in mail.body_text
        others = [other.reference for other in signals if other is not signal]
        assert not any(reference in mail.body_text for reference in others)
        assert f"http://signalen.test/kwesties/{kwestie.id}" in mail.body_text
        assert signal.reference in mail.body_html
    assert mails("resolved") == []  # the kwestie's mail is the only one
    [decided_event] = [event for event in decided.events if event.type == "decided"]
    assert decided_event.data["resolved"] == [signal.reference for signal in signals]


def test_a_reporter_with_two_linked_signals_gets_one_mail_per_message_and_decision(
    clock: Clock,
    manager: User,
    policy_member: User,
    reporters: list[User],
    signal_data: dict[str, Any],
) -> None:
    anna, bram = reporters[:2]
    signals = [
        submit(anna, signal_data),
        submit(anna, signal_data, title="Tweede keer een gat"),
        submit(bram, signal_data),
    ]
    kwestie = new_kwestie(manager)
    for signal in signals:
        link_signal(manager, signal.reference, {"kwestie": kwestie.id})

    kwestie_message(policy_member, kwestie.id, {"message": "We agenderen dit bij de wethouder."})

    messages = mails("kwestie_message")
    assert [mail.recipient for mail in messages] == [anna.email, bram.email]
    assert signals[0].reference in messages[0].body_text
    assert signals[1].reference in messages[0].body_text
    assert "één keer voor uw 2 signalen" in messages[0].body_text
    assert signals[2].reference not in messages[0].body_text
    for signal in signals:
        feedback = [event for event in fresh(signal).events if event.type == "feedback_sent"]
        assert [event.data for event in feedback] == [
            {"message": "We agenderen dit bij de wethouder.", "kwestie": kwestie.id}
        ]
    assert [event.type for event in fresh(kwestie).events][-1] == "message"

    decide_kwestie(policy_member, kwestie.id, DECISION)

    assert [mail.recipient for mail in mails("kwestie_decided")] == [anna.email, bram.email]
    assert all(fresh(signal).status == "resolved" for signal in signals)


def test_a_signal_resolved_before_the_decision_keeps_its_own_outcome(
    clock: Clock,
    manager: User,
    policy_member: User,
    reporters: list[User],
    signal_data: dict[str, Any],
) -> None:
    early, late = (submit(reporter, signal_data) for reporter in reporters[:2])
    kwestie = new_kwestie(manager)
    for signal in (early, late):
        link_signal(manager, signal.reference, {"kwestie": kwestie.id})
    own = {"outcome": "solved_individually", "rationale": "Maatwerk.", "message": "Opgelost."}
    resolve_signal(manager, early.reference, own)

    decide_kwestie(policy_member, kwestie.id, DECISION)

    kept = fresh(early)
    assert (kept.outcome, kept.rationale) == ("solved_individually", "Maatwerk.")
    assert fresh(late).outcome == DECISION["outcome"]
    first, second = mails("kwestie_decided")
    assert first.recipient == reporters[0].email and "was al afgehandeld" in first.body_text
    assert second.recipient == reporters[1].email and "hiermee afgehandeld" in second.body_text


# Refusals change nothing ---------------------------------------------------------------------


@pytest.fixture
def linked(
    clock: Clock, manager: User, policy_member: User, reporter: User, signal_data: dict[str, Any]
) -> tuple[Kwestie, Signal]:
    """An open kwestie at beleid with one linked signal of ``reporter``."""
    signal = submit(reporter, signal_data)
    kwestie = new_kwestie(manager)
    link_signal(manager, signal.reference, {"kwestie": kwestie.id})
    return kwestie, signal


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**DECISION, "rationale": ""}, {"rationale": [REQUIRED]}),
        ({"outcome": "policy_changed"}, {"rationale": [REQUIRED], "message": [REQUIRED]}),
        ({**DECISION, "outcome": "weet_niet"}, {"outcome": ["Onbekende keuze: weet_niet."]}),
        ({**DECISION, "rationale": "BSN 111222333"}, "rationale"),
    ],
)
def test_a_decision_needs_outcome_rationale_and_message(
    linked: tuple[Kwestie, Signal], policy_member: User, data: dict[str, Any], expected: Any
) -> None:
    kwestie, _signal = linked
    before = snapshot(kwestie)

    with pytest.raises(InputInvalid) as refused:
        decide_kwestie(policy_member, kwestie.id, data)

    if isinstance(expected, str):
        assert "burgerservicenummer" in refused.value.fields[expected][0]
    else:
        assert refused.value.fields == expected
    db.session.rollback()
    assert snapshot(kwestie) == before


def test_only_the_kwestie_owner_decides_or_sends_messages(
    linked: tuple[Kwestie, Signal], manager: User, reporter: User, outsider: User, admin: User
) -> None:
    kwestie, _signal = linked
    before = snapshot(kwestie)

    for person in (manager, reporter, admin):
        with pytest.raises(Forbidden, match="Alleen de eigenaar van deze kwestie"):
            decide_kwestie(person, kwestie.id, DECISION)
        with pytest.raises(Forbidden):
            kwestie_message(person, kwestie.id, {"message": "Hallo"})
        db.session.rollback()
    with pytest.raises(NotFound):  # the outsider may not even know it exists
        decide_kwestie(outsider, kwestie.id, DECISION)
    db.session.rollback()
    assert snapshot(kwestie) == before


def test_deciding_twice_or_on_a_stale_version_is_refused(
    linked: tuple[Kwestie, Signal], policy_member: User
) -> None:
    kwestie, _signal = linked
    seen = kwestie.version
    kwestie_message(policy_member, kwestie.id, {"message": "Tussenstand."})
    before = snapshot(kwestie)

    with pytest.raises(StaleVersion):
        decide_kwestie(policy_member, kwestie.id, {**DECISION, "version": seen})
    db.session.rollback()
    assert snapshot(kwestie) == before

    decide_kwestie(policy_member, kwestie.id, DECISION)
    with pytest.raises(StateConflict, match="al besloten"):
        decide_kwestie(policy_member, kwestie.id, DECISION)


def test_linking_a_resolved_signal_is_not_allowed(
    clock: Clock, manager: User, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit(reporter, signal_data)
    resolve_signal(
        manager, signal.reference, {"outcome": "referred", "rationale": "Elders.", "message": "Zie"}
    )
    kwestie = new_kwestie(manager)

    with pytest.raises(StateConflict, match="al afgehandeld"):
        link_signal(manager, signal.reference, {"kwestie": kwestie.id})
    db.session.rollback()
    assert fresh(signal).kwestie_id is None
    assert mails("kwestie_linked") == []


def test_linking_to_a_decided_kwestie_is_refused(
    linked: tuple[Kwestie, Signal],
    manager: User,
    policy_member: User,
    reporter: User,
    signal_data: dict[str, Any],
) -> None:
    kwestie, _signal = linked
    decide_kwestie(policy_member, kwestie.id, DECISION)
    later = submit(reporter, signal_data)

    with pytest.raises(StateConflict, match="al besloten"):
        link_signal(manager, later.reference, {"kwestie": kwestie.id})
    db.session.rollback()
    assert fresh(later).kwestie_id is None
    assert fresh(later).status == "new"


def test_linking_needs_the_signal_owner_and_a_known_kwestie(
    linked: tuple[Kwestie, Signal],
    manager: User,
    policy_member: User,
    reporter: User,
    signal_data: dict[str, Any],
) -> None:
    kwestie, _signal = linked
    other = submit(reporter, signal_data)

    with pytest.raises(Forbidden):
        link_signal(reporter, other.reference, {"kwestie": kwestie.id})
    db.session.rollback()
    with pytest.raises(NotFound):  # beleid has never seen this signal
        link_signal(policy_member, other.reference, {"kwestie": kwestie.id})
    db.session.rollback()
    for data, message in (
        ({}, "Kies een kwestie."),
        ({"kwestie": "abc"}, "Kies een kwestie uit de lijst."),
        ({"kwestie": 10**12}, "Kies een kwestie uit de lijst."),
    ):
        with pytest.raises(InputInvalid) as refused:
            link_signal(manager, other.reference, data)
        assert refused.value.fields == {"kwestie": [message]}
        db.session.rollback()
    with pytest.raises(InputInvalid) as refused:
        link_signal(manager, other.reference, {"kwestie": kwestie.id + 100})
    assert refused.value.fields == {"kwestie": ["Deze kwestie bestaat niet."]}
    db.session.rollback()
    with pytest.raises(StateConflict, match="al aan deze kwestie gekoppeld"):
        link_signal(manager, _signal.reference, {"kwestie": kwestie.id})
    db.session.rollback()
    assert fresh(other).kwestie_id is None


def test_relinking_moves_the_signal_and_both_kwesties_record_it(
    linked: tuple[Kwestie, Signal], manager: User
) -> None:
    first, signal = linked
    second = new_kwestie(manager, title="Een andere kwestie", node="landelijk")

    link_signal(manager, signal.reference, {"kwestie": second.id})

    assert fresh(signal).kwestie_id == second.id
    assert [event.type for event in fresh(first).events][-1] == "unlinked"
    assert fresh(second).events[-1].data == {"reference": signal.reference}
    assert len(mails("kwestie_linked")) == 2


# Creating ------------------------------------------------------------------------------------


def test_a_kwestie_created_from_a_signal_links_it_in_the_same_step(
    clock: Clock,
    manager: User,
    policy_member: User,
    reporter: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit(reporter, signal_data)

    kwestie = create_kwestie(
        manager, {**KWESTIE, "from_signal": signal.reference, "version": signal.version}
    )

    stored = fresh(signal)
    assert stored.kwestie_id == kwestie.id and stored.status == "new"
    assert [event.type for event in stored.events] == ["submitted", "linked"]
    assert stored.events[-1].data == {
        "kwestie": kwestie.id,
        "title": KWESTIE["title"],
        "previous": None,
    }
    events = fresh(kwestie).events
    assert [(event.type, event.actor_id) for event in events] == [
        ("created", manager.id),
        ("linked", manager.id),
    ]
    assert events[0].data == {"node": "beleid", "from_signal": signal.reference}
    [told] = mails("kwestie_linked")
    assert told.recipient == reporter.email and told.signal_id == signal.id
    assert f"Uw signaal {signal.reference}" in told.body_text
    assert f'gekoppeld aan de kwestie "{KWESTIE["title"]}"' in told.body_text
    assert [mail.recipient for mail in mails("kwestie_new")] == [policy_member.email]


def test_creating_from_a_signal_needs_the_right_to_link_it(
    clock: Clock,
    manager: User,
    make_user: MakeUser,
    reporter: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit(reporter, signal_data)
    other_manager = make_user("manager", name="Andere Teamleider")

    with pytest.raises(NotFound):
        create_kwestie(other_manager, {**KWESTIE, "from_signal": signal.reference})
    db.session.rollback()
    with pytest.raises(Forbidden):  # a reporter handles no signals
        create_kwestie(reporter, {**KWESTIE, "from_signal": signal.reference})
    db.session.rollback()
    with pytest.raises(StaleVersion):
        create_kwestie(manager, {**KWESTIE, "from_signal": signal.reference, "version": 99})
    db.session.rollback()
    assert count(Kwestie) == 0


@pytest.mark.parametrize("node", ["teamleider", "kwestietafel", "nergens"])
def test_a_kwestie_goes_only_to_a_policy_board_or_independent_node(
    clock: Clock, manager: User, node: str
) -> None:
    with pytest.raises(InputInvalid) as refused:
        new_kwestie(manager, node=node)

    [message] = refused.value.fields["node"]
    assert message.startswith("Een kwestie kan alleen liggen bij: Beleid Armoede en Schulden")
    assert "Teamleider" not in message
    assert count(Kwestie) == 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"node": "beleid"}, {"title": [REQUIRED]}),
        ({**KWESTIE, "regulation": "grondwet"}, {"regulation": ["Onbekende keuze: grondwet."]}),
        ({**KWESTIE, "spam": "x"}, {"spam": ["Onbekend veld."]}),
        ({"title": "Zonder plek"}, {"node": [REQUIRED]}),
        (
            {**KWESTIE, "title": "Onbereikbaar\r\nBcc: iedereen@example.org"},
            {"title": [NOT_ONE_LINE]},
        ),
    ],
)
def test_a_kwestie_input_is_validated_in_dutch(
    clock: Clock, manager: User, data: dict[str, Any], expected: dict[str, list[str]]
) -> None:
    with pytest.raises(InputInvalid) as refused:
        create_kwestie(manager, data)
    assert refused.value.fields == expected
    assert count(Kwestie) == 0


def test_the_owner_follows_the_node_with_the_actor_as_reporter(
    clock: Clock, manager: User, make_user: MakeUser
) -> None:
    kwestie = new_kwestie(manager, node="ombudsman", title="Onbereikbaar   loket")
    assert (kwestie.owner_group, kwestie.title) == ("ombudsman", "Onbereikbaar loket")
    assert new_kwestie(manager, node="landelijk").owner_group == "landelijk"


# Who sees what -------------------------------------------------------------------------------


def test_reporters_see_the_kwesties_of_their_own_signals_only(
    linked: tuple[Kwestie, Signal],
    manager: User,
    policy_member: User,
    reporter: User,
    outsider: User,
    admin: User,
) -> None:
    kwestie, _signal = linked
    unrelated = new_kwestie(manager, title="Iets anders")

    assert [row.kwestie.id for row in list_kwesties(reporter)] == [kwestie.id]
    assert list_kwesties(outsider) == []
    for person in (manager, policy_member, admin):
        assert {row.kwestie.id for row in list_kwesties(person)} == {kwestie.id, unrelated.id}
    [row] = [row for row in list_kwesties(admin) if row.kwestie.id == kwestie.id]
    assert (row.linked, row.open) == (1, 1)
    assert get_visible_kwestie(reporter, kwestie.id).id == kwestie.id
    for missing in (unrelated.id, 10**15):
        with pytest.raises(NotFound):
            get_visible_kwestie(reporter, missing)
    with pytest.raises(NotFound):
        get_visible_kwestie(outsider, kwestie.id)


# Suggestions ---------------------------------------------------------------------------------


def test_suggestions_rank_the_look_alike_first_and_hide_what_the_user_may_not_see(
    clock: Clock,
    manager: User,
    make_user: MakeUser,
    reporters: list[User],
    signal_data: dict[str, Any],
) -> None:
    anna, bram, _chris = reporters
    other_manager = make_user("manager", name="Teamleider Elders")
    elsewhere = make_user("professional", manager=other_manager, name="Dirk Elders")
    base = {**signal_data, "regulations": ["participatiewet"]}

    subject = submit(anna, base, title="Eerste loon komt te laat na de bijstand")
    similar = submit(bram, base, title="Bijstand stopt, eerste loon komt pas later")
    same_regulation = submit(bram, base, title="Zoekperiode jongeren is te lang")
    hidden = submit(elsewhere, base, title="Eerste loon komt te laat na de bijstand, weer")
    unrelated = submit(
        bram, {**signal_data, "regulations": ["wmo"]}, title="Eerste loon komt te laat"
    )
    linked_away = submit(bram, base, title="Eerste loon komt te laat na bijstand")

    look_alike = new_kwestie(manager, title="Gat tussen bijstand en eerste loon")
    same_regulation_kwestie = new_kwestie(manager, title="Zoekperiode van vier weken")
    other_mechanism = new_kwestie(manager, title="Eerste loon bijstand", regulation="wmo")
    decided = new_kwestie(manager, title="Eerste loon na de bijstand, besloten")
    link_signal(manager, linked_away.reference, {"kwestie": same_regulation_kwestie.id})
    owner = make_user("member", groups=["beleid"])
    decide_kwestie(owner, decided.id, DECISION)

    found = suggest_for(manager, fresh(subject))

    assert [kwestie.id for kwestie in found.kwesties] == [
        look_alike.id,
        same_regulation_kwestie.id,
    ]
    assert [signal.id for signal in found.signals] == [similar.id, same_regulation.id]
    assert other_mechanism.id not in {kwestie.id for kwestie in found.kwesties}
    assert hidden.id not in {signal.id for signal in found.signals}
    assert unrelated.id not in {signal.id for signal in found.signals}

    # The other team's manager sees their own signal, not this team's.
    theirs = suggest_for(other_manager, fresh(hidden))
    assert [signal.id for signal in theirs.signals] == []
    # From form fields, and with a limit.
    from_fields = suggest_for(
        manager, {"title": "loon bijstand", "regulation": "participatiewet"}, limit=1
    )
    assert [signal.id for signal in from_fields.signals] in ([subject.id], [similar.id])
    assert [kwestie.id for kwestie in from_fields.kwesties] == [look_alike.id]
    assert not suggest_for(manager, {"title": "de en het"})


# Concurrency (two sessions) ------------------------------------------------------------------


def _in_threads(app: Flask, *jobs: Callable[[], str]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    results: list[str] = []

    def run(job: Callable[[], str]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(job())
            except StateConflict as refused:  # StaleVersion is one too
                results.append(f"refused:{type(refused).__name__}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_owners_deciding_at_once_decide_once(
    app: Flask, linked: tuple[Kwestie, Signal], make_user: MakeUser
) -> None:
    kwestie, signal = linked
    ids = [make_user("member", groups=["beleid"]).id for _ in range(2)]

    def decide(user_id: int, outcome: str) -> Callable[[], str]:
        def job() -> str:
            actor = db.session.get(User, user_id)
            assert actor is not None
            decide_kwestie(actor, kwestie.id, {**DECISION, "outcome": outcome})
            return f"won:{outcome}"

        return job

    results = _in_threads(app, decide(ids[0], "escalated"), decide(ids[1], "not_possible"))

    winners = [result for result in results if result.startswith("won:")]
    assert len(results) == 2 and len(winners) == 1, results
    stored = fresh(kwestie)
    assert f"won:{stored.outcome}" == winners[0]
    assert fresh(signal).outcome == stored.outcome
    assert count(KwestieEvent, KwestieEvent.type == "decided") == 1
    assert len(mails("kwestie_decided")) == 1


def test_a_link_racing_a_decision_never_leaves_an_open_signal_under_a_decided_kwestie(
    app: Flask,
    linked: tuple[Kwestie, Signal],
    manager: User,
    policy_member: User,
    reporter: User,
    signal_data: dict[str, Any],
) -> None:
    kwestie, _signal = linked
    late = submit(reporter, signal_data)
    manager_id, member_id, reference = manager.id, policy_member.id, late.reference

    def link() -> str:
        actor = db.session.get(User, manager_id)
        assert actor is not None
        link_signal(actor, reference, {"kwestie": kwestie.id})
        return "linked"

    def decide() -> str:
        actor = db.session.get(User, member_id)
        assert actor is not None
        decide_kwestie(actor, kwestie.id, DECISION)
        return "decided"

    results = _in_threads(app, link, decide)

    assert len(results) == 2, results
    if fresh(kwestie).status == "decided":
        still_open = count(Signal, Signal.kwestie_id == kwestie.id, Signal.status != "resolved")
        assert still_open == 0, results
    if "linked" in results:
        assert fresh(late).kwestie_id == kwestie.id


# Web -----------------------------------------------------------------------------------------


def test_the_kwestie_pages_work_end_to_end(
    clock: Clock,
    login: Login,
    manager: User,
    policy_member: User,
    reporters: list[User],
    signal_data: dict[str, Any],
) -> None:
    anna, bram, _chris = reporters
    first = submit(anna, signal_data, title="Eerste loon komt te laat na de bijstand")
    second = submit(bram, signal_data, title="Bijstand stopt voordat het loon komt")
    browser = login(manager)

    page = browser.get(f"/signalen/{first.reference}")
    assert page.status_code == 200
    assert "Koppelen aan een kwestie" in page.text
    assert "Er is nog geen open kwestie om aan te koppelen." in page.text
    assert second.reference in page.text  # suggested as a look-alike
    assert f"/kwesties/nieuw?signaal={first.reference}" in page.text

    form = browser.get(f"/kwesties/nieuw?signaal={first.reference}")
    assert form.status_code == 200
    assert 'name="from_signal" value="' + first.reference + '"' in form.text
    assert 'value="Eerste loon komt te laat na de bijstand"' in form.text
    assert '<option value="participatiewet" selected>' in form.text
    assert re.search(r'value="beleid"\s+checked', form.text)

    refused = browser.post(
        "/kwesties/nieuw", {"from_signal": first.reference, "title": "", "node": "teamleider"}
    )
    assert refused.status_code == 422
    assert "Dit veld is verplicht." in refused.text
    assert "Een kwestie kan alleen liggen bij:" in refused.text
    assert count(Kwestie) == 0

    created = browser.post(
        "/kwesties/nieuw",
        {
            "from_signal": first.reference,
            "title": "Inkomensgat na de bijstand",
            "regulation": "participatiewet",
            "node": "beleid",
        },
    )
    assert created.status_code == 302
    kwestie = db.session.scalars(select(Kwestie)).one()
    assert created.headers["Location"].endswith(f"/kwesties/{kwestie.id}")
    assert fresh(first).kwestie_id == kwestie.id

    page = browser.get(f"/signalen/{second.reference}")
    assert "Inkomensgat na de bijstand" in page.text
    empty = browser.post(f"/kwesties/koppelen/{second.reference}", {"kwestie": ""})
    assert empty.status_code == 422
    assert "Kies een kwestie." in empty.text
    assert "<details open" in empty.text
    done = browser.post(
        f"/kwesties/koppelen/{second.reference}",
        {"kwestie": str(kwestie.id), "version": str(fresh(second).version)},
    )
    assert done.status_code == 302
    assert fresh(second).kwestie_id == kwestie.id

    listing = browser.get("/kwesties")
    assert listing.status_code == 200
    assert "Inkomensgat na de bijstand" in listing.text and "2 gekoppeld" in listing.text
    assert 'href="/kwesties"' in listing.text  # the menu item

    detail = browser.get(f"/kwesties/{kwestie.id}")
    assert detail.status_code == 200
    assert first.reference in detail.text and second.reference in detail.text
    assert "Besluiten" not in detail.text  # the manager does not own the kwestie

    owner = login(policy_member)
    detail = owner.get(f"/kwesties/{kwestie.id}")
    assert "Besluiten" in detail.text and "Bericht aan alle melders" in detail.text
    # Beleid has never seen these signals: they count, but their references stay hidden.
    assert first.reference not in detail.text
    assert "2 signalen van anderen, die u niet kunt inzien" in detail.text

    refused = owner.post(f"/kwesties/{kwestie.id}/besluit", {"outcome": "policy_changed"})
    assert refused.status_code == 422
    assert refused.text.count("Dit veld is verplicht.") >= 2
    assert fresh(kwestie).status == "open"

    said = owner.post(f"/kwesties/{kwestie.id}/bericht", {"message": "We pakken dit op."})
    assert said.status_code == 302
    decided = owner.post(f"/kwesties/{kwestie.id}/besluit", DECISION)
    assert decided.status_code == 302
    assert fresh(first).status == fresh(second).status == "resolved"
    assert sorted(mail.recipient for mail in mails("kwestie_decided")) == sorted(
        [anna.email, bram.email]
    )

    as_reporter = login(anna)
    seen = as_reporter.get(f"/kwesties/{kwestie.id}")
    assert seen.status_code == 200
    assert "Beleid of werkinstructie aangepast" in seen.text and DECISION["rationale"] in seen.text
    assert first.reference in seen.text and second.reference not in seen.text
    assert "van anderen" not in seen.text  # another reporter's signal is not hers to know of
    assert "Besluiten" not in seen.text
    assert as_reporter.get("/kwesties").status_code == 200
    assert as_reporter.get("/kwesties/nieuw").status_code == 403
    assert as_reporter.post(f"/kwesties/{kwestie.id}/bericht", {"message": "x"}).status_code == 403


def test_the_web_refuses_cleanly(
    clock: Clock,
    login: Login,
    linked: tuple[Kwestie, Signal],
    manager: User,
    outsider: User,
) -> None:
    kwestie, signal = linked
    stranger = login(outsider)
    assert stranger.get(f"/kwesties/{kwestie.id}").status_code == 404
    assert stranger.get("/kwesties/99999999999999").status_code == 404
    linking = stranger.post(f"/kwesties/koppelen/{signal.reference}", {"kwestie": "1"})
    assert linking.status_code == 404

    browser = login(manager)
    assert browser.get("/kwesties/nieuw?signaal=KM-0000-000000").status_code == 404
    assert browser.get("/kwesties/nieuw?regulation=wmo&source_organisation=uwv").status_code == 200
    stale = browser.post(
        f"/kwesties/koppelen/{signal.reference}", {"kwestie": str(kwestie.id), "version": "1"}
    )
    assert stale.status_code == 409
