"""Before writing the same signal again: similar open kwesties in the preview, and joining one.

The reporter sees open kwesties like their draft (also ones no signal of theirs is linked to
yet, never one in the ombudsman's closed room, never a decided one) and may join one with
their signal in one step: linked at once, and resolved with the kwestie's decision.
"""

from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from signals.auth.models import User
from signals.extensions import db
from signals.kwesties.models import Kwestie
from signals.kwesties.services import create_kwestie, decide_kwestie
from signals.notifications.models import OutboxMessage
from signals.search.similar import similar_to_draft
from signals.workflow.models import Signal, SignalStatus
from tests.helpers import Api, Login, MakeUser, fresh

MECHANISM = {
    "title": "Kostendelersnorm bij inwonende jongeren",
    "regulation": "participatiewet",
    "level": "national_law",
    "description": "De kostendelersnorm verlaagt de bijstand van ouders als een kind inwoont.",
}
DRAFT: dict[str, Any] = {
    "title": "Bijstand omlaag door de kostendelersnorm",
    "situation": "Moeder krijgt minder bijstand nu haar zoon van 21 weer inwoont.",
    "resident_experience": "Ze vraagt haar zoon het huis uit te gaan.",
    "regulations": ["participatiewet"],
}


@pytest.fixture
def policy(make_user: MakeUser) -> User:
    return make_user("member", groups=["beleid"], name="Bas Beleid")


@pytest.fixture
def kwestie(policy: User) -> Kwestie:
    return create_kwestie(policy, {**MECHANISM, "node": "beleid"})


def similar_keys(user: User, draft: dict[str, Any]) -> list[str]:
    return [hit.key for hit in similar_to_draft(user, draft).kwesties]


def test_an_open_kwestie_like_the_draft_is_shown_to_any_reporter(
    kwestie: Kwestie, reporter: User, partner_reporter: User
) -> None:
    assert similar_keys(reporter, DRAFT) == [str(kwestie.id)]
    assert similar_keys(partner_reporter, DRAFT) == [str(kwestie.id)]


def test_a_draft_about_something_else_is_like_nothing(kwestie: Kwestie, reporter: User) -> None:
    draft = {"title": "Reiskosten", "situation": "De vergoeding voor het openbaar vervoer."}

    assert similar_keys(reporter, draft) == []
    assert similar_keys(reporter, {"title": "bijstand"}) == []  # one word is too little


def test_decided_kwesties_and_the_ombudsmans_are_not_offered(
    make_user: MakeUser, policy: User, kwestie: Kwestie, reporter: User
) -> None:
    ombuds = make_user("member", groups=["ombudsman"])
    create_kwestie(ombuds, {**MECHANISM, "node": "ombudsman"})
    decide_kwestie(
        policy,
        kwestie.id,
        {"outcome": "escalated", "rationale": "Naar het Rijk.", "message": "Doorgezet."},
    )

    assert similar_keys(reporter, DRAFT) == []


def test_the_preview_answers_similar(api: Api, kwestie: Kwestie, reporter: User) -> None:
    answer = api(reporter).post("/routes/preview", DRAFT)

    assert answer.status_code == 200, json_of(answer)
    similar = json_of(answer)["similar"]
    assert [hit["key"] for hit in similar["kwesties"]] == [str(kwestie.id)]
    assert similar["kwesties"][0]["title"] == MECHANISM["title"]
    assert similar["articles"] == []


def test_joining_a_kwestie_links_the_signal_and_the_decision_resolves_it(
    api: Api, policy: User, kwestie: Kwestie, reporter: User, signal_data: dict[str, Any]
) -> None:
    answer = api(reporter).post("/signals", {**signal_data, **DRAFT, "kwestie_id": kwestie.id})

    assert answer.status_code == 201, json_of(answer)
    reference = json_of(answer)["reference"]
    signal = db.session.scalar(select(Signal).where(Signal.reference == reference))
    assert signal is not None and signal.kwestie_id == kwestie.id
    assert [event.type for event in signal.events][:2] == ["submitted", "linked"]
    assert _mail_kinds(reporter) == ["receipt"]  # no "linked" mail: they chose it
    # The owner counts it among the linked signals (its content stays with its own owners).
    assert json_of(api(policy).get(f"/kwesties/{kwestie.id}"))["hidden_signals"] == 1
    assert json_of(api(reporter).get(f"/kwesties/{kwestie.id}"))["signals"] == [signal.reference]

    decide_kwestie(
        policy,
        kwestie.id,
        {"outcome": "policy_changed", "rationale": "Beleidsregel.", "message": "Aangepast."},
    )

    assert fresh(signal).status == SignalStatus.RESOLVED
    assert "kwestie_decided" in _mail_kinds(reporter)


@pytest.mark.parametrize("which", ["decided", "ombudsman", "missing", "fraction"])
def test_joining_what_may_not_be_joined_is_refused_and_stores_nothing(
    api: Api,
    make_user: MakeUser,
    policy: User,
    kwestie: Kwestie,
    reporter: User,
    signal_data: dict[str, Any],
    which: str,
) -> None:
    if which == "decided":
        decide_kwestie(
            policy,
            kwestie.id,
            {"outcome": "escalated", "rationale": "Naar het Rijk.", "message": "Doorgezet."},
        )
        target: Any = kwestie.id
    elif which == "ombudsman":
        ombuds = make_user("member", groups=["ombudsman"])
        target = create_kwestie(ombuds, {**MECHANISM, "node": "ombudsman"}).id
    else:
        target = 999_999 if which == "missing" else 1.5

    answer = api(reporter).post("/signals", {**signal_data, **DRAFT, "kwestie_id": target})

    assert answer.status_code == 422, json_of(answer)
    assert list(json_of(answer)["error"]["fields"]) == ["kwestie_id"]
    assert db.session.scalar(select(func.count()).select_from(Signal)) == 0


def test_the_form_offers_the_kwestie_and_keeps_the_choice_when_something_is_missing(
    login: Login, kwestie: Kwestie, reporter: User, signal_data: dict[str, Any]
) -> None:
    web = login(reporter)
    live = web.post("/signalen/voorbeeld", {**signal_data, **DRAFT})
    assert f'value="{kwestie.id}"' in json_of(live)["similar_html"]
    assert "Dit lijkt op" in json_of(live)["similar_html"]

    incomplete = {**signal_data, **DRAFT, "kwestie_id": str(kwestie.id), "level": ""}
    page = web.post("/signalen/nieuw", incomplete)

    assert page.status_code == 422
    assert f'name="kwestie_id" value="{kwestie.id}" checked' in page.text
    assert DRAFT["situation"] in page.text

    sent = web.post("/signalen/nieuw", {**signal_data, **DRAFT, "kwestie_id": str(kwestie.id)})
    assert sent.status_code == 302
    joined = db.session.scalar(select(Signal).order_by(Signal.id.desc()))
    assert joined is not None and joined.kwestie_id == kwestie.id


def _mail_kinds(user: User) -> list[str]:
    db.session.expire_all()
    query = select(OutboxMessage.kind).where(OutboxMessage.recipient == user.email)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def json_of(response: TestResponse) -> dict[str, Any]:
    body = response.get_json()
    assert isinstance(body, dict), response.text
    return body
