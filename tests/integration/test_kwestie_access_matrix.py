"""Who sees what of a kwestie: every role against every kwestie page and action.

The roles and the signal table are those of ``test_access_matrix``. The world holds a kwestie at
beleid with signals linked by a staff reporter and by a partner reporter, and a kwestie at the
(independent) ombudsman with the staff reporter's signal that went there.

The rules, from the issue and as implemented: a reporter sees the kwesties (and so the outcome)
their own signals are linked to; people who handle signals see every kwestie except one at an
independent node, which only its owners see (and the ombudsman's administrator; not the
municipality's administrators, who see all other kwesties). Only a kwestie's owner sends
messages and decides. On a kwestie's page, linked signals are listed only to whoever may see
that signal in full; the others are counted for the kwestie's owner and the administrator of
its place only (they answer for every linked signal), and to anyone else they are not there:
not in a count, not in the history (neither on the page nor through the API). Denied is 403
(the kwestie is visible) or 404 (it is not) and changes nothing: no event, no e-mail. No list,
suggestion, link form or e-mail shows a kwestie or a signal the person may not see.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.test import TestResponse

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.kwesties.models import Kwestie, KwestieEvent
from signals.kwesties.services import create_kwestie, link_signal
from signals.notifications.models import OutboxMessage
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import accept_signal, forward_signal, submit_signal
from tests.helpers import Api, Login, MakeUser
from tests.integration.test_access_matrix import OWNER, ROLES, SEES, make_role_users

# The signals of the world; the linked ones are placed as the unlinked kind they are named after.
UNLINKED = ("staff", "partner", "ombudsman", "beleid")
LINKED_AS = {"staff_linked": "staff", "partner_linked": "partner", "ombuds_linked": "ombudsman"}
KINDS = {**{kind: kind for kind in UNLINKED}, **LINKED_AS}
TITLES = {
    "staff": "Zoekperiode teamleider Alfa",
    "partner": "Bijzondere bijstand buurtteam Bravo",
    "ombudsman": "Onbereikbaar loket ombudsman Charlie",
    "beleid": "Terugvordering beleid Delta",
    "staff_linked": "Eerste loon gekoppeld Echo",
    "partner_linked": "Eerste loon buurtteam gekoppeld Foxtrot",
    "ombuds_linked": "Loket ombudsman gekoppeld Golf",
}
# The kwesties: who sees them (the rest gets 404 and finds them in no list), who owns them,
# which signals are linked.
KWESTIES: dict[str, dict[str, str]] = {
    "beleid": {
        "title": "Kwestie voorschot eerste loon Hotel",
        "description": "Beleid onderzoekt een voorschot op het eerste loon (India).",
        "node": "beleid",
    },
    "ombudsman": {
        "title": "Kwestie onbereikbaar loket Juliet",
        "description": "De ombudsman onderzoekt het loket onafhankelijk (Kilo).",
        "node": "ombudsman",
    },
}
KWESTIE_SEEN_BY = {
    # Everyone who handles signals, and the two linked reporters.
    "beleid": frozenset(ROLES) - {"colleague", "partner_colleague", "ombuds_admin", "privacy"},
    # Independent: only its owner, the reporter of the signal linked to it and the ombudsman's
    # administrator (not the municipality's).
    "ombudsman": frozenset({"reporter", "ombuds", "ombuds_admin"}),
}
# Who administers the place of each kwestie: they answer for every signal linked to it.
KWESTIE_ADMIN = {"beleid": "admin", "ombudsman": "ombuds_admin"}
KWESTIE_OWNER = {"beleid": "beleid", "ombudsman": "ombuds"}
LINKED_TO = {"beleid": ("staff_linked", "partner_linked"), "ombudsman": ("ombuds_linked",)}
REPORTER_OF = {kind: "partner" if base == "partner" else "reporter" for kind, base in KINDS.items()}
# Who starts no kwestie: the professionals, and the two roles that handle no signals.
PROFESSIONALS = frozenset(
    {"reporter", "colleague", "partner", "partner_colleague", "ombuds_admin", "privacy"}
)
DECISION = {
    "outcome": "policy_changed",
    "rationale": "Onderbouwing Lima: de werkinstructie is aangepast.",
    "message": "Bericht Mike: dank voor uw signalen.",
}


def sees_signal(role: str, kind: str) -> str:
    """``full``, ``where`` or ``none``: the signal matrix of ``test_access_matrix``."""
    return SEES[KINDS[kind]][role]


def sees_kwestie(role: str, kwestie: str) -> bool:
    return role in KWESTIE_SEEN_BY[kwestie]


@dataclass
class World:
    users: dict[str, User]
    signals: dict[str, Signal]
    kwesties: dict[str, Kwestie]

    def role_of(self, email: str) -> str:
        [role] = [role for role, user in self.users.items() if user.email == email]
        return role


@pytest.fixture
def world(make_user: MakeUser, clock: Clock, signal_data: dict[str, Any]) -> World:
    users = make_role_users(make_user)
    manager = users["manager"]
    signals = {
        kind: submit_signal(users[REPORTER_OF[kind]], {**signal_data, "title": TITLES[kind]})
        for kind in KINDS
    }
    for kind in ("ombudsman", "ombuds_linked"):
        forward_signal(manager, signals[kind].reference, {"to": "ombudsman"})
    forward_signal(manager, signals["beleid"].reference, {"to": "casuistiek"})
    accept_signal(users["casuistiek"], signals["beleid"].reference, {})
    forward_signal(users["casuistiek"], signals["beleid"].reference, {"to": "beleid"})

    common = {"regulation": "participatiewet", "level": "municipal_practice"}
    at_beleid = create_kwestie(manager, {**common, **KWESTIES["beleid"]})
    link_signal(manager, signals["staff_linked"].reference, {"kwestie": at_beleid.id})
    link_signal(users["intake"], signals["partner_linked"].reference, {"kwestie": at_beleid.id})
    at_ombudsman = create_kwestie(
        users["ombuds"],
        {**common, **KWESTIES["ombudsman"], "from_signal": signals["ombuds_linked"].reference},
    )
    return World(users, signals, {"beleid": at_beleid, "ombudsman": at_ombudsman})


def state() -> tuple[Any, ...]:
    """Everything a kwestie action could change, read fresh from the database."""
    db.session.expire_all()

    def rows(model: type[Any]) -> list[Any]:
        return list(db.session.scalars(select(model).order_by(model.id)))

    return (
        [(k.id, k.title, k.node, k.status, k.outcome, k.version) for k in rows(Kwestie)],
        [(s.id, s.status, s.kwestie_id, s.outcome, s.version) for s in rows(Signal)],
        [(e.kwestie_id, e.type, e.data) for e in rows(KwestieEvent)],
        [(e.signal_id, e.type, e.data) for e in rows(SignalEvent)],
        [(m.kind, m.recipient, m.subject) for m in rows(OutboxMessage)],
    )


def mails_since(count: int) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))[count:]


def outbox_size() -> int:
    return len(mails_since(0))


def refused(response: TestResponse, role: str, kwestie: str) -> bool:
    """Whether ``response`` is the refusal ``role`` must get for an owner-only kwestie action."""
    status: int = response.status_code
    return status == (403 if sees_kwestie(role, kwestie) else 404)


def kwestie_href(world: World, kwestie: str) -> str:
    return f'href="/kwesties/{world.kwesties[kwestie].id}"'


def assert_no_hidden_signal(world: World, role: str, text: str, *, skip: str = "") -> None:
    """``text`` names no signal (reference or title) that ``role`` may not see in full."""
    for kind, signal in world.signals.items():
        if kind != skip and sees_signal(role, kind) != "full":
            assert signal.reference not in text, (kind, "reference")
            assert signal.title not in text, (kind, "title")


def assert_no_hidden_kwestie(world: World, role: str, text: str) -> None:
    for name, fields in KWESTIES.items():
        if not sees_kwestie(role, name):
            assert fields["title"] not in text, name
            assert fields["description"] not in text, name
            assert kwestie_href(world, name) not in text, name


# Lists and pages -----------------------------------------------------------------------------
#
# Each case is one role. Pages change nothing and a refused action changes nothing (checked),
# so one world serves every kwestie or signal the case walks through; an allowed action comes
# where it does not change what the next step expects.


@pytest.mark.parametrize("role", ROLES)
def test_the_kwestie_list(world: World, login: Login, role: str) -> None:
    page = login(world.users[role]).get("/kwesties")

    assert page.status_code == 200
    for name, fields in KWESTIES.items():
        assert (fields["title"] in page.text) is sees_kwestie(role, name), name
        assert (kwestie_href(world, name) in page.text) is sees_kwestie(role, name), name
    assert_no_hidden_kwestie(world, role, page.text)
    assert_no_hidden_signal(world, role, page.text)
    assert ("Nieuwe kwestie" in page.text) is (role not in PROFESSIONALS)


@pytest.mark.parametrize("role", ROLES)
def test_the_kwestie_pages(world: World, login: Login, role: str) -> None:
    session = login(world.users[role])
    for kwestie in KWESTIES:
        page = session.get(f"/kwesties/{world.kwesties[kwestie].id}")

        assert_no_hidden_kwestie(world, role, page.text)
        assert_no_hidden_signal(world, role, page.text)
        if not sees_kwestie(role, kwestie):
            assert page.status_code == 404, kwestie
            continue
        assert page.status_code == 200, kwestie
        assert KWESTIES[kwestie]["title"] in page.text
        assert KWESTIES[kwestie]["description"] in page.text
        hidden = 0
        for kind in LINKED_TO[kwestie]:
            signal = world.signals[kind]
            shown = sees_signal(role, kind) == "full"
            assert (signal.reference in page.text) is shown, kind
            assert (signal.title in page.text) is shown, kind
            hidden += not shown
            reporter = world.users[REPORTER_OF[kind]]
            if not shown and reporter is not world.users[role]:
                assert reporter.name not in page.text, kind
        answers_for_all = role in (KWESTIE_OWNER[kwestie], KWESTIE_ADMIN[kwestie])
        if hidden and answers_for_all:  # counted for the owner, never named
            word = "signaal" if hidden == 1 else "signalen"
            assert f"{hidden} {word} van anderen, die u niet kunt inzien" in page.text, kwestie
        else:  # to anyone else, what they may not see is not there at all
            assert "van anderen, die u niet kunt inzien" not in page.text, kwestie
            assert "Een signaal dat u niet kunt inzien" not in page.text, kwestie
        owns = KWESTIE_OWNER[kwestie] == role
        assert ("Bericht aan alle melders" in page.text) is owns, kwestie
        assert ("Besluit vastleggen" in page.text) is owns, kwestie


def linked_count_for(role: str, kwestie: str) -> int:
    """How many linked signals ``role`` is told of: all for the owner, else what they see."""
    if role in (KWESTIE_OWNER[kwestie], KWESTIE_ADMIN[kwestie]):
        return len(LINKED_TO[kwestie])
    return sum(sees_signal(role, kind) == "full" for kind in LINKED_TO[kwestie])


@pytest.mark.parametrize("role", ROLES)
def test_counts_and_histories_through_the_api_hold_only_what_the_role_may_see(
    world: World, api: Api, role: str
) -> None:
    client = api(world.users[role])
    listed = {item["id"]: item for item in client.get("/kwesties").get_json()["items"]}
    for name, kwestie in world.kwesties.items():
        if not sees_kwestie(role, name):
            assert kwestie.id not in listed
            continue
        assert listed[kwestie.id]["linked"] == linked_count_for(role, name), name
        detail = client.get(f"/kwesties/{kwestie.id}")
        assert detail.status_code == 200
        body = detail.get_json()
        assert body["linked"] == linked_count_for(role, name), name
        assert_no_hidden_signal(world, role, detail.text)
        seen = [kind for kind in LINKED_TO[name] if sees_signal(role, kind) == "full"]
        assert sorted(body["signals"]) == sorted(world.signals[kind].reference for kind in seen)
        linked_events = [event for event in body["events"] if event["type"] == "linked"]
        if role in (KWESTIE_OWNER[name], KWESTIE_ADMIN[name]):
            assert len(linked_events) == len(LINKED_TO[name])
        else:
            assert len(linked_events) == len(seen)


# Owner-only actions --------------------------------------------------------------------------


def linked_reporters(world: World, kwestie: str) -> list[str]:
    return sorted(world.users[REPORTER_OF[kind]].email for kind in LINKED_TO[kwestie])


@pytest.mark.parametrize("role", ROLES)
def test_a_message_to_the_reporters_is_for_the_owner_only(
    world: World, login: Login, role: str
) -> None:
    session = login(world.users[role])
    for kwestie in KWESTIES:
        kwestie_id, before, sent = world.kwesties[kwestie].id, state(), outbox_size()

        response = session.post(
            f"/kwesties/{kwestie_id}/bericht", {"message": "Bericht November: we pakken dit op."}
        )

        if KWESTIE_OWNER[kwestie] != role:
            assert refused(response, role, kwestie), (kwestie, response.status_code)
            assert_no_hidden_kwestie(world, role, response.text)
            assert state() == before, kwestie
            continue
        assert response.status_code == 302
        events = db.session.scalars(
            select(KwestieEvent)
            .where(KwestieEvent.kwestie_id == kwestie_id)
            .order_by(KwestieEvent.id)
        ).all()
        assert (events[-1].type, events[-1].actor_id) == ("message", world.users[role].id)
        new = mails_since(sent)
        assert sorted(mail.recipient for mail in new) == linked_reporters(world, kwestie)
        assert {mail.kind for mail in new} == {"kwestie_message"}


@pytest.mark.parametrize("role", ROLES)
def test_a_decision_is_for_the_owner_only(world: World, login: Login, role: str) -> None:
    session = login(world.users[role])
    for kwestie in KWESTIES:
        kwestie_id, before, sent = world.kwesties[kwestie].id, state(), outbox_size()

        response = session.post(f"/kwesties/{kwestie_id}/besluit", DECISION)

        if KWESTIE_OWNER[kwestie] != role:
            assert refused(response, role, kwestie), (kwestie, response.status_code)
            assert_no_hidden_kwestie(world, role, response.text)
            assert state() == before, kwestie
            continue
        assert response.status_code == 302
        db.session.expire_all()
        decided = db.session.get(Kwestie, kwestie_id)
        assert decided is not None
        assert (decided.status, decided.outcome) == ("decided", DECISION["outcome"])
        for kind in LINKED_TO[kwestie]:
            signal = db.session.get(Signal, world.signals[kind].id)
            assert signal is not None
            assert (signal.status, signal.outcome) == ("resolved", DECISION["outcome"])
        new = mails_since(sent)
        assert sorted(mail.recipient for mail in new) == linked_reporters(world, kwestie)
        assert {mail.kind for mail in new} == {"kwestie_decided"}


@pytest.mark.parametrize("kwestie", KWESTIES)
def test_the_outcome_reaches_exactly_who_may_see_the_kwestie(
    world: World, login: Login, kwestie: str
) -> None:
    owner = login(world.users[KWESTIE_OWNER[kwestie]])
    decided = owner.post(f"/kwesties/{world.kwesties[kwestie].id}/besluit", DECISION)
    assert decided.status_code == 302

    for role in ROLES:
        session = login(world.users[role])
        page = session.get(f"/kwesties/{world.kwesties[kwestie].id}")
        listing = session.get("/kwesties").text
        allowed = sees_kwestie(role, kwestie)
        assert page.status_code == (200 if allowed else 404), role
        assert (DECISION["rationale"] in page.text) is allowed, role
        assert (DECISION["message"] in page.text) is allowed, role
        assert (KWESTIES[kwestie]["title"] in listing) is allowed, role


# Linking and starting a kwestie --------------------------------------------------------------


def signal_action_refusal(role: str, kind: str) -> int:
    """What a person who does not own an (open) signal gets for an owner's action on it."""
    return 404 if sees_signal(role, kind) == "none" else 403


