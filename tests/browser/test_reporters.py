"""What a reporter sees, in a real browser: "Wacht op u", the search, adding and withdrawing,
the survey of a reopened signal and *Mijn account* — each page at desktop width and at 390 px,
checked by axe."""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from signals.auth.models import User
from signals.clock import Clock
from signals.scheduler.jobs import sweep
from signals.workflow.models import Signal
from signals.workflow.services import (
    answer_survey,
    reopen_signal,
    request_info,
    resolve_signal,
    submit_signal,
)
from tests.browser.conftest import (
    accessible_at_both_widths,
    log_in,
)
from tests.helpers import RESOLUTION

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"KM-\d{4}-\d{6}")
REASON = "Het UWV heeft de betaling alsnog gedaan."
INFO = "Inmiddels zijn er twee gezinnen in dezelfde situatie."


def submit(clock: Clock, user: User, signal_data: dict[str, Any], title: str) -> Signal:
    clock.set(clock.now() + timedelta(hours=1))
    return submit_signal(user, {**signal_data, "title": title})


def test_the_awaiting_badge_leads_to_the_marked_signal_and_the_search_finds_by_word(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    page = browser_page
    waiver = submit(clock, reporter, signal_data, "Kwijtschelding geweigerd om een spaarpot")
    asked = submit(clock, reporter, signal_data, "Inkomensgat bij werkhervatting")
    submit(clock, reporter, signal_data, "Zoekperiode jongeren")
    request_info(manager, asked.reference, {"message": "Om hoeveel gezinnen gaat het?"})

    log_in(page, live_server, reporter)
    page.goto(f"{live_server}/routekaart")  # on every page, not only the list
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    badge = menu.get_by_role("link", name="Wacht op u 1 signaal")
    expect(badge).to_be_visible()
    badge.click()
    page.wait_for_url(f"{live_server}/signalen?status=awaiting_reporter")
    rows = page.get_by_role("row").filter(has=page.get_by_role("link", name=REFERENCE))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(asked.reference)
    expect(rows.first).to_contain_text("Wacht op u")
    expect(rows.first).to_have_class("awaiting")
    expect(page.get_by_label("Status")).to_have_value("awaiting_reporter")
    accessible_at_both_widths(page, artifacts_dir, "reporters-1-awaiting")

    page.get_by_label("Status").select_option("")
    search = page.get_by_role("searchbox", name="Zoeken")
    expect(search).to_have_accessible_description("Kenmerk of woorden uit de titel of beschrijving")
    search.fill("KWIJTSCHELDING spaarpot")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator("#result-count")).to_have_text("1 signaal gevonden.")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(waiver.reference)
    expect(search).to_have_value("KWIJTSCHELDING spaarpot")

    search.fill(asked.reference[-6:])
    page.get_by_label("Volgorde").select_option(label="Oudste eerst")
    page.get_by_role("button", name="Zoeken").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(asked.reference)
    expect(page.get_by_label("Volgorde")).to_have_value("oldest")
    accessible_at_both_widths(page, artifacts_dir, "reporters-2-search")

    page.goto(f"{live_server}/signalen?status=gesloten")
    expect(page.get_by_role("alert")).to_contain_text("Onbekende keuze: gesloten.")
    expect(page.get_by_label("Status")).to_have_attribute("aria-invalid", "true")
    accessible_at_both_widths(page, artifacts_dir, "reporters-3-bad-filter")


def test_the_reporter_adds_information_and_withdraws_the_signal_on_its_page(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    page = browser_page
    signal = submit(clock, reporter, signal_data, "Inkomensgat bij werkhervatting")
    log_in(page, live_server, reporter)
    page.goto(f"{live_server}/signalen/{signal.reference}")

    add = page.locator("details", has=page.locator("summary", has_text="Informatie toevoegen"))
    add.locator("summary").click()
    add.get_by_label("Wat wilt u toevoegen?").fill(INFO)
    withdraw = page.locator("details", has=page.locator("summary", has_text="Signaal intrekken"))
    withdraw.locator("summary").click()
    accessible_at_both_widths(page, artifacts_dir, "reporters-4-signal-forms")
    add.get_by_role("button", name="Aanvulling versturen").click()
    expect(page.get_by_role("status")).to_have_text(
        "Uw aanvulling is toegevoegd; de eigenaar krijgt bericht."
    )
    timeline = page.get_by_role("region", name="Tijdlijn")
    expect(timeline.get_by_role("listitem").last).to_contain_text("Aanvulling van de melder")
    expect(timeline.get_by_role("listitem").last).to_contain_text(INFO)

    withdraw.locator("summary").click()
    withdraw.get_by_role("button", name="Signaal intrekken").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit veld is verplicht.")
    reason = withdraw.get_by_label("Waarom trekt u het signaal in?")
    expect(withdraw).to_have_attribute("open", "")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile("Dit veld is verplicht."))
    accessible_at_both_widths(page, artifacts_dir, "reporters-5-withdraw-error")

    reason.fill(REASON)
    withdraw.get_by_role("button", name="Signaal intrekken").click()
    expect(page.get_by_role("status")).to_have_text(
        "U heeft het signaal ingetrokken; de eigenaar krijgt bericht."
    )
    expect(page.locator(".page-head").get_by_text("Ingetrokken", exact=True)).to_be_visible()
    where = page.get_by_role("region", name="Waar ligt dit signaal")
    expect(where).to_contain_text("Ingetrokken door de melder op")
    expect(where).to_contain_text(REASON)
    expect(page.get_by_role("region", name="Acties")).to_have_count(0)
    accessible_at_both_widths(page, artifacts_dir, "reporters-6-withdrawn")


def test_the_survey_of_a_reopened_signal_says_so_and_asks_nothing(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    page = browser_page
    signal = submit(clock, reporter, signal_data, "Inkomensgat bij werkhervatting")
    resolve_signal(manager, signal.reference, RESOLUTION)
    sweep(clock.now() + timedelta(minutes=5))
    clock.set(clock.now() + timedelta(hours=1))
    answer_survey(reporter, signal.reference, {"score": "4"})
    reopen_signal(reporter, signal.reference, {"message": "Het speelt opnieuw."})

    log_in(page, live_server, reporter)
    page.goto(f"{live_server}/signalen/{signal.reference}/evaluatie")

    expect(page.locator("#survey-reopened")).to_contain_text("heropend")
    expect(page.locator("#survey-reopened")).to_contain_text("nog niet opnieuw afgehandeld")
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_text("met de uitkomst")).to_have_count(0)
    accessible_at_both_widths(page, artifacts_dir, "reporters-7-survey-reopened")


def test_my_account_holds_who_i_am_with_the_password_and_api_key_pages(
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    intake_member: User,
) -> None:
    page = browser_page
    log_in(page, live_server, intake_member)
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="API-sleutels")).to_have_count(0)
    menu.get_by_role("link", name="Mijn account").click()
    page.wait_for_url(f"{live_server}/account")

    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account")
    facts = page.locator("#account-facts")
    for text in (intake_member.name, "Lid van een overleg of team", "Centrale intake signalen"):
        expect(facts).to_contain_text(text)
    expect(menu.get_by_role("link", name="Mijn account")).to_have_attribute("aria-current", "page")
    accessible_at_both_widths(page, artifacts_dir, "reporters-8-account")

    page.get_by_role("link", name="API-sleutels").click()
    page.wait_for_url(f"{live_server}/api-sleutels")
    page.get_by_role("link", name="← Mijn account").click()
    page.get_by_role("link", name="Wachtwoord wijzigen").click()
    page.wait_for_url(f"{live_server}/wachtwoord")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord wijzigen")
