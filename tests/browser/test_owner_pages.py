"""What an owner and an administrator see, in a real browser: a signal's way through the route
and how late it is, the page after two owners acted at once, and the outbox a page at a time —
each page at desktop width and at 390 px, checked by axe."""

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.kwesties.services import create_kwestie, kwestie_message
from signals.notifications.models import OutboxMessage
from signals.workflow.services import accept_signal, forward_signal, give_feedback, submit_signal
from tests.browser.conftest import (
    accessible_at_both_widths,
    log_in,
)
from tests.fixtures.app import START
from tests.helpers import MakeUser

pytestmark = pytest.mark.browser

MINE = "Ik heb de inwoner gebeld; we zoeken een oplossing binnen de bijzondere bijstand."
THEIRS = "We nemen uw signaal mee naar het intakeoverleg van donderdag."


def test_an_owner_sees_the_signals_way_through_the_route_and_how_late_it_is(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    reporter: User,
    manager: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    policy = make_user("member", groups=["beleid"], name="Bert Beleid")
    table = make_user("member", groups=["casuistiek"], name="Cas Tafel")
    signal = submit_signal(reporter, signal_data)
    accept_signal(manager, signal.reference, {})
    clock.set(START + timedelta(days=1))
    forward_signal(manager, signal.reference, {"to": "casuistiek", "message": "Graag bespreken."})
    clock.set(START + timedelta(days=2))
    forward_signal(table, signal.reference, {"to": "beleid", "message": "Dit is beleid."})
    clock.set(START + timedelta(days=7))  # Monday 30 November: beleid had to accept by Friday
    page = browser_page

    log_in(page, live_server, policy)
    page.goto(f"{live_server}/signalen/{signal.reference}")

    expect(page.locator("#deadline-accept-late")).to_have_text("1 werkdag te laat")
    steps = page.get_by_role("list").filter(has=page.locator("#visit-1"))
    expect(steps.get_by_role("listitem")).to_have_count(3)
    expect(page.locator("#visit-1")).to_contain_text("Ingediend door de melder")
    expect(page.locator("#visit-2")).to_contain_text("Graag bespreken.")
    expect(page.locator("#visit-3")).to_have_attribute("aria-current", "step")
    expect(page.locator("#visit-3")).to_contain_text("Stap 3: Beleid Armoede en Schulden")
    drawing = page.get_by_role("img", name="Routekaart Amsterdam: de weg van dit signaal")
    expect(drawing).to_be_visible()
    expect(drawing.locator("[data-current='true']")).to_have_attribute("data-node", "beleid")
    expect(drawing.locator("[data-kind][data-visited='true']")).to_have_count(3)
    accessible_at_both_widths(page, artifacts_dir, "owners-signal-route")


def test_two_owners_act_at_once_and_the_second_keeps_their_text_and_sends_it_again(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    partner_reporter: User,
    make_user: MakeUser,
    signal_data: dict[str, Any],
) -> None:
    first = make_user("member", groups=["intake"], name="Lotte Intake")
    second = make_user("member", groups=["intake"], name="Daan Intake")
    signal = submit_signal(partner_reporter, signal_data)
    page = browser_page
    log_in(page, live_server, second)
    page.goto(f"{live_server}/signalen/{signal.reference}")
    feedback = page.locator("details", has=page.locator("summary", has_text="Terugkoppeling"))
    message = feedback.get_by_label("Bericht aan de melder")
    feedback.locator("summary").click()
    message.fill(MINE)

    give_feedback(first, signal.reference, {"message": THEIRS})  # meanwhile, a colleague
    page.get_by_role("button", name="Terugkoppeling versturen").click()

    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("Niet verstuurd: dit signaal is intussen gewijzigd")
    expect(notice).to_contain_text("Terugkoppeling gegeven")
    expect(notice).to_contain_text(THEIRS)
    expect(notice).to_contain_text("door Lotte Intake")
    expect(message).to_have_value(MINE)
    expect(message).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "owners-conflict")

    notice.get_by_role("link", name="verstuur het opnieuw").click()
    expect(message).to_be_in_viewport()
    page.get_by_role("button", name="Terugkoppeling versturen").click()

    expect(page.get_by_role("status")).to_have_text(
        "Uw terugkoppeling is verstuurd naar de melder."
    )
    timeline = page.locator(".timeline")
    expect(timeline.get_by_text(THEIRS)).to_be_visible()
    expect(timeline.get_by_text(MINE)).to_be_visible()