@pytest.mark.parametrize(("role", "kind"), [(r, s) for r in ROLES for s in UNLINKED])
def test_linking_needs_the_signal_and_a_kwestie_one_may_see(
    world: World, login: Login, role: str, kind: str
) -> None:
    signal, session = world.signals[kind], login(world.users[role])
    for kwestie, target in world.kwesties.items():  # beleid first: linking on moves it along
        before, sent = state(), outbox_size()

        response = session.post(
            f"/kwesties/koppelen/{signal.reference}", {"kwestie": str(target.id)}
        )

        assert_no_hidden_kwestie(world, role, response.text)
        assert_no_hidden_signal(world, role, response.text)
        if OWNER[kind] != role:
            assert response.status_code == signal_action_refusal(role, kind), kwestie
        elif not sees_kwestie(role, kwestie):
            # A kwestie one may not see is one that does not exist.
            assert response.status_code == 422, kwestie
            assert "Deze kwestie bestaat niet." in response.text
        else:
            assert response.status_code == 302, kwestie
            db.session.expire_all()
            linked = db.session.get(Signal, signal.id)
            assert linked is not None and linked.kwestie_id == target.id
            [mail] = mails_since(sent)
            assert (mail.kind, mail.recipient) == (
                "kwestie_linked",
                world.users[REPORTER_OF[kind]].email,
            )
            continue
        assert state() == before, kwestie


