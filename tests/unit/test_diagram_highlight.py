"""A signal's way drawn on the route map: exactly its nodes, its arrows and where it is now."""

import xml.etree.ElementTree as ET

import pytest

from signals.routing.diagram import MELDER_KEY, Highlight, render_svg
from signals.routing.graph import RouteGraph
from signals.routing.loader import load_route_file
from tests.fixtures.app import TEST_ROUTES

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def amsterdam() -> RouteGraph:
    return load_route_file(TEST_ROUTES)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own drawing)


def boxes_with(root: ET.Element, attribute: str) -> dict[str, str]:
    return {
        element.get("data-node", ""): element.get(attribute, "")
        for element in root.iter()
        if element.get("data-node") and element.get(attribute) is not None
    }


def arrows_taken(root: ET.Element) -> list[tuple[str | None, str | None, str | None]]:
    return sorted(
        (element.get("data-kind"), element.get("data-from"), element.get("data-to"))
        for element in root.iter()
        if element.get("data-visited") == "true"
    )


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_only_the_visited_nodes_the_arrows_taken_and_the_current_node_are_marked(
    amsterdam: RouteGraph,
) -> None:
    way = ("intake", "casuistiek", "teamleider", "casuistiek", "beleid")

    root = parse(render_svg(amsterdam, Highlight(way, current="beleid")))

    assert boxes_with(root, "data-visited") == {
        "intake": "1",
        "casuistiek": "2 4",
        "teamleider": "3",
        "beleid": "5",
    }
    assert boxes_with(root, "data-current") == {"beleid": "true"}
    assert arrows_taken(root) == [
        ("back", "casuistiek", "teamleider"),
        ("entry", MELDER_KEY, "intake"),
        ("forward", "casuistiek", "beleid"),
        ("forward", "intake", "casuistiek"),
        ("forward", "teamleider", "casuistiek"),
    ]
    shown = texts(root)
    assert "Stap 1" in shown and "Stappen 2 en 4" in shown and "Stap 3" in shown
    assert "Stap 5 · hier ligt het nu" in shown


def test_the_arrows_not_taken_are_faded_and_drawn_beneath_the_way(amsterdam: RouteGraph) -> None:
    root = parse(render_svg(amsterdam, Highlight(("teamleider", "beleid"), current="beleid")))

    [edges] = [group for group in root.iter(f"{SVG}g") if group.get("data-layer") == "edges"]
    arrows = list(edges)
    taken = [arrow for arrow in arrows if arrow.get("data-visited") == "true"]
    others = [arrow for arrow in arrows if arrow.get("data-visited") is None]
    assert arrows[-len(taken) :] == taken  # on top
    assert {arrow.get("opacity") for arrow in others} == {"0.35"}
    assert {arrow.get("opacity") for arrow in taken} == {None}
    assert {arrow.get("marker-end") for arrow in taken} == {"url(#rk-visited)"}
    assert root.find(f".//{SVG}marker[@id='rk-visited']") is not None


def test_the_text_stays_at_full_strength_and_the_drawing_says_what_is_marked(
    amsterdam: RouteGraph,
) -> None:
    highlight = Highlight(
        ("teamleider", "casuistiek"), current="casuistiek", where="hier afgehandeld"
    )

    root = parse(render_svg(amsterdam, highlight))

    assert all(element.get("opacity") is None for element in root.iter(f"{SVG}text"))
    assert all(element.get("opacity") is None for element in root.iter(f"{SVG}g"))
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Routekaart Amsterdam: de weg van dit signaal"
    assert desc is not None and desc.text is not None
    assert "Teamleider / teammanager, daarna Multidomein casuïstiekbespreking." in desc.text
    assert "Nu: Multidomein casuïstiekbespreking, hier afgehandeld." in desc.text
    assert root.get("aria-labelledby") == "rk-title rk-desc" and root.get("role") == "img"
    legend = "".join(texts(root))
    assert "de weg van dit signaal" in legend and "hier is het signaal nu" in legend
    assert "Stap 2 · hier afgehandeld" in texts(root)


def test_without_a_highlight_the_route_map_marks_nothing(amsterdam: RouteGraph) -> None:
    svg = render_svg(amsterdam)

    assert "data-visited" not in svg and "data-current" not in svg
    assert "opacity=" not in svg.replace("stroke-opacity=", "")
    assert "rk-visited" not in svg and "de weg van dit signaal" not in svg


def test_a_visited_node_no_longer_in_the_route_is_named_but_not_drawn(
    amsterdam: RouteGraph,
) -> None:
    root = parse(render_svg(amsterdam, Highlight(("opgeheven", "beleid"), current="beleid")))

    assert boxes_with(root, "data-visited") == {"beleid": "2"}
    assert arrows_taken(root) == []  # no arrow from a node that is not there, nor an entry
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "opgeheven, daarna Beleid Armoede en Schulden" in (desc.text or "")
