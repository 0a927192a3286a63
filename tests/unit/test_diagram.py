"""The route map drawing: well-formed, complete, CSP-safe, layered and deterministic."""

import html
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from signals.routing.diagram import (
    INFERRED_DASH,
    MELDER_KEY,
    entry_label,
    layout,
    natural_width,
    render_svg,
    text_width,
    wrap,
)
from signals.routing.graph import (
    Clocks,
    Edge,
    Node,
    NodeKind,
    OwnerSpec,
    OwnerType,
    RouteGraph,
)
from signals.routing.loader import load_route_file

ROUTES = Path(__file__).resolve().parents[2] / "routes_config"
FILES = sorted(ROUTES.glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"


def test_all_three_route_files_are_covered() -> None:
    assert {path.stem for path in FILES} >= {"amsterdam", "almere", "utrecht"}


@pytest.fixture(params=FILES, ids=lambda path: path.stem)
def graph(request: pytest.FixtureRequest) -> RouteGraph:
    return load_route_file(request.param)


@pytest.fixture
def svg(graph: RouteGraph) -> str:
    return render_svg(graph)


def parse(svg: str) -> ET.Element:
    """Parse our own drawing (trusted, no entities or DTDs), which must be well-formed XML."""
    return ET.fromstring(svg)  # noqa: S314


def paths(root: ET.Element, **data: str) -> list[ET.Element]:
    """Elements whose ``data-*`` attributes have the given values."""
    return [
        element
        for element in root.iter()
        if all(element.get(f"data-{name}") == value for name, value in data.items())
    ]


def test_the_svg_is_well_formed_and_accessible(graph: RouteGraph, svg: str) -> None:
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("aria-labelledby") == "rk-title rk-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == f"Routekaart {graph.municipality}"
    assert desc is not None and "terugkoppeling" in (desc.text or "")


def test_the_natural_size_is_the_view_box(graph: RouteGraph, svg: str) -> None:
    """Width and height are the drawing's own size, so text is drawn at its intended size."""
    root = parse(svg)
    columns = int(root.get("data-columns", "0"))
    assert columns == max(column for column, _row in layout(graph).values()) + 1
    _x, _y, width, height = root.get("viewBox", "").split()
    assert width == str(natural_width(columns))
    assert (root.get("width"), root.get("height")) == (width, height)


def test_no_styles_scripts_or_external_references(svg: str) -> None:
    lowered = svg.lower()
    for forbidden in ("<style", "style=", "<script", "href=", "http://", "https://", "url(http"):
        if forbidden == "http://":
            lowered = lowered.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert forbidden not in lowered, forbidden
    root = parse(svg)
    for element in root.iter():
        assert not any(name.startswith("on") for name in element.attrib), element.attrib
        for value in element.attrib.values():
            if value.startswith("url("):
                assert value.startswith("url(#rk-"), value


def test_every_node_is_drawn_with_its_label_and_kind(graph: RouteGraph, svg: str) -> None:
    root = parse(svg)
    for key, node in graph.nodes.items():
        (box,) = paths(root, node=key)
        texts = " ".join(
            text.text or "" for text in box.iter(f"{SVG}text")
        )  # the label may be wrapped over several lines
        assert " ".join(node.label.split()) in texts
        assert html.escape(node.label) in svg
    assert len(paths(root, node=MELDER_KEY)) == 1


def test_every_edge_is_drawn_as_forward_or_back(graph: RouteGraph, svg: str) -> None:
    root = parse(svg)
    for edge in graph.edges:
        kind = "back" if edge.back else "forward"
        drawn = paths(root, kind=kind, **{"from": edge.source, "to": edge.target})
        assert len(drawn) == 1, edge
        marker = drawn[0].get("marker-end")
        assert marker == f"url(#rk-{kind})"
        dashes = drawn[0].get("stroke-dasharray")
        if edge.provenance.inferred:
            assert dashes == INFERRED_DASH, edge  # dash-dot, whichever way it points
        else:
            assert (dashes is not None) == edge.back, edge
    drawn_edges = paths(root, kind="forward") + paths(root, kind="back")
    assert len(drawn_edges) == len(graph.edges)


def test_the_reporter_reaches_every_entry_point(graph: RouteGraph, svg: str) -> None:
    root = parse(svg)
    entries = paths(root, kind="entry")
    assert {element.get("data-to") for element in entries} == graph.entry_points()
    assert {element.get("data-from") for element in entries} == {MELDER_KEY}
    for key in graph.entry_points():
        assert html.escape(entry_label(graph, key)) in svg


def test_every_node_has_a_way_back_to_the_reporter(graph: RouteGraph, svg: str) -> None:
    root = parse(svg)
    returns = paths(root, kind="return")
    assert sorted(element.get("data-return") or "" for element in returns) == sorted(graph.nodes)
    assert all(element.get("data-to") == MELDER_KEY for element in returns)
    (bus,) = paths(root, bus=MELDER_KEY)
    assert bus.get("marker-end") == "url(#rk-return)"
    assert "terugkoppeling aan de melder" in svg


def test_independent_nodes_are_marked(graph: RouteGraph, svg: str) -> None:
    root = parse(svg)
    for key, node in graph.nodes.items():
        (box,) = paths(root, node=key)
        marked = [text for text in box.iter(f"{SVG}text") if text.text == "onafhankelijk"]
        assert len(marked) == (1 if node.independent else 0), key


def test_boxes_show_owner_clocks_and_cadence(graph: RouteGraph, svg: str) -> None:
    root = parse(svg)
    for key, node in graph.nodes.items():
        (box,) = paths(root, node=key)
        text = " ".join(element.text or "" for element in box.iter(f"{SVG}text"))
        clocks = node.clocks
        assert (
            f"termijnen in werkdagen: accepteren {clocks.accept_within} · terugkoppeling "
            f"{clocks.feedback_within} · update {clocks.update_every}"
        ) in text
        group = " ".join(graph.group_label(node.owner.group).split())
        if node.owner.type == OwnerType.LINE_MANAGER:
            assert "Eigen leidinggevende" in text and f"anders: {group}" in text
        elif node.owner.type == OwnerType.PARTNER_CONTACT:
            assert "Contactpersoon partner" in text and f"anders: {group}" in text
        else:
            assert group in text
        if node.cadence:
            assert node.cadence.describe() in text


def test_forward_edges_go_to_a_later_column(graph: RouteGraph) -> None:
    places = layout(graph)
    assert set(places) == set(graph.nodes)
    for edge in graph.edges:
        if not edge.back:
            assert places[edge.target][0] > places[edge.source][0], edge


def test_entry_points_without_predecessors_are_in_column_one(graph: RouteGraph) -> None:
    places = layout(graph)
    has_forward_predecessor = {edge.target for edge in graph.edges if not edge.back}
    for key in graph.entry_points() - has_forward_predecessor:
        assert places[key][0] == 1
    assert all(column >= 1 for column, _row in places.values())


def test_rows_in_a_column_are_distinct(graph: RouteGraph) -> None:
    places = layout(graph)
    assert len(set(places.values())) == len(places)
    for column in {column for column, _row in places.values()}:
        rows = sorted(row for c, row in places.values() if c == column)
        assert rows == list(range(len(rows)))


def test_rendering_is_deterministic(graph: RouteGraph) -> None:
    assert render_svg(graph) == render_svg(graph)
    assert layout(graph) == layout(graph)


def test_text_is_escaped() -> None:
    node = Node(
        key="a",
        label='Tafel <b>"A" & B</b>',
        kind=NodeKind.LEAD,
        description="<script>alert(1)</script>",
        examples=(),
        owner=OwnerSpec(type=OwnerType.GROUP, group="g"),
        clocks=Clocks(accept_within=1, feedback_within=5, update_every=10),
    )
    graph = RouteGraph(
        municipality="Test & <Stad>",
        version="x",
        groups={"g": "Groep <g>"},
        nodes={"a": node},
        rules=(),
        default="a",
        edges=(),
    )
    svg = render_svg(graph)
    root = parse(svg)
    assert "<script" not in svg and "<b>" not in svg
    assert "Test &amp; &lt;Stad&gt;" in svg
    texts = " ".join(element.text or "" for element in root.iter(f"{SVG}text"))
    assert "Verantwoordelijk: Groep <g>" in texts


def test_a_chain_is_layered_by_longest_path() -> None:
    def node(key: str) -> Node:
        return Node(
            key=key,
            label=key.upper(),
            kind=NodeKind.BELEID,
            description="",
            examples=(),
            owner=OwnerSpec(type=OwnerType.GROUP, group="g"),
            clocks=Clocks(accept_within=1, feedback_within=5, update_every=10),
        )

    graph = RouteGraph(
        municipality="Teststad",
        version="x",
        groups={"g": "Groep"},
        nodes={key: node(key) for key in "abcd"},
        rules=(),
        default="a",
        edges=(
            Edge("a", "b"),
            Edge("a", "d"),
            Edge("b", "c"),
            Edge("c", "d"),
            Edge("d", "a", back=True),
        ),
    )
    places = layout(graph)
    assert {key: column for key, (column, _row) in places.items()} == {
        "a": 1,
        "b": 2,
        "c": 3,
        "d": 4,
    }
    root = parse(render_svg(graph))
    assert len(paths(root, kind="back", **{"from": "d", "to": "a"})) == 1


def test_wrapping_keeps_lines_within_the_width() -> None:
    text = "Afstemming beleid en uitvoering (wethouder) met een heel lange toevoeging"
    lines = wrap(text, 200, 14, bold=True)
    assert " ".join(lines) == text
    assert len(lines) > 1
    assert all(text_width(line, 14, bold=True) <= 200 for line in lines)


def random_graph(seed: int) -> RouteGraph:
    """A random acyclic route with back edges, some in the same or a later column."""
    rng = random.Random(seed)
    keys = [f"n{index}" for index in range(rng.randint(1, 12))]
    nodes = {
        key: Node(
            key=key,
            label=f"Stap {key} " + "met een langere naam " * rng.randint(0, 3),
            kind=rng.choice(list(NodeKind)),
            description="",
            examples=(),
            owner=OwnerSpec(type=rng.choice(list(OwnerType)), group="g"),
            clocks=Clocks(accept_within=1, feedback_within=5, update_every=10),
            direct_entry=frozenset(rng.sample(["staff", "partner"], rng.randint(0, 2))),
            independent=rng.random() < 0.2,
        )
        for key in keys
    }
    edges = []
    for low, source in enumerate(keys):
        for target in keys[low + 1 :]:
            if rng.random() < 0.3:
                edges.append(Edge(source, target))
            elif rng.random() < 0.1:
                edges.append(Edge(target, source, back=True))
    return RouteGraph(
        municipality="Teststad",
        version=str(seed),
        groups={"g": "Groep"},
        nodes=nodes,
        rules=(),
        default=keys[0],
        edges=tuple(edges),
    )


@pytest.mark.parametrize("seed", range(60))
def test_random_routes_are_drawn_completely(seed: int) -> None:
    graph = random_graph(seed)
    places = layout(graph)
    for edge in graph.edges:
        if not edge.back:
            assert places[edge.target][0] > places[edge.source][0], edge
    svg = render_svg(graph)
    assert svg == render_svg(graph)
    root = parse(svg)
    drawn = paths(root, kind="forward") + paths(root, kind="back")
    assert sorted((e.get("data-from"), e.get("data-to")) for e in drawn) == sorted(
        (edge.source, edge.target) for edge in graph.edges
    )
    assert len(paths(root, kind="return")) == len(graph.nodes)
    assert {e.get("data-to") for e in paths(root, kind="entry")} == graph.entry_points()
    for element in root.iter(f"{SVG}path"):
        assert "nan" not in (element.get("d") or "").lower()


def box_texts(svg: str, key: str) -> list[str]:
    (box,) = paths(parse(svg), node=key)
    return [element.text or "" for element in box.iter(f"{SVG}text")]


def test_a_group_named_like_its_step_is_named_once_in_the_box() -> None:
    def node(key: str, label: str) -> Node:
        return Node(
            key=key,
            label=label,
            kind=NodeKind.OMBUDS,
            description="Onafhankelijk.",
            examples=(),
            owner=OwnerSpec(type=OwnerType.GROUP, group=key),
            clocks=Clocks(accept_within=1, feedback_within=1, update_every=1),
        )

    graph = RouteGraph(
        municipality="Teststad",
        version="x",
        groups={"ombudsman": "Ombudsman Teststad", "beleid": "Team Beleid Armoede"},
        nodes={
            "ombudsman": node("ombudsman", "Ombudsman Teststad"),
            "beleid": node("beleid", "Beleid"),
        },
        rules=(),
        default="ombudsman",
        edges=(Edge(source="ombudsman", target="beleid"),),
    )
    svg = render_svg(graph)
    ombudsman = box_texts(svg, "ombudsman")
    assert " ".join(ombudsman).count("Ombudsman Teststad") == 1
    assert not any(text.startswith("Verantwoordelijk") for text in ombudsman)
    assert "Verantwoordelijk: Team Beleid Armoede" in " ".join(box_texts(svg, "beleid"))
    # One working day each: the unit is a heading, so no number is followed by a plural.
    assert "termijnen in werkdagen: accepteren 1 · terugkoppeling 1 · update 1" in " ".join(
        ombudsman
    )