@pytest.mark.parametrize("role", ROLES)
def test_the_new_kwestie_form_suggests_only_what_the_role_may_see(
    world: World, login: Login, role: str
) -> None:
    page = login(world.users[role]).get("/kwesties/nieuw?regulation=participatiewet")

    if role in PROFESSIONALS:
        assert page.status_code == 403
        return
    assert page.status_code == 200
    assert_no_hidden_kwestie(world, role, page.text)
    assert_no_hidden_signal(world, role, page.text)
    # Every open kwestie and open unlinked signal shares the regulation: all it may see show.
    for name, fields in KWESTIES.items():
        assert (fields["title"] in page.text) is sees_kwestie(role, name), name
    for kind in UNLINKED:
        shown = world.signals[kind].reference in page.text
        assert shown is (sees_signal(role, kind) == "full"), kind


@pytest.mark.parametrize("role", ROLES)
def test_starting_a_kwestie_from_a_signal_suggests_only_what_the_role_may_see(
    world: World, login: Login, role: str
) -> None:
    session = login(world.users[role])
    for kind, signal in world.signals.items():
        page = session.get(f"/kwesties/nieuw?signaal={signal.reference}")

        if role in PROFESSIONALS:
            assert page.status_code == 403, kind
            continue
        assert_no_hidden_kwestie(world, role, page.text)
        assert_no_hidden_signal(world, role, page.text)
        if OWNER[KINDS[kind]] != role:
            assert page.status_code == signal_action_refusal(role, kind), kind
            continue
        assert page.status_code == 200, kind
        assert f'name="from_signal" value="{signal.reference}"' in page.text
        for name, fields in KWESTIES.items():
            if signal.kwestie_id != world.kwesties[name].id:
                assert (fields["title"] in page.text) is sees_kwestie(role, name), (kind, name)
        for other in UNLINKED:
            if other != kind:
                shown = world.signals[other].reference in page.text
                assert shown is (sees_signal(role, other) == "full"), (kind, other)


