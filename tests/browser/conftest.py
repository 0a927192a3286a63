"""A live server for the session app, a Playwright page in Debian's chromium, and axe.

Playwright's own browser download is not used: the page runs in ``/usr/bin/chromium``. axe-core
(bundled by ``axe-playwright-python``) checks each page a test visits for accessibility.
"""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, ViewportSize, sync_playwright
from werkzeug.serving import make_server

from signals.auth.models import User
from tests.fixtures.people import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
# What a page may not have: the impacts axe calls serious or critical (WCAG 2.1 A and AA).
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The session app on a free local port in a daemon thread; yields its base URL.

    Every request gets its own app context (and so its own database session), as in production.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def browser_page() -> Iterator[Page]:
    """A fresh page (1280×900) in headless Debian chromium; everything is closed afterwards."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="nl-NL")
            context.set_default_timeout(TIMEOUT_MS)
            try:
                yield context.new_page()
            finally:
                context.close()
        finally:
            browser.close()


def serious_accessibility_problems(page: Page) -> list[str]:
    """What axe finds on ``page`` that is serious or critical: one line per rule and element."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {', '.join(map(str, node['target']))}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
        for node in violation["nodes"]
    ]


def assert_accessible(page: Page) -> None:
    """No serious or critical axe violation on the page as it is now."""
    problems = serious_accessibility_problems(page)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def log_in(page: Page, base: str, user: User) -> None:
    """Log ``user`` in on the log-in form of the live server at ``base``."""
    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/**")


def choose_the_codes(page: Page) -> None:
    """Fill in the report form's required choices: Participatiewet, a national law, etc."""
    regulations = page.get_by_role("group", name="Om welke regeling gaat het?")
    regulations.get_by_role("checkbox", name="Participatiewet", exact=True).check()
    page.get_by_label("Waar ligt de oorzaak?").select_option(label="Landelijke wet- en regelgeving")
    page.get_by_label("Hoe vaak komt dit voor?").select_option(label="Structureel")
    page.get_by_label("Urgentie", exact=True).select_option(label="Normaal")
    page.get_by_role("group", name="Is maatwerk overwogen?").get_by_role(
        "radio", name="Weet ik niet"
    ).check()


def accessible_at_both_widths(page: Page, artifacts_dir: Path, name: str) -> None:
    """axe finds nothing serious at desktop width and on a phone, where nothing sticks out.

    A screenshot of each width lands in ``artifacts_dir`` as ``<name>-desktop.png`` and
    ``<name>-phone.png``.
    """
    for label, size in (("desktop", VIEWPORT), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} is {width} px wide at {label}"
        page.screenshot(path=artifacts_dir / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(VIEWPORT)
