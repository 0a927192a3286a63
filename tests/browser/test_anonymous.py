"""The anonymous channel in a browser: report without logging in, then follow with the receipt."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.workflow.models import Signal
from signals.workflow.services import request_info
from tests.browser.conftest import accessible_at_both_widths, assert_accessible, choose_the_codes
from tests.helpers import MakeUser

pytestmark = pytest.mark.browser


def test_a_professional_reports_anonymously_and_answers_a_question_with_the_receipt(
    clock: Clock, live_server: str, browser_page: Page, artifacts_dir: Path, make_user: MakeUser
) -> None:
    table: User = make_user("member", groups=["casuistiek"], name="Cas Tafel")
    db.session.commit()
    page = browser_page
    page.goto(f"{live_server}/anoniem")
    expect(page).to_have_title("Anoniem een signaal melden – Signalen")
    accessible_at_both_widths(page, artifacts_dir, "anonymous-1-form")

    # A mistake first: the form says so per field and keeps what was typed.
    page.get_by_label("Titel").fill("Zoekperiode jongeren zonder inkomen")
    page.get_by_role("button", name="Anoniem indienen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Titel")).to_have_value("Zoekperiode jongeren zonder inkomen")
    assert_accessible(page)

    page.get_by_label("Wat is de situatie?").fill(
        "Jongeren onder de 27 wachten vier weken op bijstand en hebben dan geen enkel inkomen."
    )
    choose_the_codes(page)
    page.get_by_role("button", name="Anoniem indienen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Uw signaal is anoniem ontvangen")
    receipt = page.locator("#receipt").inner_text().strip()
    assert len(receipt) == 24 and receipt.count("-") == 4
    accessible_at_both_widths(page, artifacts_dir, "anonymous-2-receipt")

    db.session.expire_all()
    signal = db.session.scalars(select(Signal)).one()
    assert signal.anonymous and signal.reporter_id is None
    request_info(table, signal.reference, {"message": "Gaat het om alle jongeren of een deel?"})
    db.session.commit()

    page.get_by_role("link", name="Volg uw signaal").click()
    page.get_by_label("Ontvangstcode").fill(receipt.lower().replace("-", " "))
    page.get_by_role("button", name="Bekijk mijn signaal").click()
    expect(page.locator("#anonymous-question")).to_have_text(
        "Gaat het om alle jongeren of een deel?"
    )
    assert receipt not in page.url
    accessible_at_both_widths(page, artifacts_dir, "anonymous-3-question")

    page.get_by_label("Uw antwoord").fill("Om alle jongeren die nog thuis wonen.")
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw antwoord is verstuurd")
    expect(page.locator("#anonymous-status")).to_have_text("In behandeling")
    expect(page.get_by_text("Om alle jongeren die nog thuis wonen.")).to_be_visible()
    assert_accessible(page)
    db.session.expire_all()
    assert db.session.get(Signal, signal.id).status == "in_progress"  # type: ignore[union-attr]
