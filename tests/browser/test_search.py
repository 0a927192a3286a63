"""Knowledge reaches the next professional: search from the header, an article opened,
"Dit lijkt op" while typing, and a signal that joins an open kwestie — every page axe-clean.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from signals.auth.models import User
from signals.extensions import db
from signals.knowledge.services import publish_signal
from signals.kwesties.services import create_kwestie
from signals.workflow.models import Signal
from signals.workflow.services import resolve_signal, submit_signal
from tests.browser.conftest import accessible_at_both_widths, choose_the_codes, log_in
from tests.helpers import MakeUser

pytestmark = pytest.mark.browser


def test_search_and_joining_a_kwestie_from_the_form(
    live_server: str,
    browser_page: Page,
    reporter: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
    artifacts_dir: Path,
) -> None:
    policy = make_user("member", groups=["beleid"], name="Bas Beleid")
    kwestie = create_kwestie(
        policy,
        {
            "title": "Kostendelersnorm bij inwonende jongeren",
            "regulation": "participatiewet",
            "node": "beleid",
            "description": "De kostendelersnorm verlaagt de bijstand als een kind inwoont.",
        },
    )
    earlier = submit_signal(
        reporter,
        {
            **signal_data,
            "title": "Terugvordering toeslagen",
            "situation": "Door de terugvordering van toeslagen ontstonden schulden.",
        },
    )
    lead = make_user("manager", name="Lea Leiding")
    handled = submit_signal(
        make_user("professional", manager=lead),
        {**signal_data, "title": "Huur", "situation": "De huur werd niet betaald."},
    )
    resolve_signal(
        lead,
        handled.reference,
        {"outcome": "solved_individually", "rationale": "Voorschot.", "message": "Opgelost."},
    )
    publish_signal(
        lead,
        handled.reference,
        {
            "title": "Voorschot bij een late beschikking",
            "summary": "Een voorschot op de bijstand overbrugt de weken tot de beschikking.",
        },
    )
    page = browser_page
    log_in(page, live_server, reporter)

    # 1. Words from the header: Dutch word forms, the words marked.
    header_search = page.get_by_role("search").first
    header_search.get_by_label("Zoek op woord of kenmerk").fill("schuld")
    header_search.get_by_role("button", name="Zoek", exact=True).click()
    page.wait_for_url(f"{live_server}/zoeken?q=schuld")
    expect(page.get_by_role("heading", name="Signalen")).to_be_visible()
    hit = page.get_by_role("link", name=f"{earlier.reference} · Terugvordering toeslagen")
    expect(hit).to_be_visible()
    expect(page.locator("mark").first).to_have_text("schulden")
    accessible_at_both_widths(page, artifacts_dir, "search-1-results")

    # 1b. Knowledge is found by everyone and opens as an article.
    header_search = page.get_by_role("search").first
    header_search.get_by_label("Zoek op woord of kenmerk").fill("voorschotten")
    header_search.get_by_role("button", name="Zoek", exact=True).click()
    expect(page.get_by_role("heading", name="Kennis")).to_be_visible()
    page.get_by_role("link", name="Voorschot bij een late beschikking").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Voorschot bij een late")
    expect(page.get_by_text("De huur werd niet betaald.")).to_have_count(0)
    accessible_at_both_widths(page, artifacts_dir, "search-1b-article")

    # 2. A reference opens the signal.
    header_search = page.get_by_role("search").first
    header_search.get_by_label("Zoek op woord of kenmerk").fill(earlier.reference.lower())
    header_search.get_by_role("button", name="Zoek", exact=True).click()
    page.wait_for_url(f"{live_server}/signalen/{earlier.reference}")

    # 3. While typing, the form shows the open kwestie; the reporter joins it.
    page.get_by_role("navigation").get_by_role("link", name="Nieuw signaal").click()
    page.get_by_label("Titel").fill("Bijstand omlaag door de kostendelersnorm")
    page.get_by_label("Wat is de situatie?").fill(
        "Moeder krijgt minder bijstand nu haar zoon van 21 weer inwoont."
    )
    similar = page.locator("#similar-slot")
    choice = similar.get_by_role("radio", name=f"Ja, bij Kwestie {kwestie.id}: {kwestie.title}")
    expect(choice).to_be_visible()  # no button pressed: the script asked
    choose_the_codes(page)
    choice.check()
    expect(choice).to_be_checked()
    accessible_at_both_widths(page, artifacts_dir, "search-2-similar-on-the-form")
    page.get_by_role("button", name="Signaal indienen").click()

    page.wait_for_url(f"{live_server}/signalen/KM-*")
    expect(page.get_by_text(kwestie.title).first).to_be_visible()
    db.session.expire_all()
    joined = db.session.scalar(select(Signal).order_by(Signal.id.desc()))
    assert joined is not None and joined.kwestie_id == kwestie.id
