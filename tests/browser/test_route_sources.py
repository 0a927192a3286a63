"""The Routekaart names where the report says it: on hover and keyboard focus in the drawing,
in words in the text version; inferred steps are drawn dash-dot. axe finds nothing serious."""

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from signals.auth.models import User
from signals.routing.diagram import INFERRED_TEXT
from tests.browser.conftest import accessible_at_both_widths, assert_accessible, log_in
from tests.fixtures.sourced_route import INFERRED_NODE, sourced_graph

pytestmark = pytest.mark.browser


def test_the_route_map_shows_the_sources_on_hover_and_focus(
    app: Flask,
    live_server: str,
    browser_page: Page,
    reporter: User,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    artifacts_dir: Path,
) -> None:
    graph = sourced_graph(tmp_path)
    monkeypatch.setitem(app.extensions, "signals.routes", graph)
    page = browser_page
    log_in(page, live_server, reporter)
    page.goto(f"{live_server}/routekaart")
    page.get_by_label("Tekening op ware grootte").check()  # text at its size for the shots
    lead = graph.nodes["teamleider"]
    lead_tip = page.locator('[data-tip="teamleider"]')
    expect(lead_tip).to_be_hidden()

    page.get_by_role("link", name=f"{lead.label}. Bron: {lead.provenance.cited()}.").hover()

    expect(lead_tip).to_be_visible()
    expect(lead_tip).to_contain_text(f"Bron: {lead.provenance.cited()}")
    page.screenshot(path=artifacts_dir / "routekaart-bron-hover.png")

    page.mouse.move(0, 0)
    expect(lead_tip).to_be_hidden()
    page.locator("#routekaart-tekening").focus()
    page.keyboard.press("Tab")  # into the drawing: the first step is a link
    key = page.evaluate("document.activeElement.getAttribute('data-node-link')")
    assert key in graph.nodes
    focused_tip = page.locator(f'[data-tip="{key}"]')
    expect(focused_tip).to_be_visible()
    expect(focused_tip).to_contain_text(f"Bron: {graph.nodes[key].provenance.cited()}")
    assert_accessible(page)  # with a band shown
    page.screenshot(path=artifacts_dir / "routekaart-bron-focus.png")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"#node-{key}$"))
    expect(page.get_by_role("heading", name=graph.nodes[key].label)).to_be_in_viewport()

    inferred = page.locator(f'svg [data-node="{INFERRED_NODE}"]')
    assert inferred.get_attribute("data-inferred") == "true"
    expect(page.locator("svg [data-layer='legend']")).to_contain_text(INFERRED_TEXT)
    section = page.locator("section.route-node").filter(
        has=page.get_by_role("heading", name=graph.nodes[INFERRED_NODE].label)
    )
    expect(section).to_contain_text("Afgeleid: staat niet letterlijk in het rapport.")
    page.get_by_label("Tekening op ware grootte").uncheck()
    accessible_at_both_widths(page, artifacts_dir, "routekaart-bronnen")