def write_messages(clock: Clock, count: int) -> None:
    for number in range(count):
        moment = clock.now() + timedelta(minutes=number)
        db.session.add(
            OutboxMessage(
                message_id=f"<{uuid.uuid4().hex}@test>",
                recipient=f"mens{number}@{'partner' if number % 3 else 'gemeente'}.test",
                subject=f"Bericht {number}",
                body_text=f"Tekst van bericht {number}.",
                body_html=f"<!doctype html><html lang='nl'><head><title>Bericht {number}</title>"
                f"</head><body><p>Tekst van bericht {number}.</p></body></html>",
                kind="receipt",
                status="dead" if number % 10 == 0 else "sent",
                attempts=0,
                next_attempt_at=moment,
                created_at=moment,
            )
        )
    db.session.commit()


def test_the_outbox_is_read_a_page_at_a_time_filtered_and_with_a_safe_preview(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    admin: User,
    reporter: User,
    signal_data: dict[str, Any],
) -> None:
    write_messages(clock, 200)
    clock.set(clock.now() + timedelta(days=1))
    signal = submit_signal(reporter, signal_data)  # the newest: a real receipt, with a link
    page = browser_page
    log_in(page, live_server, admin)

    page.goto(f"{live_server}/beheer/outbox")

    expect(page.locator("article.mail")).to_have_count(25)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 12_000, f"one page of the outbox is {height} px high"
    accessible_at_both_widths(page, artifacts_dir, "owners-outbox")

    receipt = page.locator("article.mail", has_text=f"[{signal.reference}] Uw signaal is ontvangen")
    receipt.get_by_text("Bericht lezen").click()
    link = receipt.locator("pre").get_by_role("link", name=re.compile(signal.reference))
    expect(link).to_have_attribute("href", f"http://signalen.test/signalen/{signal.reference}")
    preview = receipt.frame_locator("iframe")
    expect(preview.get_by_text("Het is ontvangen met kenmerk")).to_be_visible()
    # The mail links to BASE_URL (signalen.test): answered here, so the new tab keeps the address.
    page.context.route("http://signalen.test/**", lambda route: route.fulfill(body="signaal"))
    with page.context.expect_page() as opened:
        preview.get_by_role("link", name=re.compile("Bekijk")).first.click()
    assert opened.value.url.startswith(f"http://signalen.test/signalen/{signal.reference}")
    opened.value.close()
    page.screenshot(path=artifacts_dir / "owners-outbox-preview.png", full_page=True)

    page.get_by_label("Status").select_option(label="Mislukt – opgegeven")
    page.get_by_label("Aan").fill("@PARTNER")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#mail-list-caption")).to_contain_text("Mislukt – opgegeven")
    subjects = page.locator("article.mail h3")
    expect(subjects).to_have_count(13)  # dead (every tenth) and at a partner (not every third)
    expect(page.locator("article.mail", has_text="gemeente.test")).to_have_count(0)
    expect(page.get_by_role("link", name="Oudere berichten")).to_have_count(0)

    page.get_by_role("link", name="Wis filters").click()
    page.get_by_role("link", name="Oudere berichten").click()
    expect(page.locator("article.mail").first.locator("h3")).to_have_text(
        "Bericht 176"
    )  # 2 mails of the signal, 23 written
    expect(page.get_by_role("link", name="Nieuwste berichten")).to_be_visible()
    accessible_at_both_widths(page, artifacts_dir, "owners-outbox-page-2")


def test_a_kwestie_decision_sent_after_a_colleagues_message_is_kept_and_taken_on_purpose(
    clock: Clock,
    live_server: str,
    browser_page: Page,
    artifacts_dir: Path,
    manager: User,
    make_user: MakeUser,
) -> None:
    colleague = make_user("member", groups=["beleid"], name="Bas Beleid")
    deciding = make_user("member", groups=["beleid"], name="Bo Beleid")
    kwestie = create_kwestie(
        manager, {"title": "Inkomensgat bij de overgang naar werk", "node": "beleid"}
    )
    page = browser_page
    log_in(page, live_server, deciding)
    page.goto(f"{live_server}/kwesties/{kwestie.id}")
    page.locator("summary", has_text="Besluiten").click()
    page.get_by_label("Uitkomst").select_option("policy_changed")
    page.get_by_label("Onderbouwing").fill("De werkinstructie is aangepast.")
    page.get_by_label("Bericht aan de melders").fill("Per 1 januari geldt een voorschot.")

    kwestie_message(colleague, kwestie.id, {"message": "We bespreken dit volgende week."})
    page.get_by_role("button", name="Besluit vastleggen").click()

    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("Niet verstuurd: deze kwestie is intussen gewijzigd")
    expect(notice).to_contain_text("We bespreken dit volgende week.")
    expect(page.get_by_label("Onderbouwing")).to_have_value("De werkinstructie is aangepast.")
    accessible_at_both_widths(page, artifacts_dir, "owners-kwestie-conflict")
    page.get_by_role("button", name="Besluit vastleggen").click()

    expect(page.get_by_role("status")).to_contain_text("Het besluit is vastgelegd")
    expect(page.locator("#besluit")).to_contain_text("Beleid of werkinstructie aangepast")
