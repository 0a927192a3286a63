"""The route map and the report: references on hover and focus, inferred nodes and edges drawn
dash-dot and explained in the legend; a linked map is a group of links, not an image."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from signals.routing.diagram import INFERRED_DASH, INFERRED_TEXT, any_inferred, render_svg
from signals.routing.graph import RouteGraph
from signals.routing.loader import load_route_file
from tests.fixtures.app import TEST_ROUTES
from tests.fixtures.sourced_route import INFERRED_EDGE, INFERRED_NODE, sourced_graph

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def graph(tmp_path: Path) -> RouteGraph:
    return sourced_graph(tmp_path)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own markup)


def by_data(root: ET.Element, **data: str) -> list[ET.Element]:
    return [
        element
        for element in root.iter()
        if all(element.get(f"data-{name}") == value for name, value in data.items())
    ]


def texts(element: ET.Element) -> list[str]:
    return [text.text or "" for text in element.iter(f"{SVG}text")]


def test_a_linked_map_is_a_group_of_one_link_per_node(graph: RouteGraph) -> None:
    root = parse(render_svg(graph, linked=True))

    assert root.get("role") == "group"
    assert root.get("aria-labelledby") == "rk-title"
    assert root.get("aria-describedby") == "rk-desc"
    links = list(root.iter(f"{SVG}a"))
    assert [link.get("href") for link in links] == [
        f"#node-{link.get('data-node-link')}" for link in links
    ]
    assert sorted(link.get("data-node-link", "") for link in links) == sorted(graph.nodes)
    for layer in ("returns", "edges", "labels", "legend"):  # said by the description instead
        [element] = by_data(root, layer=layer)
        assert element.get("aria-hidden") == "true", layer
    [melder] = by_data(root, node="melder")
    assert melder.get("aria-hidden") == "true"


def test_each_link_names_the_node_and_its_references(graph: RouteGraph) -> None:
    root = parse(render_svg(graph, linked=True))

    for link in root.iter(f"{SVG}a"):
        node = graph.nodes[link.get("data-node-link", "")]
        name = link.get("aria-label", "")
        assert name.startswith(f"{node.label}. Bron: {node.provenance.cited()}.")
        assert name.endswith("Naar de beschrijving.")
        assert ("Afgeleid: staat niet letterlijk in het rapport." in name) == (
            node.key == INFERRED_NODE
        )


def test_the_references_show_in_a_band_hidden_until_hover_or_focus(graph: RouteGraph) -> None:
    root = parse(render_svg(graph, linked=True))

    for link in root.iter(f"{SVG}a"):
        key = link.get("data-node-link", "")
        [tip] = by_data(link, tip=key)
        assert tip.get("visibility") == "hidden"  # routekaart.css shows it on :hover, :focus
        assert tip.get("class") == "rk-tip"
        lines = texts(tip)
        assert lines[0] == f"Bron: {graph.nodes[key].provenance.cited()}"
        assert (" ".join(lines[1:]) == INFERRED_TEXT) == (key == INFERRED_NODE)
        [box] = by_data(link, node=key)
        assert f"Bron: {graph.nodes[key].provenance.cited()}." in (
            box.findtext(f"{SVG}title") or ""
        )


def test_inferred_nodes_and_edges_are_dash_dot_and_the_legend_says_why(graph: RouteGraph) -> None:
    root = parse(render_svg(graph))
    source, index = INFERRED_EDGE
    target = graph.next_nodes(source)[index]

    [node] = by_data(root, node=INFERRED_NODE)
    assert node.get("data-inferred") == "true"
    assert [rect.get("stroke-dasharray") for rect in node.iter(f"{SVG}rect")].count(
        INFERRED_DASH
    ) == 1
    [edge] = by_data(root, kind="forward", **{"from": source, "to": target})
    assert edge.get("data-inferred") == "true"
    assert edge.get("stroke-dasharray") == INFERRED_DASH
    assert len(by_data(root, inferred="true")) == 2  # that node and that edge only
    [legend] = by_data(root, layer="legend")
    assert INFERRED_TEXT in texts(legend)
    assert "afgeleid" in (root.findtext(f"{SVG}desc") or "")


def test_a_map_without_sources_is_drawn_as_before() -> None:
    graph = load_route_file(TEST_ROUTES)
    assert not any_inferred(graph)

    plain = parse(render_svg(graph))
    linked = parse(render_svg(graph, linked=True))

    assert plain.get("role") == "img" and not list(plain.iter(f"{SVG}a"))
    assert not by_data(plain, inferred="true") and not by_data(linked, tip="teamleider")
    assert INFERRED_TEXT not in texts(plain)
    assert "Bron" not in render_svg(graph, linked=True)
    [link] = [link for link in linked.iter(f"{SVG}a") if link.get("href") == "#node-teamleider"]
    assert link.get("aria-label") == "Teamleider / teammanager. Naar de beschrijving."
