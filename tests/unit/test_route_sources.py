"""The shipped route files follow the report: every node and edge names real places in it.

The loader checks only the form of a reference (``H6.2``, ``§9.2.2``, ``Les 7``);
``REPORT_SECTIONS`` below is the report's own numbering ("Knellende mechanismen", 2023: its
table of contents, the headings in chapter 9 and the lessons in section 2.9), so a reference
to a section the report does not have (``H6.9``) is caught here. The strict check of the CLI
(``signals routes check --strict``) runs on the same files.
"""

import re
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskCliRunner

from signals.routing.graph import NodeKind, Provenance, RouteGraph
from signals.routing.loader import load_route_file
from signals.routing.schemas import REFERENCE
from tests.fixtures.sourced_route import sourced_config, write_sourced_route

ROUTES = Path(__file__).resolve().parents[2] / "routes_config"
SHIPPED = ("amsterdam", "almere", "utrecht")

REPORT_SECTIONS = frozenset(
    {
        # Chapters 1-9 and their sections, as in the table of contents; chapter 4 has none.
        *("H1.1", "H1.2", "H1.3", "H1.4"),
        *("H2.1", "H2.2", "H2.3", "H2.4", "H2.5", "H2.6", "H2.7", "H2.8", "H2.9"),
        *("H3.1", "H3.2"),
        "H4",
        *("H5.1", "H5.2", "H5.3", "H5.4", "H5.5"),
        *("H6.1", "H6.2", "H6.3", "H6.4", "H6.5", "H6.6", "H6.7"),
        *("H7.1", "H7.2", "H7.3", "H7.4", "H7.5", "H7.6", "H7.7"),
        *("H8.1", "H8.2", "H8.3", "H8.4", "H8.5", "H8.6", "H8.7"),
        *("H9.1", "H9.2", "H9.3", "H9.4", "H9.5"),
        # The subsections of the recommendations (9.1 has none).
        *("§9.2.1", "§9.2.2", "§9.2.3", "§9.2.4", "§9.2.5"),
        *("§9.3.1", "§9.3.2", "§9.3.3", "§9.3.4", "§9.3.5"),
        *("§9.4.1", "§9.4.2", "§9.4.3", "§9.4.4", "§9.4.5", "§9.4.6"),
        *("§9.5.1", "§9.5.2", "§9.5.3", "§9.5.4", "§9.5.5"),
        # The lessons for the future (section 2.9).
        *("Les 1a", "Les 1b", "Les 2", "Les 3", "Les 4", "Les 5", "Les 6", "Les 7", "Les 8"),
    }
)


def places(graph: RouteGraph) -> list[tuple[str, Provenance]]:
    """Every node and edge with its provenance, named as the checker names them."""
    named = [(f"nodes.{key}", node.provenance) for key, node in graph.nodes.items()]
    counted: dict[str, int] = {}
    for edge in graph.edges:
        index = counted.get(edge.source, 0)
        counted[edge.source] = index + 1
        named.append((f"edges.{edge.source}.{index}", edge.provenance))
    return named


def source_problems(graph: RouteGraph) -> list[str]:
    """Nodes and edges without a source, or with a reference the report does not have."""
    problems: list[str] = []
    for where, provenance in places(graph):
        if not provenance.references:
            problems.append(f"{where}: no source")
        unknown = [ref for ref in provenance.references if ref not in REPORT_SECTIONS]
        if unknown:
            problems.append(f"{where}: not in the report: {', '.join(unknown)}")
    return problems


def check_strictly(runner: FlaskCliRunner, *paths: Path) -> tuple[int, list[str], str]:
    """``signals routes check --strict`` on ``paths``: exit code, problem lines, output."""
    result = runner.invoke(args=["routes", "check", "--strict", *map(str, paths)])
    return result.exit_code, result.stderr.splitlines(), result.stdout


@pytest.mark.parametrize("name", SHIPPED)
def test_every_node_and_edge_of_a_shipped_file_names_real_places_in_the_report(
    name: str,
) -> None:
    graph = load_route_file(ROUTES / f"{name}.yaml")

    assert source_problems(graph) == []


def test_the_strict_check_accepts_the_shipped_files(runner: FlaskCliRunner) -> None:
    code, problems, output = check_strictly(runner, *(ROUTES / f"{name}.yaml" for name in SHIPPED))

    assert problems == []
    assert code == 0
    assert output.strip() == "3 routebestanden in orde: amsterdam.yaml, almere.yaml, utrecht.yaml"


