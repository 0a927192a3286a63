"""The trust pulse as a professional answers it: the mailed link, no log-in, two statements."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.trust.pulse import open_pulse_round
from tests.browser.conftest import accessible_at_both_widths, assert_accessible

pytestmark = pytest.mark.browser

MARCH_FIRST = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Amsterdam
TRUST = "Ik vertrouw erop dat er iets met mijn signaal gebeurt"
HEARD = "Ik voel me gehoord"


def invitation_path(user: User) -> str:
    body = db.session.scalar(
        select(OutboxMessage.body_text).where(
            OutboxMessage.kind == "trust_pulse", OutboxMessage.recipient == user.email
        )
    )
    assert body is not None
    match = re.search(r"/peiling/[\w-]+", body)
    assert match is not None
    db.session.rollback()  # the live server's requests must not wait on this session
    return match.group(0)


def test_a_partner_answers_the_pulse_from_the_mail_without_logging_in(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    partner_reporter: User,
) -> None:
    clock.set(MARCH_FIRST)
    assert open_pulse_round(MARCH_FIRST) == 1
    page = browser_page
    page.goto(f"{live_server}{invitation_path(partner_reporter)}")
    expect(page).to_have_title("Peiling maart 2027 – Signalen")
    accessible_at_both_widths(page, artifacts_dir, "trust-pulse-1-open")

    page.get_by_role("group", name=TRUST).get_by_label("4 – eens").check()
    page.get_by_role("button", name="Versturen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        f"{HEARD}: Kies een antwoord van 1 (helemaal oneens) tot 5 (helemaal eens)."
    )
    expect(page.get_by_role("group", name=TRUST).get_by_label("4 – eens")).to_be_checked()
    assert_accessible(page)
    page.screenshot(path=artifacts_dir / "trust-pulse-2-errors.png", full_page=True)

    page.get_by_role("group", name=HEARD).get_by_label("2 – oneens").check()
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("status")).to_have_text("Dank u wel. Uw antwoord is anoniem bewaard.")
    expect(page.locator("#pulse-answered")).to_contain_text("Deze peiling is beantwoord")
    expect(page.get_by_role("button", name="Versturen")).to_have_count(0)
    assert_accessible(page)
