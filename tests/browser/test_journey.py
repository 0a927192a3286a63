"""The journey a municipality tries first, in a real browser against a live server.

A buurtteam professional reports a signal (and is corrected on a missing title and a BSN),
the intake group gives feedback and resolves it, the reporter gets each e-mail once over real
SMTP and finally sees the whole timeline.
"""

import re
from datetime import timedelta
from email.message import EmailMessage, Message
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.delivery import deliver_pending
from signals.notifications.models import OutboxMessage
from signals.workflow.models import Signal
from tests.fixtures.people import PASSWORD
from tests.fixtures.smtp import SmtpServer

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"KM-\d{4}-\d{6}")
TITLE = "Inkomensgat bij starten met werk vanuit de bijstand"
SITUATION_WITH_BSN = "Mevrouw met BSN 111222333 krijgt haar eerste loon pas na een maand."
SITUATION = (
    "Wie vanuit de bijstand gaat werken, krijgt het eerste loon pas na een maand terwijl "
    "de uitkering direct stopt. Daardoor ontstaat een gat van enkele weken zonder inkomen."
)
EXPERIENCE = "Mensen durven niet meer aan het werk te gaan uit angst voor schulden."
FEEDBACK = "We bespreken uw signaal donderdag in het intakeoverleg met Werk en Inkomen."
RESOLUTION_MESSAGE = "Dank voor uw signaal; we houden de ontwikkelingen in de gaten."
RATIONALE = (
    "De uitbetaling van het eerste loon ligt bij de werkgever; een voorschot op de bijstand "
    "is volgens de huidige beleidsregel niet mogelijk."
)
OUTCOME = "Niet mogelijk (met onderbouwing)"


def log_in(page: Page, base_url: str, user_email: str, lands_on: str) -> None:
    page.goto(f"{base_url}/inloggen")
    page.get_by_label("E-mailadres").fill(user_email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}{lands_on}")


def log_out(page: Page, base_url: str) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{base_url}/inloggen")
    expect(page.get_by_role("status")).to_have_text("U bent uitgelogd.")


def action(page: Page, summary: str) -> Locator:
    """The ``<details>`` block of an owner action, found by its summary text."""
    return page.locator("details", has=page.locator("summary", has_text=summary))


