"""A live server for the session app and a Playwright page in Debian's chromium.

Playwright's own browser download is not used: the page runs in ``/usr/bin/chromium``.
"""

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, ViewportSize, sync_playwright
from werkzeug.serving import make_server

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
