"""A chair plans a meeting, puts a signal on its agenda and holds it, in a real browser; every
page checked by axe at desktop width and at 390 px."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from signals.clock import Clock
from tests.browser.conftest import accessible_at_both_widths, log_in
from tests.helpers import Api, MakeUser, signal_by_reference
from tests.integration.test_meetings import Table

pytestmark = pytest.mark.browser


def test_a_chair_plans_agendas_and_holds_a_meeting(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    api: Api,
    make_user: MakeUser,
) -> None:
    table = Table(api, make_user)
    reference = table.references[0]
    page = browser_page
    log_in(page, live_server, table.chair)

    page.goto(f"{live_server}/overleggen")
    page.get_by_role("link", name="Nieuw overleg").click()
    accessible_at_both_widths(page, artifacts_dir, "meeting-plan")
    page.get_by_role("button", name="Overleg plannen").click()  # nothing filled in
    expect(page.locator("#title-error")).to_contain_text("Dit veld is verplicht.")
    accessible_at_both_widths(page, artifacts_dir, "meeting-plan-errors")
    page.get_by_label("Titel").fill("Tafel december")
    page.get_by_label("Datum en tijd").fill("2026-12-07T10:00")
    page.get_by_role("button", name="Overleg plannen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tafel december")

    page.get_by_label("Signaal", exact=True).fill(reference)
    page.get_by_role("button", name="Agenderen").click()
    expect(page.locator("ol.agenda")).to_contain_text(reference)
    page.get_by_label("Verslag").fill("Eén casus besproken.")
    page.get_by_label("Conclusie").fill("De tafel stuurt dit naar beleid.")
    page.get_by_label("Vervolg").select_option("forward:beleid")
    accessible_at_both_widths(page, artifacts_dir, "meeting-agenda")
    page.get_by_role("button", name="Vastleggen", exact=True).click()

    expect(page.locator("ol.agenda")).to_contain_text("Conclusie: De tafel stuurt dit naar beleid.")
    expect(page.locator("#verslag")).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "meeting-held")
    assert signal_by_reference(reference).node == "beleid"
