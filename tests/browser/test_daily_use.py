"""A reporter's and an owner's working day, page after page, at desktop width and on a phone.

Each walk visits the pages of the daily-use issue in the order a person meets them and checks
on every page that axe finds nothing serious and that nothing sticks out sideways at 390 px
(screenshots of both widths in ``test-artifacts/daily-*``). The detailed behaviour of each
page has its own tests; this one proves they hold together along the way.
"""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from signals.auth.models import User
from signals.clock import Clock
from signals.workflow.services import (
    accept_signal,
    reopen_signal,
    request_info,
    resolve_signal,
    submit_signal,
)
from tests.browser.conftest import accessible_at_both_widths, log_in
from tests.fixtures.app import START
from tests.helpers import RESOLUTION

pytestmark = pytest.mark.browser


@pytest.fixture
def day(clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]) -> dict[str, str]:
    """Three signals of the reporter at the teamleider: asked about, reopened, and late."""

    def submit(title: str) -> str:
        return submit_signal(reporter, {**signal_data, "title": title}).reference

    asked = submit("Zoekperiode van vier weken bij jongeren")
    request_info(manager, asked, {"message": "Om hoeveel jongeren gaat het?"})
    reopened = submit("Kwijtschelding geweigerd om een spaarpot")
    resolve_signal(manager, reopened, RESOLUTION)
    reopen_signal(reporter, reopened, {"message": "Het speelt opnieuw."})
    late = submit("Terugvordering na een te late wijziging")
    accept_signal(manager, late, {})
    clock.set(START + timedelta(days=21))  # three weeks on: the feedback deadline has passed
    return {"asked": asked, "reopened": reopened, "late": late}


def test_a_reporters_day(
    app: Flask,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    reporter: User,
    day: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "DEBUG", True)  # the Ontwikkel-mailbox
    page = browser_page
    log_in(page, live_server, reporter)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name=re.compile("Wacht op u")
    ).click()
    expect(page.locator("tr.awaiting")).to_contain_text(day["asked"])
    accessible_at_both_widths(page, artifacts_dir, "daily-reporter-1-waiting-for-me")

    page.get_by_label("Status").select_option("")
    page.get_by_role("searchbox", name="Zoeken").fill("spaarpot")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator("#result-count")).to_have_text("1 signaal gevonden.")
    accessible_at_both_widths(page, artifacts_dir, "daily-reporter-2-search")

    page.goto(f"{live_server}/signalen/{day['late']}")
    expect(page.locator("#journey")).to_contain_text("Stap 1")
    add = page.locator("details", has=page.locator("summary", has_text="Informatie toevoegen"))
    add.locator("summary").click()
    add.get_by_role("button", name="Aanvulling versturen").click()  # empty: an error
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    accessible_at_both_widths(page, artifacts_dir, "daily-reporter-3-add-info-error")

    page.goto(f"{live_server}/signalen/{day['reopened']}/evaluatie")
    expect(page.locator("#survey-reopened")).to_contain_text("heropend")
    expect(page.get_by_role("radio")).to_have_count(0)
    accessible_at_both_widths(page, artifacts_dir, "daily-reporter-4-survey-reopened")

    page.get_by_role("link", name="Mijn account").click()
    expect(page.get_by_role("link", name="Wachtwoord wijzigen")).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "daily-reporter-5-account")

    page.goto(f"{live_server}/dev/mailbox")
    recipients = page.locator("[id$='-recipient']")
    expect(recipients.first).to_be_visible()
    assert set(recipients.all_inner_texts()) == {reporter.email}  # only their own mail
    accessible_at_both_widths(page, artifacts_dir, "daily-reporter-6-mailbox")


def test_an_owners_day(
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    manager: User,
    admin: User,
    day: dict[str, str],
) -> None:
    page = browser_page
    log_in(page, live_server, manager)
    expect(page.get_by_role("link", name=day["late"])).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "daily-owner-1-inbox")

    page.get_by_role("link", name=day["late"]).click()
    expect(page.locator("#deadline-feedback-late")).to_contain_text("werkdagen te laat")
    drawing = page.get_by_role("img", name=re.compile("de weg van dit signaal"))
    expect(drawing.locator("[data-current='true']")).to_have_attribute("data-node", "teamleider")
    accessible_at_both_widths(page, artifacts_dir, "daily-owner-2-late-signal")

    # The same signal open in a second tab: feedback from the first makes the second stale.
    second = page.context.new_page()
    second.goto(page.url)
    for tab, text in ((page, "Eerste bericht."), (second, "Tweede bericht, later verstuurd.")):
        feedback = tab.locator("details", has=tab.locator("summary", has_text="Terugkoppeling"))
        feedback.locator("summary").click()
        feedback.get_by_label("Bericht aan de melder").fill(text)
    page.get_by_role("button", name="Terugkoppeling versturen").click()
    expect(page.get_by_role("status")).to_contain_text("verstuurd")
    second.get_by_role("button", name="Terugkoppeling versturen").click()
    expect(second.get_by_role("alert")).to_contain_text("intussen gewijzigd")
    expect(second.locator("#feedback-message")).to_have_value("Tweede bericht, later verstuurd.")
    accessible_at_both_widths(second, artifacts_dir, "daily-owner-3-conflict")
    second.close()

    page.goto(f"{live_server}/routekaart")
    accessible_at_both_widths(page, artifacts_dir, "daily-owner-4-route-map")
    assert page.request.get(f"{live_server}/favicon.ico").status == 200

    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, live_server, admin)
    page.goto(f"{live_server}/beheer/outbox")
    expect(page.locator("article.mail").first).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "daily-owner-5-outbox")
