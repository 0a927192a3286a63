"""The loader and the report: ``source``, ``note`` and ``inferred`` on nodes and edges, the form
of a reference, their messages, and the strict check (a source everywhere)."""

from pathlib import Path
from typing import Any

import pytest

from signals.routing.graph import Edge, Provenance
from signals.routing.loader import NO_SOURCE, check_route_files, unsourced
from signals.routing.schemas import REFERENCE
from tests.unit.test_route_loader import base_config, load, problems, write

NOTE = "Het rapport beschrijft deze tafel in H6.2."


def sourced_base() -> dict[str, Any]:
    """The loader tests' base route with a source on every node and edge."""
    config = base_config()
    for node in config["nodes"].values():
        node["source"] = "H6.2"
    config["edges"] = {
        source: [
            {"to": target, "source": "Les 3"}
            if isinstance(target, str)
            else {**target, "source": "Les 3"}
            for target in targets
        ]
        for source, targets in config["edges"].items()
    }
    return config


@pytest.mark.parametrize(
    "reference",
    ["H1", "H4", "H6.2", "H9.5", "H2.10", "H9.5.10", "§9.2", "§9.2.2", "§9.4.6", "§9.5.12"]
    + ["Les 1a", "Les 1b", "Les 2", "Les 8"],
)
def test_a_well_formed_reference(reference: str) -> None:
    assert REFERENCE.fullmatch(reference)


@pytest.mark.parametrize(
    "reference",
    ["H0", "H10", "H6.", "H6.2.3.4", "H6.123", "h6.2", "6.2", "§8.1", "§9", "§9.6", "§9.2.2.1"]
    + ["§ 9.2", "Les 1", "Les 1c", "Les 9", "les 7", "Les7", "Les 7 ", " H6.2", "H6.2\n"],
)
def test_a_malformed_reference(reference: str) -> None:
    assert not REFERENCE.fullmatch(reference)


def test_sources_notes_and_inference_are_kept_on_nodes(tmp_path: Path) -> None:
    config = base_config()
    config["nodes"]["beleid"].update(source=["H6.2", "§9.2.2", "Les 3"], note=NOTE)
    config["nodes"]["bestuur"].update(source="H9.2", inferred=True, note=NOTE)

    graph = load(tmp_path, config)

    assert graph.nodes["beleid"].provenance == Provenance(("H6.2", "§9.2.2", "Les 3"), NOTE)
    assert graph.nodes["beleid"].provenance.cited() == "H6.2, §9.2.2, Les 3"
    assert graph.nodes["bestuur"].provenance == Provenance(("H9.2",), NOTE, inferred=True)
    assert graph.nodes["teamleider"].provenance == Provenance()  # none given: fine


def test_sources_notes_and_inference_are_kept_on_edges(tmp_path: Path) -> None:
    config = base_config()
    config["edges"]["teamleider"] = [
        {"to": "beleid", "source": ["Les 3", "H6.2"]},
        {"to": "ombudsman", "source": "Les 7", "inferred": True, "note": NOTE},
    ]
    config["edges"]["beleid"][1]["source"] = "§9.2.4"

    graph = load(tmp_path, config)

    assert graph.edges[:2] == (
        Edge("teamleider", "beleid", provenance=Provenance(("Les 3", "H6.2"))),
        Edge("teamleider", "ombudsman", provenance=Provenance(("Les 7",), NOTE, inferred=True)),
    )
    assert Edge("beleid", "teamleider", True, Provenance(("§9.2.4",))) in graph.edges
    assert graph.next_nodes("teamleider") == ("beleid", "ombudsman")
    assert graph.may_forward("teamleider", "ombudsman")
    assert graph.may_forward("beleid", "teamleider")
    assert not graph.may_forward("ombudsman", "teamleider")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("H10", "not a report reference: 'H10' (write e.g. H6.2, §9.2.2 or Les 7)"),
        (
            ["H6.2", "§9.6", 7],
            "not a report reference: '§9.6', 7 (write e.g. H6.2, §9.2.2 or Les 7)",
        ),
        ([], "a report reference or a list of them (write e.g. H6.2, §9.2.2 or Les 7)"),
        ({"H6": 2}, "a report reference or a list of them (write e.g. H6.2, §9.2.2 or Les 7)"),
        (["Les 2", "H6.2", "Les 2"], "listed twice: 'Les 2'"),
    ],
)
def test_a_wrong_source_on_a_node(tmp_path: Path, source: object, message: str) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["beleid"]["source"] = source

    assert problems(tmp_path, change) == [f"town.yaml: nodes.beleid.source: {message}"]


