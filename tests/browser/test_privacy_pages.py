"""The privacy pages in a real browser: the access log with entries, the groups page with an
error on one group's form, and a person's export with an unknown address — each at desktop
width and at 390 px, checked by axe."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from signals.auth.models import User
from signals.clock import Clock
from signals.workflow.services import submit_signal
from tests.browser.conftest import accessible_at_both_widths, log_in
from tests.helpers import MakeUser

pytestmark = pytest.mark.browser


def test_the_privacy_pages_are_accessible(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    reporter: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    admin = make_user("admin", name="Beheerder Gemeente")
    signal = submit_signal(reporter, signal_data)
    page = browser_page
    log_in(page, live_server, admin)
    page.goto(f"{live_server}/signalen/{signal.reference}")  # logged: an entry to show

    page.goto(f"{live_server}/beheer/toegangslog")
    rows = page.locator("#access-log tbody tr")
    expect(rows.filter(has_text="Signaal ingezien")).to_have_count(1)
    expect(rows.filter(has_text="Gebruiker aangemaakt")).to_have_count(3)  # the set-up
    accessible_at_both_widths(page, artifacts_dir, "privacy-access-log")

    page.goto(f"{live_server}/beheer/groepen")
    expect(page.locator("#group-ombudsman")).to_have_count(0)
    page.locator("#group-intake-email").fill("niemand@gemeente.test")
    page.locator("#group-intake button.secondary").click()
    expect(page.locator("#group-intake-error-summary")).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "privacy-groups")

    page.goto(f"{live_server}/beheer/privacy")
    page.get_by_label("E-mailadres").fill("niemand@gemeente.test")
    page.get_by_role("button", name="Download de gegevens").click()
    expect(page.locator("#error-summary")).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "privacy-person-export")
