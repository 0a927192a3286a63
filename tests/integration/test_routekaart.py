"""The Routekaart page: the drawing and its text version for every role and municipality."""

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from signals.auth.models import User
from signals.extensions import db
from signals.routing.graph import NODE_KIND_LABELS, RouteGraph
from tests.fixtures.app import IsolatedClient, csrf_token_from, make_test_app
from tests.fixtures.people import PASSWORD
from tests.fixtures.sourced_route import (
    INFERRED_EDGE,
    INFERRED_EDGE_NOTE,
    INFERRED_NODE,
    sourced_graph,
)
from tests.helpers import Login, MakeUser

SVG_ELEMENT = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
SVG = "{http://www.w3.org/2000/svg}"


def active_graph(app: Flask) -> RouteGraph:
    graph: RouteGraph = app.extensions["signals.routes"]
    return graph


def check_page(page: str, graph: RouteGraph) -> None:
    """The drawing, the text version of every node and the entry rules are on ``page``."""
    match = SVG_ELEMENT.search(page)
    assert match, "no inline SVG on the page"
    drawing = ET.fromstring(match.group(0))  # noqa: S314 (our own markup)
    assert drawing.get("role") == "group"  # of links, one per node, to the text version
    assert drawing.get("aria-labelledby") == "rk-title"
    links = drawing.iter(f"{SVG}a")
    assert sorted(link.get("href", "") for link in links) == sorted(
        f"#node-{key}" for key in graph.nodes
    )
    assert f"<h1>Routekaart {html.escape(graph.municipality)}</h1>" in page
    assert f"Routeversie {graph.version}" in page
    assert "Waar komt een nieuw signaal binnen?" in page
    for rule in graph.rules:
        assert html.escape(rule.name) in page
    default = html.escape(graph.nodes[graph.default].label)
    assert f'Anders: <a href="#node-{graph.default}">{default}</a>' in page
    headings = re.findall(r'<h2 id="node-([^"]+)">', page)
    assert sorted(headings) == sorted(graph.nodes)
    entry_points = graph.entry_points()
    assert set(headings[: len(entry_points)]) == entry_points  # entry points come first
    for key, node in graph.nodes.items():
        label = html.escape(node.label)
        heading = re.search(rf'<h2 id="node-{re.escape(key)}">(.*?)</h2>', page, re.DOTALL)
        assert heading, key
        assert label in heading.group(1)
        assert html.escape(NODE_KIND_LABELS[node.kind]) in heading.group(1)
        assert page.count(label) >= 3  # the drawing, the heading, and links to it
        for target in graph.next_nodes(key):
            assert f'<a href="#node-{target}">' in page
    for phrase in (
        "Wanneer past deze route?",
        "Verantwoordelijk",
        "Termijnen",
        "Kan door naar",
        "terugkoppeling aan de melder",
    ):
        assert phrase in page, phrase
    if any(node.independent for node in graph.nodes.values()):
        assert "gemeentelijke leidinggevenden zien de inhoud niet" in page
    if any(node.direct_entry for node in graph.nodes.values()):
        assert "Rechtstreeks indienen" in page


def check_menu(page: str) -> None:
    assert re.search(r'<a href="/routekaart" aria-current="page">Routekaart</a>', page)


@pytest.mark.parametrize("role", ["reporter", "partner_reporter", "manager"])
def test_every_role_sees_the_route_map(
    app: Flask, login: Login, request: pytest.FixtureRequest, role: str
) -> None:
    user: User = request.getfixturevalue(role)
    response = login(user).get("/routekaart")
    assert response.status_code == 200
    page = response.text
    check_page(page, active_graph(app))
    check_menu(page)
    assert "routekaart.css" in page
    assert 'style="' not in page.split("<main", 1)[1]  # the CSP forbids inline styles


