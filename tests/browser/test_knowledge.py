"""Knowledge articles in a real browser: the owner publishes from the signal's page (a BSN is
refused, the typed text stays), a partner's professional reads and filters the articles, and
the grounds for maatwerk are explained — each page at desktop width and at 390 px, checked by
axe."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from signals.auth.models import User
from signals.clock import Clock
from signals.privacy import BSN_MESSAGE
from signals.workflow.services import resolve_signal, submit_signal
from tests.browser.conftest import accessible_at_both_widths, assert_accessible, log_in

pytestmark = pytest.mark.browser

SUMMARY = (
    "Wie vanuit de bijstand gaat werken, valt een maand zonder inkomen. Een voorschot op het "
    "eerste loon via bijzondere bijstand overbrugt dat gat."
)


def test_the_owner_publishes_and_a_partner_reads_and_filters(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    reporter: User,
    manager: User,
    partner_reporter: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(
        reporter, {**signal_data, "maatwerk": "applied", "maatwerk_grounds": ["pw_18_1"]}
    )
    resolve_signal(
        manager,
        signal.reference,
        {"outcome": "solved_individually", "rationale": "Maatwerk.", "message": "Opgelost."},
    )
    page = browser_page
    log_in(page, live_server, manager)
    page.goto(f"{live_server}/signalen/{signal.reference}")
    publish = page.locator(
        "details", has=page.locator("summary", has_text="Publiceren als kennisartikel")
    )
    publish.locator("summary").click()
    expect(page.get_by_label("Titel van het artikel")).to_have_value(signal.title)
    typed = f"Bij deze inwoner (BSN 111222333) stopte de uitkering te vroeg. {SUMMARY}"
    page.get_by_label("Het mechanisme en wat ervan te leren is").fill(typed)
    publish.get_by_role("button", name="Publiceren").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        f"Het mechanisme en wat ervan te leren is: {BSN_MESSAGE}"
    )
    field = page.get_by_label("Het mechanisme en wat ervan te leren is")
    expect(field).to_have_value(typed)
    expect(field).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.screenshot(path=artifacts_dir / "knowledge-1-bsn-refused.png", full_page=True)

    field.fill(SUMMARY)
    publish.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_role("status")).to_have_text(
        "Het signaal is gepubliceerd als kennisartikel."
    )
    page.locator("#kennisartikel").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(signal.title)
    expect(page.locator("#gronden")).to_have_text("Gronden voor maatwerk")
    accessible_at_both_widths(page, artifacts_dir, "knowledge-2-article")

    page.context.clear_cookies()
    log_in(page, live_server, partner_reporter)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Kennis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kennis")
    expect(page.get_by_role("link", name=signal.title)).to_be_visible()
    page.get_by_label("Maatwerk").select_option("not_applied")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".empty")).to_have_text(
        "Er zijn nog geen kennisartikelen met deze filters."
    )
    page.get_by_label("Maatwerk").select_option("applied")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=signal.title)).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "knowledge-3-list")

    page.get_by_role("link", name="Welke ruimte is er voor maatwerk? De gronden uitgelegd").click()
    expect(page.get_by_role("heading", level=2, name="Hardheidsclausule")).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "knowledge-4-grounds")
