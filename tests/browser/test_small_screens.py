"""On a 390-pixel phone no page scrolls sideways: list tables become cards, other tables scroll
in their own box; and the route map fits its box until it is asked to show its full size."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response, expect

from signals.auth.models import User
from signals.auth.tokens import issue_token
from signals.clock import Clock
from signals.extensions import db
from signals.kwesties.services import create_kwestie
from signals.routing.diagram import natural_width
from signals.workflow.services import submit_signal
from tests.browser.conftest import PHONE, VIEWPORT, assert_accessible, log_in
from tests.fixtures.outbox import outbox_row, store_rows
from tests.helpers import MakeUser

pytestmark = pytest.mark.browser

LONG_TITLE = (  # 141 characters, one long compound among them
    "Huishoudens met wisselend inkomen uit flexwerk krijgen terugvorderingen van de "
    "bijstand door achterlopende inkomstenverrekeningsadministratie"
)
LIST_PAGES = {
    "inbox": "/inbox",
    "mijn-signalen": "/signalen",
    "kwesties": "/kwesties",
    "uitgaande-email": "/beheer/outbox",
    "api-sleutels": "/api-sleutels",
    "routebeheer": "/beheer/routes",
    "toegangslog": "/beheer/toegangslog",
    "groepen": "/beheer/groepen",
    "gegevens-persoon": "/beheer/privacy",
    "routekaart": "/routekaart",
}


def drawing_contrast(page: Page) -> dict[str, int]:
    """How many of the drawing's texts axe's color-contrast passes, fails or cannot judge."""
    results = (
        Axe()
        .run(page, options={"runOnly": {"type": "rule", "values": ["color-contrast"]}})
        .response
    )
    return {
        kind: sum(
            1
            for rule in results[kind]
            for node in rule["nodes"]
            if any("text" in str(target) for target in node["target"])
        )
        for kind in ("passes", "violations", "incomplete")
    }


def page_width(page: Page) -> tuple[int, int]:
    """How wide the document is, and how wide the window shows it."""
    width, shown = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return int(width), int(shown)


@pytest.fixture
def busy_admin(
    clock: Clock,
    make_user: MakeUser,
    partner_reporter: User,
    signal_data: dict[str, Any],
) -> User:
    """An administrator in the intake group with signals, a kwestie, mail, a dead letter and
    an API token: every list page has rows."""
    admin = make_user("admin", groups=["intake"], name="Anouk Beheer-Intake")
    make_user("member", groups=["beleid"])
    signal_data["title"] = LONG_TITLE
    for _ in range(3):
        submit_signal(partner_reporter, signal_data)
    submit_signal(admin, {**signal_data, "urgency": "acute"})
    create_kwestie(admin, {"title": LONG_TITLE, "node": "beleid"})
    issue_token(admin, {"name": "Zaaksysteem van het buurtteam Noord-Oost"})
    store_rows(
        [
            outbox_row(
                "een-heel-lang-adres.van-een-professional@buurtteam-noord-oost.example",
                clock.now() - timedelta(hours=1),
                status="dead",
                attempts=8,
                subject=f"[KM-2026-000001] Signaal in uw inbox: {LONG_TITLE}",
                last_error="ConnectionRefusedError: [Errno 111] Connection refused by smtp",
            )
        ]
    )
    db.session.commit()
    return admin


def test_no_list_page_scrolls_sideways_on_a_phone(
    live_server: str, browser_page: Page, artifacts_dir: Path, busy_admin: User
) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, busy_admin)
    for name, path in LIST_PAGES.items():
        page.goto(f"{live_server}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width, shown = page_width(page)
        page.screenshot(path=artifacts_dir / f"phone-{name}.png", full_page=True)
        assert shown == PHONE["width"]
        assert width <= shown, f"{path} is {width} px wide on a {shown} px screen"
        assert_accessible(page)


def test_on_a_phone_my_signals_are_cards_that_name_each_value(
    live_server: str, browser_page: Page, busy_admin: User
) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, busy_admin)
    page.goto(f"{live_server}/signalen")
    row = page.get_by_role("row").filter(has_text="KM-").first
    box = row.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    labels = row.locator("td").evaluate_all(
        "cells => cells.map(cell => getComputedStyle(cell, '::before').content)"
    )
    assert labels[:4] == ['"Kenmerk: "', '"Titel: "', '"Status: "', '"Ligt bij: "']
    page.set_viewport_size(VIEWPORT)  # on a desktop the same page is a table again
    assert row.locator("td").first.evaluate("cell => getComputedStyle(cell).display") == (
        "table-cell"
    )


def test_the_route_map_fits_its_box_and_can_be_shown_at_full_size(
    live_server: str, browser_page: Page, artifacts_dir: Path, reporter: User
) -> None:
    page = browser_page
    missing: list[str] = []

    def note_missing(response: Response) -> None:
        if response.status == 404:
            missing.append(response.url)

    page.on("response", note_missing)
    log_in(page, live_server, reporter)
    page.goto(f"{live_server}/routekaart")
    natural = natural_width(int(page.locator("figure svg").get_attribute("data-columns") or 0))
    assert natural > VIEWPORT["width"]  # Amsterdam's map is wider than any screen
    toggle = page.get_by_label("Tekening op ware grootte")

    for viewport, name in ((VIEWPORT, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        drawing = page.locator("figure svg")
        box = page.get_by_role("region", name="Tekening van de routekaart")
        expect(toggle).not_to_be_checked()
        fitted, room = (
            drawing.evaluate("svg => svg.getBoundingClientRect().width"),
            box.evaluate("box => box.clientWidth"),
        )
        assert fitted <= room, f"{name}: the drawing ({fitted} px) overflows its box ({room} px)"
        assert page_width(page)[0] <= viewport["width"]
        assert_accessible(page)
        texts = page.locator("figure svg text").count()
        fitted_contrast = drawing_contrast(page)
        assert fitted_contrast["violations"] == 0
        if viewport == VIEWPORT:  # (fitted to a phone, lines of text are under 2 px high and
            # touch: axe cannot tell their backgrounds apart, so it judges them at full size)
            assert fitted_contrast == {"passes": texts, "violations": 0, "incomplete": 0}
        page.screenshot(path=artifacts_dir / f"routekaart-{name}-fitted.png", full_page=True)

        toggle.check()
        full = drawing.evaluate("svg => svg.getBoundingClientRect().width")
        assert full == pytest.approx(natural, abs=1)
        assert box.evaluate("box => box.scrollWidth > box.clientWidth")
        assert page_width(page)[0] <= viewport["width"]  # the box scrolls, not the page
        assert_accessible(page)
        assert drawing_contrast(page) == {"passes": texts, "violations": 0, "incomplete": 0}
        page.screenshot(path=artifacts_dir / f"routekaart-{name}-full-size.png")
        toggle.uncheck()

    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).ok
    assert page.request.get(f"{live_server}/favicon.ico").ok
    assert missing == [], missing
