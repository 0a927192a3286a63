"""A form that comes back with errors, as a person sees it: the summary names each field by its
own label, takes the focus, and its links take the focus on to the field."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from signals.auth.models import User
from signals.clock import Clock
from signals.workflow.services import resolve_signal, submit_signal
from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_the_reopen_forms_errors_name_the_field_and_take_the_focus(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(reporter, signal_data)
    resolve_signal(
        manager,
        signal.reference,
        {"outcome": "not_possible", "rationale": "Geen ruimte.", "message": "Dank u."},
    )
    page = browser_page
    log_in(page, live_server, reporter)
    page.goto(f"{live_server}/signalen/{signal.reference}")
    reopen = page.locator("details", has=page.locator("summary", has_text="Heropenen"))
    reopen.locator("summary").click()
    reopen.get_by_role("button", name="Heropenen").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name("Controleer de gemarkeerde velden")
    link = summary.get_by_role("link")
    expect(link).to_have_text("Waarom heropenen? Dit veld is verplicht.")
    expect(page).to_have_title(f"Fout: {signal.reference} – Signalen")
    assert_accessible(page)
    page.screenshot(path=artifacts_dir / "errors-1-reopen-summary-focused.png", full_page=True)

    link.click()
    field = page.get_by_label("Waarom heropenen?")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    field.fill("Het probleem speelt opnieuw.")
    page.get_by_role("button", name="Heropenen").click()
    expect(page.get_by_role("status")).to_have_text("Het signaal is heropend.")


def test_the_report_forms_title_is_text_and_a_fieldset_error_focuses_its_first_choice(
    live_server: str, browser_page: Page, reporter: User
) -> None:
    page = browser_page
    log_in(page, live_server, reporter)
    page.goto(f"{live_server}/signalen/nieuw")
    expect(page).to_have_title("Nieuw signaal – Signalen")
    assert page.title().count("<") == 0

    page.get_by_role("button", name="Signaal indienen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(page).to_have_title("Fout: Nieuw signaal – Signalen")
    expect(summary.get_by_role("link", name=re.compile("^Titel: "))).to_have_count(1)
    summary.get_by_role("link", name=re.compile("^Om welke regeling gaat het\\? ")).click()
    regulations = page.get_by_role("group", name="Om welke regeling gaat het?")
    expect(regulations.get_by_role("checkbox").first).to_be_focused()
    assert_accessible(page)


def test_without_javascript_the_summary_still_links_to_the_field(
    live_server: str, browser_page: Page, reporter: User
) -> None:
    page = browser_page
    page.context.route("**/error-summary.js", lambda route: route.abort())
    log_in(page, live_server, reporter)
    page.goto(f"{live_server}/signalen/nieuw")
    page.get_by_role("button", name="Signaal indienen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    link = summary.get_by_role("link", name=re.compile("^Titel: "))
    expect(link).to_have_attribute("href", "#title")
    link.click()  # a plain anchor: the browser goes to the field
    expect(page).to_have_url(re.compile("#title$"))