def test_a_fully_sourced_file_passes_both_checks(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write_sourced_route(tmp_path)

    assert source_problems(load_route_file(path)) == []
    assert check_strictly(runner, path) == (0, [], "1 routebestand in orde: sourced.yaml\n")


def test_both_checks_find_a_missing_source_and_the_report_check_a_made_up_section(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    config = sourced_config()
    del config["nodes"]["beleid"]["source"]
    config["edges"]["intake"][2]["source"] = ["Les 3", "H6.9"]  # the form is right; no such §
    path = tmp_path / "town.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))

    assert source_problems(load_route_file(path)) == [
        "nodes.beleid: no source",
        "edges.intake.2: not in the report: H6.9",
    ]
    assert check_strictly(runner, path)[:2] == (
        1,
        [
            "town.yaml: nodes.beleid: no source (--strict: every node and edge names where the "
            "report says it)"
        ],
    )


def test_the_list_holds_only_well_formed_references() -> None:
    assert len(REPORT_SECTIONS) == 4 + 9 + 2 + 1 + 5 + 7 + 7 + 7 + 5 + 21 + 9
    assert all(REFERENCE.fullmatch(reference) for reference in REPORT_SECTIONS)


# --- what the report says per city, as the shipped files must say it ----------------------


def shipped(name: str) -> RouteGraph:
    return load_route_file(ROUTES / f"{name}.yaml")


def cites(provenance: Provenance, *references: str) -> bool:
    return set(references) <= set(provenance.references)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_ombudsman_is_also_a_source_of_signals_for_policy(name: str) -> None:
    graph = shipped(name)  # Les 7: the ombudsman passes on what it decides to pass on
    ombuds = [key for key, node in graph.nodes.items() if node.kind == NodeKind.OMBUDS]

    assert ombuds
    for key in ombuds:
        assert graph.nodes[key].independent
        to_policy = [
            edge
            for edge in graph.edges
            if edge.source == key and graph.nodes[edge.target].kind == NodeKind.BELEID
        ]
        assert to_policy and cites(to_policy[0].provenance, "Les 7"), key


@pytest.mark.parametrize("name", SHIPPED)
def test_college_and_raad_are_fed_periodically_from_policy(name: str) -> None:
    graph = shipped(name)  # Les 3
    college_raad = graph.nodes["college_raad"]

    assert college_raad.kind == NodeKind.BESTUUR
    assert not college_raad.shows_reporter
    assert cites(college_raad.provenance, "Les 3")
    assert graph.may_forward("beleid", "college_raad")


@pytest.mark.parametrize("name", SHIPPED)
def test_partners_reach_the_national_level_through_their_own_branch(name: str) -> None:
    graph = shipped(name)
    branche = graph.nodes["branche"]
    partner_entry = graph.entry_node({"organisation_kind": "partner", "has_line_manager": False})

    assert branche.kind == NodeKind.LANDELIJK
    assert "partner" in branche.direct_entry
    assert graph.may_forward(partner_entry[0], "branche")
    assert branche.provenance.references


@pytest.mark.parametrize(
    ("name", "entry", "inferred"),
    [
        ("amsterdam", "linking_pin", True),  # the report names linking pins, not a partner desk
        ("almere", "sociaal_stedelijk_team", False),  # "binnen via de wijkteams" (§9.3.2)
        ("utrecht", "accounthouder", True),  # accounthoudergesprekken (§9.4.4), not a desk
    ],
)
def test_partners_come_in_where_the_report_says_and_no_intake_is_invented(
    name: str, entry: str, inferred: bool
) -> None:
    graph = shipped(name)

    assert "intake" not in graph.nodes and "intake" not in graph.groups
    assert graph.entry_node({"organisation_kind": "partner", "has_line_manager": True})[0] == entry
    assert "partner" in graph.nodes[entry].direct_entry
    assert graph.nodes[entry].provenance.inferred is inferred


@pytest.mark.parametrize(
    ("name", "fast_lane"),
    [("amsterdam", "doorbraakteam"), ("almere", "interventieteam"), ("utrecht", "city_deal")],
)
def test_the_acute_fast_lane_is_said_to_be_the_products_choice(name: str, fast_lane: str) -> None:
    graph = shipped(name)
    note = graph.nodes[fast_lane].provenance.note or ""

    assert graph.entry_node({"urgency": "acute"})[0] == fast_lane
    assert "acute" in note and ("product" in note or "afgeleid" in note), note


def test_amsterdam_follows_chapter_6_and_section_9_2() -> None:
    graph = shipped("amsterdam")
    nodes = graph.nodes
    text = (ROUTES / "amsterdam.yaml").read_text(encoding="utf-8")

    assert cites(nodes["vakgroephouder"].provenance, "H6.2")
    assert cites(nodes["maatwerkcoach"].provenance, "H6.6")
    assert cites(nodes["inzicht_advies"].provenance, "H6.5")
    assert cites(nodes["spreekuur"].provenance, "H6.6")
    assert nodes["spreekuur"].direct_entry == {"staff", "partner"}
    assert cites(nodes["linking_pin"].provenance, "§9.2.2")
    # The weekly KOT casuïstiek -> stedelijk overleg -> VNG -> Belastingdienst (H6.2).
    assert nodes["kot_casuistiek"].cadence is not None
    assert nodes["kot_casuistiek"].cadence.describe() == "elke week"
    assert graph.may_forward("kot_casuistiek", "stedelijk_overleg")
    assert graph.may_forward("stedelijk_overleg", "landelijk")
    assert "Belastingdienst" in nodes["landelijk"].provenance.note  # type: ignore[operator]
    # Six-weekly with a doorbraakcoach is what some describe, not the city's standard.
    assert "'enkele' professionals" in (nodes["casuistiek"].provenance.note or "")
    assert "complexe casuïstiek" in nodes["doorbraakteam"].description
    for claim in ("SZW", "kostendelersnorm"):
        assert claim not in text


def test_almere_follows_chapter_7_and_section_9_3() -> None:
    graph = shipped("almere")
    nodes = graph.nodes

    assert cites(nodes["sociaal_stedelijk_team"].provenance, "§9.3.2")
    assert cites(nodes["managementoverleg"].provenance, "H7.2")
    assert cites(nodes["teamcoordinator"].provenance, "H7.6")
    assert cites(nodes["number_90"].provenance, "§9.3.2")
    assert "herstelexperts" in nodes["number_90"].description
    # The Financieel Huis is a weekly table its partners reach, not a rule for staff only.
    financieel_huis = nodes["financieel_huis"]
    assert financieel_huis.kind == NodeKind.CASUISTIEK
    assert financieel_huis.direct_entry == {"staff", "partner"}
    assert financieel_huis.cadence is not None
    assert financieel_huis.cadence.describe() == "elke week"
    assert cites(financieel_huis.provenance, "§9.3.2", "§9.3.3")
    for partner in ("Humanitas", "VMCA", "wijkteam"):
        assert partner in financieel_huis.description
    assert all(rule.to != "financieel_huis" for rule in graph.rules)
    assert graph.may_forward("sociaal_stedelijk_team", "financieel_huis")


def test_utrecht_follows_chapter_8_and_section_9_4() -> None:
    graph = shipped("utrecht")
    nodes = graph.nodes

    assert cites(nodes["voorkom_erger"].provenance, "H8.2", "§9.4.2")
    assert cites(nodes["stedelijk_overleg"].provenance, "H8.3")
    assert cites(nodes["signaleringsoverleg"].provenance, "H8.2")
    assert cites(nodes["contactpersonen"].provenance, "H8.2")
    assert cites(nodes["pre_mediation"].provenance, "§9.4.4")
    assert cites(nodes["actieagenda"].provenance, "H8.6")
    assert cites(nodes["ombudsloket"].provenance, "§9.4.5")
    # H8.3: the teamleider decides on the stedelijk overleg, the City Deal or Programma Maatwerk.
    for table in ("stedelijk_overleg", "city_deal", "programma_maatwerk"):
        edge = next(e for e in graph.edges if (e.source, e.target) == ("teamleider", table))
        assert cites(edge.provenance, "H8.3"), table
    assert graph.may_forward("ombudsloket", "nationale_ombudsman")


def readme_rows(name: str) -> dict[str, tuple[str, str]]:
    """The README's table for ``name``: node key -> (its references, what the report says)."""
    readme = (ROUTES / "README.md").read_text(encoding="utf-8")
    table = readme.split(f"(`{name}.yaml`)", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| ([^|]+) \| (.+) \|$", table, flags=re.MULTILINE)
    return {key: (references.strip(), says) for key, references, says in rows}


@pytest.mark.parametrize("name", SHIPPED)
def test_the_readme_table_names_every_node_with_its_sources(name: str) -> None:
    graph = shipped(name)
    rows = readme_rows(name)

    assert list(rows) == list(graph.nodes)
    for key, node in graph.nodes.items():
        references, says = rows[key]
        assert references == node.provenance.cited(), key
        assert ("*Afgeleid*" in says) == node.provenance.inferred, key
