"""A signal's page shows its own way through the route: a list of its visits and the map."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest

from signals.auth.models import User
from signals.clock import Clock
from signals.scheduler.jobs import sweep
from signals.workflow.models import Signal
from signals.workflow.services import (
    accept_signal,
    forward_signal,
    resolve_signal,
    submit_signal,
)
from tests.fixtures.app import START
from tests.helpers import Login, MakeUser
from tests.integration.test_web_signals import Page

SVG_ELEMENT = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


def drawing(html: str) -> ET.Element:
    match = SVG_ELEMENT.search(html)
    assert match, "no route map on the page"
    return ET.fromstring(match.group(0))  # noqa: S314 (our own markup)


def marked(root: ET.Element, attribute: str) -> dict[str, str]:
    """``data-node`` → the attribute's value, for the boxes that carry it."""
    return {
        element.get("data-node", ""): element.get(attribute, "")
        for element in root.iter()
        if element.get("data-node") and element.get(attribute) is not None
    }


def taken_arrows(root: ET.Element) -> set[tuple[str | None, str | None]]:
    return {
        (element.get("data-from"), element.get("data-to"))
        for element in root.iter()
        if element.get("data-visited") == "true" and element.get("data-kind")
    }


@pytest.fixture
def travelled(
    clock: Clock,
    reporter: User,
    manager: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> tuple[Signal, User, User]:
    """Teamleider → casuïstiek → back to the teamleider → beleid, a working day apart each."""
    table = make_user("member", groups=["casuistiek"], name="Cas Tafel")
    policy = make_user("member", groups=["beleid"], name="Bert Beleid")
    signal = submit_signal(reporter, signal_data)  # Monday 23 November 2026, 10:00
    accept_signal(manager, signal.reference, {})
    clock.set(START + timedelta(days=1))
    forward_signal(manager, signal.reference, {"to": "casuistiek", "message": "Graag bespreken."})
    clock.set(START + timedelta(days=2))
    forward_signal(table, signal.reference, {"to": "teamleider", "message": "Eerst maatwerk."})
    clock.set(START + timedelta(days=3))
    forward_signal(manager, signal.reference, {"to": "beleid"})
    return signal, table, policy


def test_the_page_lists_the_visits_in_order_with_since_when_by_whom_and_why(
    login: Login, travelled: tuple[Signal, User, User], manager: User
) -> None:
    signal, _table, _policy = travelled

    page = Page(login(manager).get(f"/signalen/{signal.reference}").text)

    assert [key for key in page.texts if re.fullmatch(r"visit-\d+", key)] == [
        "visit-1",
        "visit-2",
        "visit-3",
        "visit-4",
    ]
    assert page.text("visit-1") == (
        "Stap 1: Teamleider / teammanager Van 23 november 2026 10:00 tot 24 november 2026 "
        "10:00. Verantwoordelijk: Marloes Teamleider. Ingediend door Samira Consulent "
        "(ingang: standaard)."
    )
    assert page.text("visit-2") == (
        "Stap 2: Multidomein casuïstiekbespreking Van 24 november 2026 10:00 tot 25 november "
        "2026 10:00. Doorgestuurd door Marloes Teamleider. Graag bespreken."
    )
    assert page.text("visit-3").startswith(
        "Stap 3: Teamleider / teammanager Van 25 november 2026 10:00 tot 26 november 2026 "
        "10:00. Verantwoordelijk: Marloes Teamleider. Doorgestuurd door Cas Tafel."
    )
    assert page.text("visit-4") == (
        "Stap 4: Beleid Armoede en Schulden hier ligt het nu Sinds 26 november 2026 10:00. "
        "Doorgestuurd door Marloes Teamleider."
    )


def test_the_map_marks_exactly_the_visited_nodes_the_arrows_taken_and_the_current_node(
    login: Login, travelled: tuple[Signal, User, User], reporter: User
) -> None:
    signal, _table, _policy = travelled

    root = drawing(login(reporter).get(f"/signalen/{signal.reference}").text)

    assert marked(root, "data-visited") == {
        "teamleider": "1 3",
        "casuistiek": "2",
        "beleid": "4",
    }
    assert marked(root, "data-current") == {"beleid": "true"}
    assert taken_arrows(root) == {
        ("melder", "teamleider"),
        ("teamleider", "casuistiek"),
        ("casuistiek", "teamleider"),
        ("teamleider", "beleid"),
    }
    texts = ["".join(text.itertext()) for text in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Stappen 1 en 3" in texts and "Stap 2" in texts
    assert "Stap 4 · hier ligt het nu" in texts
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == "Routekaart Amsterdam: de weg van dit signaal"


def test_where_the_reporter_is_hidden_the_list_names_no_reporter(
    login: Login, travelled: tuple[Signal, User, User], reporter: User
) -> None:
    signal, _table, policy = travelled  # beleid does not show the reporter

    html = login(policy).get(f"/signalen/{signal.reference}").text
    page = Page(html)

    assert page.text("visit-1").endswith("Ingediend door de melder (ingang: standaard).")
    assert reporter.name not in html


def test_a_viewer_who_may_see_only_the_whereabouts_gets_no_route(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    forward_signal(manager, signal.reference, {"to": "ombudsman", "message": "Onafhankelijk."})

    response = login(manager).get(f"/signalen/{signal.reference}")

    assert response.status_code == 200
    assert "De weg van dit signaal" not in response.text
    assert "<svg" not in response.text and 'id="journey"' not in response.text
    assert "Onafhankelijk." not in response.text
    assert "Ombudsman Metropool Amsterdam" in response.text  # only where it is


def test_a_resolved_signal_says_where_it_was_closed(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    clock.set(START + timedelta(hours=3))
    resolve_signal(
        manager,
        signal.reference,
        {"outcome": "not_possible", "rationale": "Wet laat het niet toe.", "message": "Helaas."},
    )

    html = login(reporter).get(f"/signalen/{signal.reference}").text

    assert (
        Page(html)
        .text("visit-1")
        .startswith(
            "Stap 1: Teamleider / teammanager hier afgehandeld Van 23 november 2026 10:00 tot "
            "23 november 2026 13:00."
        )
    )
    assert marked(drawing(html), "data-current") == {"teamleider": "true"}


def test_an_escalation_by_the_clock_is_a_step_taken_by_the_system_with_its_reason(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)  # teamleider escalates to casuïstiek
    clock.set(START + timedelta(days=3))  # Thursday: the accept deadline of Wednesday passed
    sweep(clock.now())

    html = login(reporter).get(f"/signalen/{signal.reference}").text

    assert Page(html).text("visit-2") == (
        "Stap 2: Multidomein casuïstiekbespreking hier ligt het nu Sinds 26 november 2026 "
        "10:00. Automatisch doorgezet naar Multidomein casuïstiekbespreking: bij de vorige "
        "stap was de termijn voor in behandeling nemen verstreken."
    )
    assert taken_arrows(drawing(html)) == {("melder", "teamleider"), ("teamleider", "casuistiek")}
