"""What pages say: a count with its noun in the right number, the owner named once, kwesties
named by their identifier."""

import html
import re
from typing import Any

from signals.auth.models import User
from signals.clock import Clock
from signals.kwesties.services import create_kwestie
from signals.workflow.services import submit_signal
from tests.helpers import Login, MakeUser

TAG = re.compile(r"<[^>]+>")


def text_of(page: str) -> str:
    """The page's text as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(TAG.sub(" ", page)).split()).replace(" .", ".")


def test_a_one_working_day_clock_says_werkdag(
    clock: Clock, login: Login, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal_data["urgency"] = "acute"  # straight to the doorbraakteam: accept within 1 day
    signal = submit_signal(reporter, signal_data)
    assert signal.node == "doorbraakteam"

    page = text_of(login(reporter).get(f"/signalen/{signal.reference}").text)

    assert "1 werkdag na aankomst op 23 november 2026" in page
    assert "5 werkdagen na aankomst" in page
    assert "minstens elke 10 werkdagen;" in page
    assert "1 werkdagen" not in page


def test_the_signal_page_names_a_group_owner_once(
    clock: Clock,
    login: Login,
    partner_reporter: User,
    intake_member: User,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    group_owned = submit_signal(partner_reporter, signal_data)
    person_owned = submit_signal(reporter, signal_data)

    page = text_of(login(intake_member).get(f"/signalen/{group_owned.reference}").text)
    assert f"Dit signaal ligt bij Centrale intake signalen (leden: {intake_member.name})." in page
    assert "Verantwoordelijk: Centrale intake signalen" not in page
    own = text_of(login(manager).get(f"/signalen/{person_owned.reference}").text)
    assert f"Dit signaal ligt bij Teamleider / teammanager. Verantwoordelijk: {manager.name}." in (
        own
    )


def test_the_route_preview_names_the_owner_only_when_it_adds_something(
    login: Login, reporter: User, partner_reporter: User, manager: User
) -> None:
    staff = login(reporter).post("/signalen/voorbeeld", {}).get_json()
    assert (staff["label"], staff["responsible"]) == ("Teamleider / teammanager", manager.name)
    partner = login(partner_reporter).post("/signalen/voorbeeld", {}).get_json()
    assert (partner["label"], partner["owner"]) == ("Centrale intake signalen",) * 2
    assert partner["responsible"] == ""

    form = login(partner_reporter).get("/signalen/nieuw").text
    preview = text_of(form.split('id="route-preview"', 1)[1].split("</p>", 1)[0])
    assert "verantwoordelijk" in preview  # there, for the script, but hidden:
    assert re.search(r'<span data-shown-with="responsible" hidden>', form)


def test_accepting_one_signal_says_signaal(
    clock: Clock,
    login: Login,
    partner_reporter: User,
    intake_member: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(partner_reporter, signal_data)
    session = login(intake_member)
    session.post("/inbox/accepteren", {"references": [signal.reference]})
    assert "1 signaal in behandeling genomen." in session.get("/inbox").text


def test_kwestie_pages_show_the_kwestie_identifier(
    login: Login, manager: User, make_user: MakeUser
) -> None:
    make_user("member", groups=["beleid"])
    kwestie = create_kwestie(manager, {"title": "Inkomensgat na de bijstand", "node": "beleid"})
    session = login(manager)

    detail = session.get(f"/kwesties/{kwestie.id}").text
    assert f"<title>Kwestie {kwestie.id}: Inkomensgat na de bijstand – Signalen</title>" in detail
    assert f'<span class="reference">Kwestie {kwestie.id}</span> Inkomensgat' in detail
    listing = text_of(session.get("/kwesties").text)
    assert f"Kwestie {kwestie.id} Inkomensgat na de bijstand" in listing
