"""A form sent from a page that is no longer current: nothing happens, and nothing is lost.

The person gets the signal (or kwestie) as it is now, what changed since their page, and what
they typed back in the form with the fresh version, so that they can send it again on purpose.
"""

from typing import Any

import pytest
from sqlalchemy import func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.kwesties.models import Kwestie, KwestieEvent
from signals.kwesties.services import create_kwestie, kwestie_message
from signals.notifications.models import OutboxMessage
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import submit_signal
from tests.helpers import Login, MakeUser, fresh
from tests.integration.test_web_signals import Page

MINE = "Ik heb de inwoner gebeld; we zoeken een oplossing binnen de bijzondere bijstand."
THEIRS = "We nemen uw signaal mee naar het intakeoverleg van donderdag."


def form_state(page: Page) -> dict[str, str | None]:
    """The hidden fields every action form of the page carries (all forms carry the same)."""
    versions = {a.get("value") for a in page.inputs if a.get("name") == "version"}
    seen = {a.get("value") for a in page.inputs if a.get("name") == "seen_event"}
    assert len(versions) == 1 and len(seen) == 1, (versions, seen)
    return {"version": versions.pop(), "seen_event": seen.pop()}


def events(signal: Signal, kind: str) -> list[SignalEvent]:
    db.session.expire_all()
    query = select(SignalEvent).where(SignalEvent.signal_id == signal.id, SignalEvent.type == kind)
    return list(db.session.scalars(query))


def mail_count(kind: str) -> int:
    query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind)
    return db.session.scalar(query) or 0


@pytest.fixture
def colleagues(make_user: MakeUser) -> tuple[User, User]:
    """Two members of the intake group, which owns what a partner's professional reports."""
    return (
        make_user("member", groups=["intake"], name="Lotte Intake"),
        make_user("member", groups=["intake"], name="Daan Intake"),
    )


@pytest.fixture
def partner_signal(
    clock: Clock, partner_reporter: User, signal_data: dict[str, Any], colleagues: Any
) -> Signal:
    return submit_signal(partner_reporter, signal_data)


def test_the_second_owner_gets_the_signal_now_with_their_text_kept_and_can_resend_it(
    login: Login, partner_signal: Signal, colleagues: tuple[User, User]
) -> None:
    first, second = login(colleagues[0]), login(colleagues[1])
    url = f"/signalen/{partner_signal.reference}"
    seen_by_second = form_state(Page(second.get(url).text))
    first_state = form_state(Page(first.get(url).text))
    assert (
        first.post(f"{url}/terugkoppeling", {**first_state, "message": THEIRS}).status_code == 302
    )

    stale = second.post(f"{url}/terugkoppeling", {**seen_by_second, "message": MINE})

    assert stale.status_code == 409
    page = Page(stale.text)
    assert page.text("conflict").startswith(
        "Niet verstuurd: dit signaal is intussen gewijzigd Terwijl u het formulier invulde, is "
        "dit signaal gewijzigd. Er is niets van u verstuurd of opgeslagen."
    )
    assert page.text("conflict-changes").startswith("Terugkoppeling gegeven")
    assert "door Lotte Intake" in page.text("conflict-changes")
    assert THEIRS in page.text("conflict-changes")
    assert page.text("conflict-next") == (
        "Uw tekst staat nog in het formulier, bij de nieuwe stand. Kijk of het nog nodig is en "
        "verstuur het opnieuw."
    )
    assert page.raw_text("feedback-message") == MINE
    now = fresh(partner_signal)
    assert form_state(page)["version"] == str(now.version) != seen_by_second["version"]
    assert [event.data["message"] for event in events(partner_signal, "feedback_sent")] == [THEIRS]
    assert mail_count("feedback") == 1

    again = second.post(f"{url}/terugkoppeling", {**form_state(page), "message": MINE})

    assert again.status_code == 302
    sent = [event.data["message"] for event in events(partner_signal, "feedback_sent")]
    assert sent == [THEIRS, MINE]
    assert mail_count("feedback") == 2


