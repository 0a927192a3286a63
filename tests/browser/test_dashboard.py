"""The dashboard in a real browser as a manager, a policy member and an administrator: the
charts load, axe finds nothing serious at either width, and the CSV button downloads the
signals the reader may see."""

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from signals.auth.models import User
from signals.figures.rollups import refresh_monthly_figures
from tests.browser.conftest import accessible_at_both_widths, log_in
from tests.fixtures.app import START
from tests.fixtures.small_world import SmallWorld
from tests.helpers import MakeUser

pytestmark = pytest.mark.browser

CHARTS_LOADED = """() => {
  const charts = Array.from(document.querySelectorAll('img.chart-image'));
  return charts.length > 0 && charts.every(chart => chart.complete && chart.naturalWidth > 0);
}"""


def open_dashboard(page: Page, base: str, user: User) -> None:
    log_in(page, base, user)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overzicht").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Overzicht: worden professionals gehoord?"
    )
    page.get_by_label("Van maand").fill("2026-11")
    page.get_by_label("Tot en met maand").fill("2026-11")
    page.get_by_role("button", name="Toon").click()
    expect(page.locator("#period")).to_contain_text("nov 2026 tot en met nov 2026")


def download_csv_lines(page: Page) -> list[str]:
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = download.value.path()
    return Path(path).read_text(encoding="utf-8-sig").splitlines()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()


def test_the_dashboard_for_a_manager_a_policy_member_and_an_administrator(
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    small_world: SmallWorld,
    admin: User,
    make_user: MakeUser,
) -> None:
    refresh_monthly_figures(START + timedelta(days=3, hours=1))
    policy_member = make_user("member", groups=["beleid"], name="Bram Beleid")
    page = browser_page

    open_dashboard(page, live_server, small_world.manager)
    expect(page.locator("#scope")).to_contain_text("uw plekken")
    expect(page.locator("#figure-submitted")).to_have_text("6")
    assert page.evaluate(CHARTS_LOADED)
    accessible_at_both_widths(page, artifacts_dir, "dashboard-manager")
    lines = download_csv_lines(page)
    assert lines[0].startswith("reference,title,status") and len(lines) == 1 + 6
    log_out(page)

    open_dashboard(page, live_server, policy_member)
    expect(page.locator("#scope")).to_contain_text("hele gemeente")
    expect(page.locator("#figure-submitted")).to_have_text("11")
    accessible_at_both_widths(page, artifacts_dir, "dashboard-policy")
    assert download_csv_lines(page) == [lines[0]]  # figures for all, no signal in full
    log_out(page)

    open_dashboard(page, live_server, admin)
    expect(page.locator("#figure-median")).to_have_text("2,0")
    page.get_by_label("Plek", exact=True).select_option("intake")
    page.get_by_role("button", name="Toon").click()
    expect(page.locator("#figure-submitted")).to_have_text("5")
    assert page.evaluate(CHARTS_LOADED)
    accessible_at_both_widths(page, artifacts_dir, "dashboard-admin")
    assert len(download_csv_lines(page)) == 1 + 5
