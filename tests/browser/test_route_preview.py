"""The route is visible: the form's preview follows the fields, the Routekaart draws the graph."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from signals.auth.models import User
from signals.clock import Clock
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_the_preview_follows_the_form_and_the_route_map_shows_the_graph(
    live_server: str,
    browser_page: Page,
    reporter: User,
    manager: User,
    clock: Clock,
    artifacts_dir: Path,
) -> None:
    page = browser_page
    log_in(page, live_server, reporter)
    page.get_by_role("navigation").get_by_role("link", name="Nieuw signaal").click()
    preview = page.locator("#route-preview")
    expect(preview).to_contain_text("Teamleider / teammanager")
    expect(preview).to_contain_text(manager.name)

    page.get_by_label("Urgentie").select_option("acute")  # no button pressed: the script asks

    expect(preview).to_contain_text("Stedelijk Doorbraakteam")
    expect(preview).not_to_contain_text(manager.name)
    page.get_by_label("Rechtstreeks naar").select_option("ombudsman")
    expect(preview).to_contain_text("Ombudsman Metropool Amsterdam")
    page.screenshot(path=str(artifacts_dir / "preview-1-direct-to-ombudsman.png"), full_page=True)

    page.get_by_role("navigation").get_by_role("link", name="Routekaart").click()
    page.wait_for_url(f"{live_server}/routekaart")
    drawing = page.locator("figure svg")
    expect(drawing).to_be_visible()
    assert drawing.locator("[data-kind='forward']").count() > 10
    expect(page.get_by_role("heading", name="Stedelijk Doorbraakteam")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "preview-2-routekaart.png"), full_page=True)