def test_when_the_action_is_no_longer_possible_the_typed_text_is_quoted_and_nothing_changes(
    login: Login, partner_signal: Signal, colleagues: tuple[User, User]
) -> None:
    first, second = login(colleagues[0]), login(colleagues[1])
    url = f"/signalen/{partner_signal.reference}"
    seen = form_state(Page(second.get(url).text))
    resolution = {
        "outcome": "not_possible",
        "rationale": "De beleidsregel laat geen voorschot toe.",
        "message": "Helaas kunnen we hier niets aan doen.",
    }
    assert first.post(f"{url}/afhandelen", {**seen, **resolution}).status_code == 302
    before = (fresh(partner_signal).version, len(fresh(partner_signal).events))

    stale = second.post(f"{url}/terugkoppeling", {**seen, "message": MINE})

    assert stale.status_code == 409
    page = Page(stale.text)
    assert page.text("conflict-reason").endswith(
        "Wat u wilde doen, kan nu niet meer: Dit signaal is al afgehandeld."
    )
    assert page.text("conflict-changes") == (
        "Afgehandeld 23 november 2026 10:00, door Lotte Intake, uitkomst: Niet mogelijk (met "
        "onderbouwing) Helaas kunnen we hier niets aan doen."
    )
    assert page.text("conflict-typed") == f"Bericht {MINE}"
    assert "feedback-message" not in page.texts  # the form is not offered any more
    assert (fresh(partner_signal).version, len(fresh(partner_signal).events)) == before


def test_a_refusal_that_has_nothing_to_do_with_a_change_stays_a_plain_refusal(
    login: Login, partner_signal: Signal, colleagues: tuple[User, User], outsider: User
) -> None:
    owner = login(colleagues[0])
    url = f"/signalen/{partner_signal.reference}"
    state = form_state(Page(owner.get(url).text))
    resolution = {"outcome": "not_possible", "rationale": "Nee.", "message": "Helaas."}
    assert owner.post(f"{url}/afhandelen", {**state, **resolution}).status_code == 302
    latest = str(max(event.id for event in fresh(partner_signal).events))

    refused = owner.post(f"{url}/terugkoppeling", {"message": MINE, "seen_event": latest})

    assert refused.status_code == 409
    assert "Dit signaal is al afgehandeld." in refused.text
    assert 'id="conflict"' not in refused.text and MINE not in refused.text


def test_a_form_from_an_older_page_without_its_last_event_still_keeps_the_text(
    login: Login, partner_signal: Signal, colleagues: tuple[User, User]
) -> None:
    first, second = login(colleagues[0]), login(colleagues[1])
    url = f"/signalen/{partner_signal.reference}"
    old_version = str(fresh(partner_signal).version)
    first.post(f"{url}/accepteren", form_state(Page(first.get(url).text)))

    stale = second.post(f"{url}/terugkoppeling", {"version": old_version, "message": MINE})

    assert stale.status_code == 409
    page = Page(stale.text)
    assert "conflict-changes" not in page.texts
    assert "Wat er veranderde, ziet u in de tijdlijn hieronder." in page.text("conflict")
    assert page.raw_text("feedback-message") == MINE


# Kwesties ------------------------------------------------------------------------------------

DECISION = {
    "outcome": "policy_changed",
    "rationale": "De werkinstructie is aangepast: voortaan een voorschot op het eerste loon.",
    "message": "Dank voor uw signalen; de werkinstructie is per 1 januari aangepast.",
}


@pytest.fixture
def policy_kwestie(clock: Clock, manager: User, make_user: MakeUser) -> Kwestie:
    make_user("member", groups=["beleid"], name="Bas Beleid")
    make_user("member", groups=["beleid"], name="Bo Beleid")
    return create_kwestie(
        manager,
        {
            "title": "Inkomensgat bij de overgang van bijstand naar werk",
            "regulation": "participatiewet",
            "level": "municipal_practice",
            "node": "beleid",
        },
    )


