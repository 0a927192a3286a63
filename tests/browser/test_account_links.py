"""Wachtwoord vergeten in a browser: ask, open the mailed link, set a password, log in."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from tests.browser.conftest import accessible_at_both_widths, assert_accessible
from tests.helpers import MakeUser

pytestmark = pytest.mark.browser

NEW_PASSWORD = "mijn fiets staat bij het station"
LINK = re.compile(r"https?://\S+(/wachtwoord-instellen/[\w-]+)")


def test_a_forgotten_password_is_set_again_through_the_mailed_link(
    clock: Clock, live_server: str, browser_page: Page, artifacts_dir: Path, make_user: MakeUser
) -> None:
    person = make_user("professional", name="Vera Vergeetachtig")
    db.session.commit()
    page = browser_page
    page.goto(f"{live_server}/inloggen")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page).to_have_title("Wachtwoord vergeten – Signalen")
    accessible_at_both_widths(page, artifacts_dir, "forgot-1-form")

    page.get_by_label("E-mailadres").fill(person.email)
    page.get_by_role("button", name="Stuur mij een link").click()
    expect(page.locator("#reset-sent")).to_contain_text("een link om een nieuw wachtwoord")
    accessible_at_both_widths(page, artifacts_dir, "forgot-2-sent")

    db.session.expire_all()
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
    ).one()
    found = LINK.search(mail.body_text)
    assert found is not None and mail.recipient == person.email
    db.session.rollback()

    page.goto(f"{live_server}{found.group(1)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw wachtwoord instellen")
    accessible_at_both_widths(page, artifacts_dir, "forgot-3-new-password")

    # A mistake first: said per field, in Dutch.
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nieuw wachtwoord nog een keer").fill("iets anders")
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.locator("#password_again-error")).to_have_text(
        "De twee wachtwoorden zijn niet gelijk."
    )
    assert_accessible(page)

    page.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nieuw wachtwoord nog een keer").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw wachtwoord is ingesteld")

    page.get_by_label("E-mailadres").fill(person.email)
    page.get_by_label("Wachtwoord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("link", name="Mijn account")).to_be_visible()

    # The link worked once.
    page.goto(f"{live_server}{found.group(1)}")
    expect(page.locator("#link-refused")).to_contain_text("al gebruikt")
    assert_accessible(page)