@pytest.mark.parametrize("role", ROLES)
def test_the_link_form_on_a_signal_page_offers_only_kwesties_the_role_may_see(
    world: World, login: Login, role: str
) -> None:
    session = login(world.users[role])
    for kind, signal in world.signals.items():
        page = session.get(f"/signalen/{signal.reference}")

        assert page.status_code == (404 if sees_signal(role, kind) == "none" else 200), kind
        assert_no_hidden_kwestie(world, role, page.text)
        # (The signal itself: its page and "where" page are the signal matrix's business.)
        assert_no_hidden_signal(world, role, page.text, skip=kind)
        owns = OWNER[KINDS[kind]] == role
        assert ("Koppelen aan een kwestie" in page.text) is owns, kind
        if not owns:
            continue
        for name, fields in KWESTIES.items():  # the link form's choices and suggestions
            assert (fields["title"] in page.text) is sees_kwestie(role, name), (kind, name)
        for other in UNLINKED:  # look-alike signals, still without a kwestie
            if other != kind:
                shown = world.signals[other].reference in page.text
                assert shown is (sees_signal(role, other) == "full"), (kind, other)


def new_kwestie(node: str) -> dict[str, str]:
    return {"title": f"Nieuwe kwestie Oscar bij {node}", "regulation": "participatiewet"}


