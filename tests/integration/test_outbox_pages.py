"""The outbox page a page at a time: newest first, filtered by state and recipient, previewable.

Pages are cut by id (keyset): a message written while someone reads never pushes another onto
the next page twice. The HTML version of a message is served on its own route, for a sandboxed
frame, under a policy that lets it run nothing and load nothing.
"""

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.notifications.services import OUTBOX_PAGE_SIZE
from signals.workflow.services import submit_signal
from tests.helpers import Login
from tests.integration.test_web_signals import Page

OUTBOX = "/beheer/outbox"
MAIL_ID = re.compile(r'<article class="mail" id="mail-(\d+)"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next"')


def write(clock: Clock, count: int, **fields: Any) -> list[OutboxMessage]:
    """``count`` messages straight into the outbox, a minute apart, the newest last."""
    messages = []
    for number in range(count):
        moment = clock.now() + timedelta(minutes=number)
        message = OutboxMessage(
            message_id=f"<{uuid.uuid4().hex}@test>",
            recipient=fields.get("recipient", f"mens{number}@gemeente.test"),
            subject=fields.get("subject", f"Bericht {number}"),
            body_text=fields.get("body_text", f"Tekst {number}"),
            body_html=fields.get("body_html", f"<p>Tekst {number}</p>"),
            kind="receipt",
            status=fields.get("status", "pending"),
            attempts=0,
            next_attempt_at=moment,
            created_at=moment,
        )
        db.session.add(message)
        messages.append(message)
    db.session.commit()
    return messages


def listed(html: str) -> list[int]:
    return [int(number) for number in MAIL_ID.findall(html)]


def next_link(html: str) -> str | None:
    match = NEXT.search(html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_the_outbox_comes_in_pages_newest_first_that_continue_below_the_last_message(
    clock: Clock, login: Login, admin: User
) -> None:
    ids = [message.id for message in write(clock, 2 * OUTBOX_PAGE_SIZE + 10)]
    session = login(admin)

    first = session.get(OUTBOX)
    write(clock, 1, subject="Geschreven terwijl de eerste pagina open stond")
    second = session.get(next_link(first.text) or "")
    third = session.get(next_link(second.text) or "")

    newest_first = ids[::-1]
    assert listed(first.text) == newest_first[:OUTBOX_PAGE_SIZE]
    assert listed(second.text) == newest_first[OUTBOX_PAGE_SIZE : 2 * OUTBOX_PAGE_SIZE]
    assert listed(third.text) == newest_first[2 * OUTBOX_PAGE_SIZE :]
    assert next_link(third.text) is None
    assert next_link(first.text) == f"{OUTBOX}?cursor={newest_first[OUTBOX_PAGE_SIZE - 1]}"
    assert Page(second.text).text("first-page") == "Nieuwste berichten"
    assert "first-page" not in Page(first.text).texts


def test_filters_on_state_and_part_of_the_address_carry_over_to_the_next_page(
    clock: Clock, login: Login, admin: User
) -> None:
    write(clock, 5, recipient="iemand@gemeente.test", status="dead")
    partner_dead = write(
        clock, OUTBOX_PAGE_SIZE + 2, recipient="Fatima@Partner.test", status="dead"
    )
    write(clock, 3, recipient="fatima@partner.test", status="sent")
    write(clock, 1, recipient="100%@partner.test", status="dead")
    session = login(admin)

    first = session.get(f"{OUTBOX}?status=dead&recipient=FATIMA@partner")
    second = session.get(next_link(first.text) or "")
    literal = session.get(f"{OUTBOX}?recipient=0%25@")  # a % is a character, not a wildcard

    wanted = [message.id for message in partner_dead][::-1]
    assert listed(first.text) + listed(second.text) == wanted
    assert next_link(first.text) == (
        f"{OUTBOX}?status=dead&recipient=FATIMA@partner&cursor={wanted[OUTBOX_PAGE_SIZE - 1]}"
    )
    page = Page(first.text)
    assert page.selected["status"] == ["dead"]
    assert page.value("recipient") == "FATIMA@partner"
    assert page.text("mail-list-caption").startswith(
        "Mislukt – opgegeven aan adressen met „FATIMA@partner”; de nieuwste eerst"
    )
    assert len(listed(literal.text)) == 1


def test_an_unknown_state_or_a_made_up_page_is_refused_in_dutch_with_the_filters_kept(
    login: Login, admin: User
) -> None:
    response = login(admin).get(f"{OUTBOX}?status=verdwenen&recipient=x&cursor=abc")

    assert response.status_code == 422
    page = Page(response.text)
    assert page.text("status-error") == "Onbekende keuze: verdwenen."
    assert page.text("cursor-error") == "Ongeldige paginaverwijzing."
    assert page.value("recipient") == "x"
    assert "mail-list-caption" not in page.texts


def test_the_text_version_s_links_are_clickable_and_everything_else_is_escaped(
    clock: Clock, login: Login, admin: User
) -> None:
    [message] = write(
        clock, 1, body_text="Bekijk http://signalen.test/signalen/KM-2026-000001.\n<b>niet vet</b>"
    )

    page = login(admin).get(OUTBOX).text

    assert (
        '<a href="http://signalen.test/signalen/KM-2026-000001">'
        "http://signalen.test/signalen/KM-2026-000001</a>." in page
    )
    assert "&lt;b&gt;niet vet&lt;/b&gt;" in page and "<b>niet vet" not in page
    assert f'src="/beheer/outbox/{message.id}/html"' in page


def test_the_html_version_is_served_to_a_sandboxed_frame_under_a_strict_policy(
    clock: Clock, login: Login, admin: User, reporter: User, signal_data: dict[str, Any]
) -> None:
    submit_signal(reporter, signal_data)
    receipt = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.recipient == reporter.email)
    ).one()
    session = login(admin)

    page = session.get(OUTBOX).text
    preview = session.get(f"{OUTBOX}/{receipt.id}/html")

    frame = re.search(rf'<iframe[^>]*id="mail-{receipt.id}-html"[^>]*>', page)
    assert frame is not None
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in frame.group(0)
    assert "allow-scripts" not in page and "allow-same-origin" not in page
    assert f'title="HTML-versie van: {receipt.subject}"' in frame.group(0)
    assert preview.status_code == 200
    assert preview.mimetype == "text/html"
    policy = preview.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "frame-ancestors 'self'",
        "form-action 'none'",
        "sandbox allow-popups allow-popups-to-escape-sandbox",
    ):
        assert directive in policy
    assert "script-src" not in policy
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert '<head><base target="_blank">' in preview.text
    assert preview.text.replace('<base target="_blank">', "") == receipt.body_html
    assert session.get(OUTBOX).headers["X-Frame-Options"] == "DENY"  # only the preview frames