def test_details_in_the_text_version(login: Login, reporter: User) -> None:
    page = login(reporter).get("/routekaart").text
    section = page.split('<h2 id="node-teamleider">', 1)[1].split("</section>", 1)[0]
    assert "Eigen leidinggevende (anders: Centrale intake signalen)" in section
    assert "In behandeling nemen binnen 2 werkdagen" in section
    assert "Terugkoppeling aan de melder binnen 10 werkdagen" in section
    assert "Daarna elke 20 werkdagen een statusbericht" in section
    assert "(terug naar een eerdere stap)" not in section
    casuistiek = page.split('<h2 id="node-casuistiek">', 1)[1].split("</section>", 1)[0]
    assert "Komt bijeen: elke 6 weken" in casuistiek
    assert "(terug naar een eerdere stap)" in casuistiek
    doorbraak = page.split('<h2 id="node-doorbraakteam">', 1)[1].split("</section>", 1)[0]
    assert "In behandeling nemen binnen 1 werkdag<" in doorbraak
    assert "medewerkers van de gemeente en medewerkers van partners" in doorbraak
    intake = page.split('<h2 id="node-intake">', 1)[1].split("</section>", 1)[0]
    assert "Contactpersoon partner (anders: Centrale intake signalen)" in intake
    landelijk = page.split('<h2 id="node-landelijk">', 1)[1].split("</section>", 1)[0]
    assert "Dit is de laatste stap van de route." in landelijk


def test_anonymous_visitors_are_sent_to_the_login_page(client: IsolatedClient) -> None:
    response = client.get("/routekaart")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen")


@pytest.fixture(params=["amsterdam", "utrecht", "almere"])
def city_app(app: Flask, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A second app on the same database with a shipped municipality's route file."""
    other = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], ROUTES=f"routes_config/{request.param}.yaml"
    )
    other.test_client_class = IsolatedClient
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_page_follows_the_configured_municipality(city_app: Flask, make_user: MakeUser) -> None:
    user = make_user("professional", name="Iris Utrecht")
    client = city_app.test_client()
    token = csrf_token_from(client.get("/inloggen").text)
    response = client.post(
        "/inloggen", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.text
    response = client.get("/routekaart")
    assert response.status_code == 200
    graph = active_graph(city_app)
    page = response.text
    check_page(page, graph)
    check_menu(page)
    own_node = {
        "Amsterdam": "Ombudsman Metropool Amsterdam",
        "Utrecht": "Utrechts ombudsloket",
        "Almere": "Financieel Huis",
    }
    assert own_node[graph.municipality] in page
    others = {"Amsterdam": "Stedelijk Doorbraakteam", "Utrecht": "Voorkom Erger Potje"}
    for town, label in others.items():
        assert (label in page) == (town == graph.municipality), label
    # The shipped files name their sources: every node says where the report says it.
    assert "<cite>Knellende mechanismen</cite> (2023)" in page
    for key, node in graph.nodes.items():
        assert f"Bron: {html.escape(node.provenance.cited())}" in section_of(page, key)


def section_of(page: str, key: str) -> str:
    return page.split(f'<h2 id="node-{key}">', 1)[1].split("</section>", 1)[0]


def test_the_text_version_names_where_the_report_says_it(
    app: Flask, login: Login, reporter: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = sourced_graph(tmp_path)
    monkeypatch.setitem(app.extensions, "signals.routes", graph)

    page = login(reporter).get("/routekaart").text

    check_page(page, graph)
    assert "<cite>Knellende mechanismen</cite> (2023)" in page
    assert "Streep-punt-lijn (om een stap of als pijl): afgeleid" in page
    for key, node in graph.nodes.items():
        section = section_of(page, key)
        assert "Waar staat dit in het rapport?" in section
        assert f'<p class="route-source">Bron: {html.escape(node.provenance.cited())}</p>' in (
            section
        )
        assert html.escape(node.provenance.note or "") in section
        assert ("<strong>Afgeleid:</strong>" in section) == (key == INFERRED_NODE)
        onward = section.split("<dt>Kan door naar</dt>", 1)[1].split("<dt>", 1)[0]
        items = re.findall(r"<li><a href=.*?</li>", onward)
        assert len(items) == len(graph.next_nodes(key))
        assert all('<span class="route-source">· Bron: Les 3</span>' in item for item in items)
    source, index = INFERRED_EDGE
    inferred_edge = re.findall(r"<li><a href=.*?</li>", section_of(page, source))[index]
    assert "(afgeleid: staat niet letterlijk in het rapport)" in inferred_edge
    assert html.escape(INFERRED_EDGE_NOTE) in inferred_edge


def test_without_sources_the_page_says_nothing_of_them(login: Login, reporter: User) -> None:
    page = login(reporter).get("/routekaart").text

    for absent in ("Bron:", "Waar staat dit in het rapport?", "Knellende mechanismen</cite>"):
        assert absent not in page
    assert "afgeleid" not in page.lower()