OWNER_GROUP = {"beleid": "beleid", "ombudsman": "ombudsman"}


@pytest.mark.parametrize("role", ROLES)
def test_starting_a_kwestie(world: World, login: Login, role: str) -> None:
    session = login(world.users[role])
    for node in KWESTIES:
        before, title = state(), new_kwestie(node)["title"]

        response = session.post("/kwesties/nieuw", {**new_kwestie(node), "node": node})

        if role in PROFESSIONALS:
            assert response.status_code == 403, node
            assert state() == before, node
            continue
        assert response.status_code == 302, node
        db.session.expire_all()
        created = db.session.scalars(select(Kwestie).where(Kwestie.title == title)).one()
        assert (created.node, created.owner_group) == (node, OWNER_GROUP[node])
        listing = session.get("/kwesties").text
        page = session.get(f"/kwesties/{created.id}")
        if sees_kwestie(role, node):
            assert response.headers["Location"].endswith(f"/kwesties/{created.id}")
            assert page.status_code == 200 and title in listing
            continue
        # Handed to an independent node, it is out of the creator's sight: they are told where
        # it went (the notice shows on the next page), never what becomes of it.
        assert response.headers["Location"].endswith("/kwesties")
        assert (
            "Ze ligt nu bij Ombudsman Metropool Amsterdam, een onafhankelijke plek in de route; "
            "u ziet de inhoud ervan niet."
        ) in listing
        assert title not in listing and page.status_code == 404