def test_only_those_who_may_read_a_message_get_its_html(
    app: Flask,
    clock: Clock,
    login: Login,
    admin: User,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    submit_signal(reporter, signal_data)
    by_recipient = {
        message.recipient: message.id for message in db.session.scalars(db.select(OutboxMessage))
    }
    receipt, notice = by_recipient[reporter.email], by_recipient[manager.email]
    as_reporter = login(reporter)

    assert as_reporter.get(f"{OUTBOX}/{receipt}/html").status_code == 403
    assert as_reporter.get(f"/dev/mailbox/{receipt}/html").status_code == 404  # not in debug
    assert login(admin).get(f"{OUTBOX}/{receipt + notice + 1}/html").status_code == 404
    app.config["DEBUG"] = True
    try:
        own = as_reporter.get(f"/dev/mailbox/{receipt}/html")
        others = as_reporter.get(f"/dev/mailbox/{notice}/html")
        mailbox = as_reporter.get("/dev/mailbox")
    finally:
        app.config["DEBUG"] = False
    assert own.status_code == 200 and "sandbox" in own.headers["Content-Security-Policy"]
    assert others.status_code == 404
    assert listed(mailbox.text) == [receipt]
    assert f'src="/dev/mailbox/{receipt}/html"' in mailbox.text


@pytest.mark.parametrize("status", ["pending", "sent", "dead"])
def test_each_state_filter_lists_only_messages_in_that_state(
    clock: Clock, login: Login, admin: User, status: str
) -> None:
    written = {state: write(clock, 2, status=state) for state in ("pending", "sent", "dead")}

    shown = listed(login(admin).get(f"{OUTBOX}?status={status}").text)

    assert shown == [message.id for message in written[status]][::-1]