def plain_text(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def deliver_mail(app: Flask) -> None:
    """What the scheduler does: deliver the outbox at the app's 'now'."""
    db.session.expire_all()
    report = deliver_pending(app.extensions["signals.clock"].now())
    assert report.failed == [] and report.dead == []


def test_report_feedback_resolution_and_mail_in_the_browser(
    app: Flask,
    clock: Clock,
    live_server: str,
    browser_page: Page,
    smtp_server: SmtpServer,
    artifacts_dir: Path,
    partner_reporter: User,
    intake_member: User,
) -> None:
    page = browser_page
    base = live_server
    reporter_email = partner_reporter.email
    intake_email = intake_member.email
    intake_name = intake_member.name

    # a. The buurtteam professional reports a signal and is corrected first.
    log_in(page, base, reporter_email, lands_on="/signalen")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("link", name="Nieuw signaal").click()
    page.wait_for_url(f"{base}/signalen/nieuw")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw signaal")

    page.get_by_label("Wat is de situatie?").fill(SITUATION_WITH_BSN)
    page.get_by_label("Hoe ervaart de inwoner dit?").fill(EXPERIENCE)
    regulations = page.get_by_role("group", name="Om welke regeling gaat het?")
    regulations.get_by_role("checkbox", name="Participatiewet", exact=True).check()
    page.get_by_label("Waar ligt de oorzaak?").select_option(
        label="Uitvoeringspraktijk van de gemeente"
    )
    page.get_by_label("Hoe vaak komt dit voor?").select_option(label="Structureel")
    page.get_by_label("Urgentie", exact=True).select_option(label="Hoog")
    impact = page.get_by_role("group", name="Gevolgen voor de inwoner")
    impact.get_by_role("checkbox", name="Inkomensgat").check()
    impact.get_by_role("checkbox", name="Schulden").check()
    maatwerk = page.get_by_role("group", name="Is maatwerk overwogen?")
    maatwerk.get_by_role("radio", name="Weet ik niet").check()
    page.get_by_role("button", name="Signaal indienen").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Controleer de gemarkeerde velden")
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(summary.get_by_role("link", name="Dit veld is verplicht.")).to_have_attribute(
        "href", "#title"
    )
    expect(summary.get_by_role("link", name=re.compile("burgerservicenummer"))).to_have_attribute(
        "href", "#situation"
    )
    title = page.get_by_label("Titel", exact=True)
    situation = page.get_by_label("Wat is de situatie?")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(re.compile("Dit veld is verplicht."))
    expect(situation).to_have_attribute("aria-invalid", "true")
    expect(situation).to_have_accessible_description(re.compile("burgerservicenummer \\(BSN\\)"))
    expect(page.get_by_label("Hoe ervaart de inwoner dit?")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    # Everything typed is still there.
    expect(title).to_have_value("")
    expect(situation).to_have_value(SITUATION_WITH_BSN)
    expect(page.get_by_label("Hoe ervaart de inwoner dit?")).to_have_value(EXPERIENCE)
    expect(regulations.get_by_role("checkbox", name="Participatiewet", exact=True)).to_be_checked()
    expect(regulations.get_by_role("checkbox", name="Jeugdwet")).not_to_be_checked()
    expect(page.get_by_label("Waar ligt de oorzaak?")).to_have_value("municipal_practice")
    expect(page.get_by_label("Hoe vaak komt dit voor?")).to_have_value("structural")
    expect(page.get_by_label("Urgentie", exact=True)).to_have_value("high")
    expect(impact.get_by_role("checkbox", name="Inkomensgat")).to_be_checked()
    expect(impact.get_by_role("checkbox", name="Schulden")).to_be_checked()
    expect(impact.get_by_role("checkbox", name="Ontruiming")).not_to_be_checked()
    expect(maatwerk.get_by_role("radio", name="Weet ik niet")).to_be_checked()
    page.screenshot(path=artifacts_dir / "journey-1-form-with-errors.png", full_page=True)

    title.fill(TITLE)
    situation.fill(SITUATION)
    page.get_by_role("button", name="Signaal indienen").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/signalen/{REFERENCE.pattern}$"))
    reference = page.url.rsplit("/", 1)[1]
    assert reference.startswith(f"KM-{clock.now().year}-")
    expect(page.get_by_role("status")).to_contain_text(
        f"Uw signaal is ontvangen met kenmerk {reference}."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{reference} {TITLE}")
    expect(page.get_by_role("region", name="Waar ligt dit signaal")).to_contain_text(intake_name)
    expect(page.get_by_role("button", name="Signaal afhandelen")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "journey-2-signal-submitted.png", full_page=True)

    # b. The receipt reaches the reporter over SMTP.
    deliver_mail(app)
    receipts = smtp_server.by_recipient(reporter_email)
    assert [mail["Subject"] for mail in receipts] == [f"[{reference}] Uw signaal is ontvangen"]
    assert reference in plain_text(receipts[0])
    assert [mail["Subject"] for mail in smtp_server.by_recipient(intake_email)] == [
        f"[{reference}] Signaal in uw inbox: {TITLE}"
    ]

    # c. The intake group gives feedback and resolves the signal.
    clock.set(clock.now() + timedelta(hours=3))
    log_out(page, base)
    log_in(page, base, intake_email, lands_on="/inbox")
    inbox_row = page.get_by_role("row").filter(has_text=reference)
    expect(inbox_row).to_contain_text(TITLE)
    expect(inbox_row).to_contain_text("Fatima Buurtteam")
    expect(inbox_row).to_contain_text("Hoog")
    page.screenshot(path=artifacts_dir / "journey-3-inbox.png", full_page=True)
    inbox_row.get_by_role("link", name=reference).click()
    page.wait_for_url(f"{base}/signalen/{reference}")

    feedback = action(page, "Terugkoppeling geven")
    feedback_message = feedback.get_by_label("Bericht aan de melder")
    expect(feedback_message).to_be_hidden()
    feedback.locator("summary").click()
    expect(feedback_message).to_be_visible()
    feedback_message.fill(FEEDBACK)
    feedback.get_by_role("button", name="Terugkoppeling versturen").click()
    expect(page.get_by_role("status")).to_have_text(
        "Uw terugkoppeling is verstuurd naar de melder."
    )
    timeline = page.get_by_role("region", name="Tijdlijn")
    expect(timeline.get_by_role("blockquote")).to_have_text(FEEDBACK)

    clock.set(clock.now() + timedelta(days=1))
    resolve = action(page, "Afhandelen")
    resolve.locator("summary").click()
    resolve.get_by_label("Uitkomst").select_option(label=OUTCOME)
    resolve.get_by_label("Bericht aan de melder").fill(RESOLUTION_MESSAGE)
    resolve.get_by_role("button", name="Signaal afhandelen").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Controleer de gemarkeerde velden")
    expect(summary.get_by_role("link", name="Dit veld is verplicht.")).to_have_attribute(
        "href", "#resolve-rationale"
    )
    expect(resolve).to_have_attribute("open", "")
    rationale = resolve.get_by_label("Onderbouwing")
    expect(rationale).to_have_attribute("aria-invalid", "true")
    expect(rationale).to_have_accessible_description(re.compile("Dit veld is verplicht."))
    expect(rationale).to_have_value("")
    expect(resolve.get_by_label("Uitkomst")).to_have_value("not_possible")
    expect(resolve.get_by_label("Bericht aan de melder")).to_have_value(RESOLUTION_MESSAGE)
    expect(page.get_by_text("Afgehandeld", exact=True)).to_have_count(0)

    rationale.fill(RATIONALE)
    resolve.get_by_role("button", name="Signaal afhandelen").click()
    expect(page.get_by_role("status")).to_have_text(
        "Het signaal is afgehandeld; de melder krijgt uw bericht per e-mail."
    )
    expect(page.locator(".page-head").get_by_text("Afgehandeld", exact=True)).to_be_visible()
    where = page.get_by_role("region", name="Waar ligt dit signaal")
    expect(where).to_contain_text(f"met uitkomst {OUTCOME}")
    expect(where).to_contain_text(RATIONALE)
    expect(page.get_by_role("button", name="Signaal afhandelen")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "journey-4-signal-resolved.png", full_page=True)

    db.session.expire_all()
    signal = db.session.scalars(select(Signal).where(Signal.reference == reference)).one()
    assert (signal.status, signal.outcome) == ("resolved", "not_possible")
    assert signal.rationale == RATIONALE

    # d. The reporter receives the feedback and the resolution, each once.
    deliver_mail(app)
    to_reporter = smtp_server.by_recipient(reporter_email)
    assert [mail["Subject"] for mail in to_reporter] == [
        f"[{reference}] Uw signaal is ontvangen",
        f"[{reference}] Terugkoppeling op uw signaal",
        f"[{reference}] Uw signaal is afgehandeld",
    ]
    assert FEEDBACK in plain_text(to_reporter[1])
    resolution_text = plain_text(to_reporter[2])
    assert RATIONALE in resolution_text
    assert RESOLUTION_MESSAGE in resolution_text
    assert f"Uitkomst: {OUTCOME}" in resolution_text
    assert len(smtp_server.messages) == 4
    db.session.expire_all()
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert sorted(statuses) == ["sent"] * 4

    # e. The reporter sees the whole story.
    log_out(page, base)
    log_in(page, base, reporter_email, lands_on="/signalen")
    own_row = page.get_by_role("row").filter(has_text=reference)
    expect(own_row).to_contain_text("Afgehandeld")
    own_row.get_by_role("link", name=reference).click()
    page.wait_for_url(f"{base}/signalen/{reference}")
    timeline = page.get_by_role("region", name="Tijdlijn")
    events = timeline.get_by_role("listitem")
    expect(events.locator(".event-head strong")).to_have_text(
        ["Signaal ingediend", "Terugkoppeling gegeven", "Afgehandeld"]
    )
    expect(events.nth(0)).to_contain_text("door Fatima Buurtteam")
    expect(events.nth(1)).to_contain_text(f"door {intake_name}")
    expect(events.nth(1)).to_contain_text(FEEDBACK)
    expect(events.nth(2)).to_contain_text(f"Uitkomst: {OUTCOME}")
    expect(events.nth(2)).to_contain_text(RATIONALE)
    expect(events.nth(2)).to_contain_text(RESOLUTION_MESSAGE)
    # Within the reopen window the reporter may reopen; nothing else is offered.
    expect(page.locator("details.action summary")).to_have_text(["Heropenen"])
    page.screenshot(path=artifacts_dir / "journey-5-reporter-timeline.png", full_page=True)