def test_a_wrong_source_on_an_edge(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["beleid"][1]["source"] = "Les 9"

    assert problems(tmp_path, change) == [
        "town.yaml: edges.beleid.1.source: not a report reference: 'Les 9' (write e.g. H6.2, "
        "§9.2.2 or Les 7)"
    ]


def test_an_inferred_node_or_edge_needs_a_note(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["bestuur"].update(source="H9.2", inferred=True)
        config["edges"]["teamleider"][0] = {"to": "beleid", "inferred": True}

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.bestuur.note: inferred: true needs a note saying what it is inferred "
        "from",
        "town.yaml: edges.teamleider.0.note: inferred: true needs a note saying what it is "
        "inferred from",
    ]


def test_a_note_is_at_most_1000_characters(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["beleid"]["note"] = "x" * 1001
        config["edges"]["beleid"][0] = {"to": "bestuur", "note": ""}

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.beleid.note: Length must be between 1 and 1000.",
        "town.yaml: edges.beleid.0.note: Length must be between 1 and 1000.",
    ]
    config = base_config()
    config["nodes"]["beleid"]["note"] = "x" * 1000
    assert load(tmp_path, config).nodes["beleid"].provenance.note == "x" * 1000


def test_an_edge_mapping_with_a_wrong_key_or_flag(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["teamleider"] = [
            {"to": "beleid", "bron": "H6.2"},
            {"to": "ombudsman", "inferred": "ja", "note": NOTE},
        ]
        config["edges"]["intake"] = [{"source": "H6.2"}]

    assert problems(tmp_path, change) == [
        "town.yaml: edges.teamleider.0: unknown key 'bron' (an edge takes to, back, source, "
        "note and inferred)",
        "town.yaml: edges.teamleider.1: 'inferred' must be true or false",
        "town.yaml: edges.intake.0: an edge is a node key or {to: node, back: true} (source, "
        "note and inferred may be added)",
    ]


def test_the_strict_check_names_every_node_and_edge_without_a_source(tmp_path: Path) -> None:
    config = sourced_base()
    del config["nodes"]["intake"]["source"]
    config["edges"]["beleid"][1] = {"to": "teamleider", "back": True}  # the way back
    config["edges"]["teamleider"][1] = "ombudsman"
    path = write(tmp_path, config)

    assert check_route_files([path]) == []
    assert check_route_files([path], strict=True) == [
        f"town.yaml: nodes.intake: {NO_SOURCE}",
        f"town.yaml: edges.teamleider.1: {NO_SOURCE}",
        f"town.yaml: edges.beleid.1: {NO_SOURCE}",
    ]
    assert NO_SOURCE == "no source (--strict: every node and edge names where the report says it)"


def test_the_strict_check_passes_a_fully_sourced_file_and_reports_other_problems_first(
    tmp_path: Path,
) -> None:
    assert check_route_files([write(tmp_path, sourced_base())], strict=True) == []
    assert unsourced(load(tmp_path, sourced_base())) == []

    broken = sourced_base()
    broken["nodes"]["beleid"]["escalate_on_overdue"] = "beleidd"
    del broken["nodes"]["intake"]["source"]

    assert check_route_files([write(tmp_path, broken)], strict=True) == [
        "town.yaml: nodes.beleid.escalate_on_overdue: unknown node 'beleidd'"
    ]