def test_a_stale_decision_on_a_kwestie_keeps_what_was_typed_and_can_be_taken_again(
    login: Login, policy_kwestie: Kwestie
) -> None:
    members = db.session.scalars(select(User).where(User.name.in_(["Bas Beleid", "Bo Beleid"])))
    bas, bo = sorted(members, key=lambda user: user.name)
    url = f"/kwesties/{policy_kwestie.id}"
    deciding = login(bo)
    seen = form_state(Page(deciding.get(url).text))
    kwestie_message(bas, policy_kwestie.id, {"message": "We bespreken dit volgende week."})

    stale = deciding.post(f"{url}/besluit", {**seen, **DECISION})

    assert stale.status_code == 409
    page = Page(stale.text)
    assert page.text("conflict").startswith("Niet verstuurd: deze kwestie is intussen gewijzigd")
    assert page.text("conflict-changes").startswith("Bericht aan de melders")
    assert "door Bas Beleid We bespreken dit volgende week." in page.text("conflict-changes")
    assert page.selected["decide-outcome"] == [DECISION["outcome"]]
    assert page.raw_text("decide-rationale") == DECISION["rationale"]
    assert page.raw_text("decide-message") == DECISION["message"]
    assert fresh(policy_kwestie).status == "open"

    again = deciding.post(f"{url}/besluit", {**form_state(page), **DECISION})

    assert again.status_code == 302
    assert fresh(policy_kwestie).status == "decided"
    decided = select(func.count()).where(KwestieEvent.type == "decided")
    assert db.session.scalar(decided) == 1


def test_a_stale_link_to_a_kwestie_keeps_the_choice(
    login: Login,
    policy_kwestie: Kwestie,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(reporter, signal_data)
    url = f"/signalen/{signal.reference}"
    session = login(manager)
    seen = form_state(Page(session.get(url).text))
    assert session.post(f"{url}/accepteren", seen).status_code == 302

    link = {**seen, "kwestie": str(policy_kwestie.id)}

    stale = session.post(f"/kwesties/koppelen/{signal.reference}", link)

    assert stale.status_code == 409
    page = Page(stale.text)
    assert page.text("conflict-changes").startswith("In behandeling genomen")
    assert page.selected["link-kwestie"] == [str(policy_kwestie.id)]
    assert fresh(signal).kwestie_id is None


def test_someone_who_could_never_take_the_action_gets_the_plain_refusal(
    login: Login, partner_signal: Signal, partner_reporter: User
) -> None:
    session = login(partner_reporter)
    url = f"/signalen/{partner_signal.reference}"
    version = str(fresh(partner_signal).version)

    refused = session.post(
        f"{url}/terugkoppeling", {"version": version, "seen_event": "0", "message": MINE}
    )

    assert refused.status_code == 403
    assert 'id="conflict"' not in refused.text and MINE not in refused.text


def test_a_new_kwestie_from_a_signal_that_changed_meanwhile_keeps_the_form_and_can_be_sent(
    login: Login,
    clock: Clock,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(reporter, signal_data)
    session = login(manager)
    form = Page(session.get(f"/kwesties/nieuw?signaal={signal.reference}").text)
    typed = {
        "from_signal": signal.reference,
        "version": form.value("version") or "",
        "seen_event": form.value("seen_event") or "",
        "title": "Inkomensgat bij de overgang naar werk",
        "description": "Meerdere teams zien dit.",
        "node": "beleid",
    }
    session.post(f"/signalen/{signal.reference}/terugkoppeling", {"message": "We pakken het op."})

    stale = session.post("/kwesties/nieuw", typed)

    assert stale.status_code == 409
    page = Page(stale.text)
    assert page.text("conflict").startswith(
        f"Niet verstuurd: signaal {signal.reference} is intussen gewijzigd"
    )
    assert page.text("conflict-changes").startswith("Terugkoppeling gegeven")
    assert page.value("title") == typed["title"]
    assert page.raw_text("description") == typed["description"]
    assert page.value("version") == str(fresh(signal).version) != typed["version"]
    assert db.session.scalar(select(func.count()).select_from(Kwestie)) == 0

    again = session.post("/kwesties/nieuw", {**typed, "version": page.value("version")})

    assert again.status_code == 302
    assert fresh(signal).kwestie_id is not None