@pytest.mark.parametrize(("role", "kind"), [(r, s) for r in ROLES for s in UNLINKED])
def test_starting_a_kwestie_from_a_signal(world: World, login: Login, role: str, kind: str) -> None:
    signal, session = world.signals[kind], login(world.users[role])
    for node in KWESTIES:  # beleid first: starting another from it links the signal on
        before = state()

        response = session.post(
            "/kwesties/nieuw", {**new_kwestie(node), "node": node, "from_signal": signal.reference}
        )

        assert_no_hidden_signal(world, role, response.text)
        if role in PROFESSIONALS:
            assert response.status_code == 403, node
        elif OWNER[kind] != role:
            assert response.status_code == signal_action_refusal(role, kind), node
        elif not sees_kwestie(role, node):
            # A signal goes to the independent node by forwarding it, not by linking it there:
            # its owner would see the ombudsman's messages and decision on their signal.
            assert response.status_code == 422, node
            assert "onafhankelijke plek in de route" in response.text
        else:
            assert response.status_code == 302, node
            db.session.expire_all()
            stored = db.session.get(Signal, signal.id)
            assert stored is not None and stored.kwestie is not None
            assert (stored.kwestie.title, stored.kwestie.node) == (new_kwestie(node)["title"], node)
            continue
        assert state() == before, node


# E-mails -------------------------------------------------------------------------------------


def test_no_mail_tells_anyone_what_they_may_not_see(world: World, login: Login) -> None:
    for name, kwestie in world.kwesties.items():
        owner = login(world.users[KWESTIE_OWNER[name]])
        message = {"message": f"Tussenstand over {KWESTIES[name]['title']}."}
        assert owner.post(f"/kwesties/{kwestie.id}/bericht", message).status_code == 302
        assert owner.post(f"/kwesties/{kwestie.id}/besluit", DECISION).status_code == 302

    mails = mails_since(0)
    kinds = {mail.kind for mail in mails}
    assert {"kwestie_new", "kwestie_linked", "kwestie_message", "kwestie_decided"} <= kinds
    for mail in mails:
        role = world.role_of(mail.recipient)
        text = "\n".join((mail.subject, mail.body_text, mail.body_html))
        assert_no_hidden_kwestie(world, role, text)
        if mail.kind.startswith("kwestie_"):
            # (A signal's own mails may predate a forward to the ombudsman: the manager had
            # the signal in their inbox then, and the signal matrix is about now.)
            assert_no_hidden_signal(world, role, text)
    # Each decision reached each linked reporter once, and no one else.
    decided = sorted(
        (mail.recipient, mail.subject) for mail in mails if mail.kind == "kwestie_decided"
    )
    expected = sorted(
        (
            world.users[REPORTER_OF[kind]].email,
            f"[Kwestie {world.kwesties[name].id}] Besluit over de kwestie: {fields['title']}",
        )
        for name, fields in KWESTIES.items()
        for kind in LINKED_TO[name]
    )
    assert decided == expected
