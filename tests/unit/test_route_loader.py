"""The route-file loader: the real files, every check's message, entry rules and the CLI."""

import hashlib
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from signals.routing.graph import NodeKind, OwnerType, RouteGraph
from signals.routing.loader import RouteConfigError, load_route_file
from tests.fixtures.app import make_test_app

PROJECT = Path(__file__).resolve().parents[2]
ROUTES = PROJECT / "routes_config"
REAL_FILES = ("amsterdam", "almere", "utrecht")
HEX12 = re.compile(r"^[0-9a-f]{12}$")

# What each real file says: its lead node, its acute fast lane and where partners come in
# (Almere: the wijkteams' Sociaal Stedelijk Team, §9.3.2; Amsterdam: a linking pin, §9.2.2;
# Utrecht: the accounthouder, §9.4.4).
LEAD = {"amsterdam": "teamleider", "almere": "leidinggevende", "utrecht": "teamleider"}
FAST_LANE = {"amsterdam": "doorbraakteam", "almere": "interventieteam", "utrecht": "city_deal"}
PARTNER_ENTRY = {
    "amsterdam": ("linking_pin", "Professional van een gecontracteerde partner"),
    "almere": ("sociaal_stedelijk_team", "Professional van een wijkteam of andere partner"),
    "utrecht": ("accounthouder", "Professional van een gecontracteerde partner"),
}


def real(name: str) -> RouteGraph:
    return load_route_file(ROUTES / f"{name}.yaml")


# --- (a) the real files ---------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_loads(name: str) -> None:
    graph = real(name)

    assert graph.municipality == name.capitalize()
    assert graph.nodes
    assert graph.default in graph.nodes
    assert all(rule.to in graph.nodes for rule in graph.rules)
    assert all(edge.source in graph.nodes and edge.target in graph.nodes for edge in graph.edges)


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_every_node_is_reachable_from_an_entry_point(name: str) -> None:
    graph = real(name)
    reached = set(graph.entry_points())
    queue = list(reached)
    while queue:
        for target in graph.next_nodes(queue.pop()):
            if target not in reached:
                reached.add(target)
                queue.append(target)

    assert reached == set(graph.nodes)


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_has_a_default_and_the_ombuds_nodes_are_independent(name: str) -> None:
    graph = real(name)

    assert graph.default == LEAD[name]
    ombuds = [node for node in graph.nodes.values() if node.kind == NodeKind.OMBUDS]
    assert ombuds
    assert all(node.independent for node in ombuds)
    assert [node for node in graph.nodes.values() if node.independent] == ombuds


@pytest.mark.parametrize("name", REAL_FILES)
def test_version_is_the_content_hash_and_changes_with_the_content(
    name: str, tmp_path: Path
) -> None:
    source = ROUTES / f"{name}.yaml"
    graph = load_route_file(source)

    assert HEX12.match(graph.version)
    assert graph.version == hashlib.sha256(source.read_bytes()).hexdigest()[:12]

    copy = tmp_path / f"{name}.yaml"
    copy.write_bytes(source.read_bytes())
    assert load_route_file(copy).version == graph.version

    copy.write_bytes(source.read_bytes() + b"# only a comment changed\n")
    changed = load_route_file(copy)
    assert HEX12.match(changed.version)
    assert changed.version != graph.version
    assert changed.nodes == graph.nodes


# --- (b) one test per check, each from a small valid base config ------------------------------


def base_config() -> dict[str, Any]:
    """A small valid route: lead, intake, beleid, bestuur and an ombudsman."""
    return {
        "version": 1,
        "municipality": "Teststad",
        "defaults": {"clocks": {"accept_within": 2, "feedback_within": 10, "update_every": 20}},
        "groups": {
            "intake": "Intake signalen",
            "beleid": "Beleid",
            "bestuur": "Wethouder",
            "ombudsman": "Ombudsman",
        },
        "nodes": {
            "teamleider": {
                "label": "Teamleider",
                "kind": "lead",
                "description": "De eerste stap voor medewerkers.",
                "owner": {"type": "line_manager", "fallback_group": "intake"},
                "escalate_on_overdue": "beleid",
            },
            "intake": {
                "label": "Intake",
                "kind": "special_team",
                "description": "Het loket voor partners.",
                "owner": {"type": "partner_contact", "fallback_group": "intake"},
                "direct_entry": ["partner"],
            },
            "beleid": {
                "label": "Beleid",
                "kind": "beleid",
                "description": "Voor aanpassing van beleid.",
                "owner": {"type": "group", "group": "beleid"},
                "clocks": {"feedback_within": 20},
                "escalate_on_overdue": "bestuur",
            },
            "bestuur": {
                "label": "Wethouder",
                "kind": "bestuur",
                "description": "Voor bestuurlijke keuzes.",
                "owner": {"type": "group", "group": "bestuur"},
            },
            "ombudsman": {
                "label": "Ombudsman",
                "kind": "ombuds",
                "description": "Onafhankelijk.",
                "owner": {"type": "group", "group": "ombudsman"},
                "direct_entry": ["staff", "partner"],
                "independent": True,
            },
        },
        "entry": {
            "rules": [
                {
                    "name": "Partner",
                    "when": {"organisation_kind": ["partner"]},
                    "to": "intake",
                }
            ],
            "default": "teamleider",
        },
        "edges": {
            "teamleider": ["beleid", "ombudsman"],
            "intake": ["beleid"],
            "beleid": ["bestuur", {"to": "teamleider", "back": True}],
        },
    }


def write(tmp_path: Path, config: Any) -> Path:
    path = tmp_path / "town.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return path


def load(tmp_path: Path, config: Any) -> RouteGraph:
    return load_route_file(write(tmp_path, config))


def problems(tmp_path: Path, change: Callable[[dict[str, Any]], object]) -> list[str]:
    """The problems of the base config after ``change`` (which edits it in place)."""
    config = base_config()
    change(config)
    with pytest.raises(RouteConfigError) as caught:
        load(tmp_path, config)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def test_base_config_is_valid(tmp_path: Path) -> None:
    graph = load(tmp_path, base_config())

    assert set(graph.nodes) == {"teamleider", "intake", "beleid", "bestuur", "ombudsman"}
    assert graph.default == "teamleider"
    assert graph.nodes["teamleider"].owner.type == OwnerType.LINE_MANAGER
    assert graph.nodes["teamleider"].owner.group == "intake"
    assert graph.nodes["beleid"].owner.group == "beleid"


def test_unknown_top_level_key(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["colours"] = {"beleid": "blue"}

    assert problems(tmp_path, change) == ["town.yaml: colours: Unknown field."]


def test_unknown_node_key(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["beleid"]["colour"] = "blue"

    assert problems(tmp_path, change) == ["town.yaml: nodes.beleid.colour: Unknown field."]


def test_unknown_node_in_a_rule_target(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["entry"]["rules"][0]["to"] = "intak"

    assert problems(tmp_path, change) == ["town.yaml: entry.rules.0.to: unknown node 'intak'"]


def test_unknown_node_in_the_second_rule_target(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["entry"]["rules"].append(
            {"name": "Acuut", "when": {"urgency": ["acute"]}, "to": "doorbraakteam"}
        )

    assert problems(tmp_path, change) == [
        "town.yaml: entry.rules.1.to: unknown node 'doorbraakteam'"
    ]


def test_unknown_node_as_default(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["entry"]["default"] = "teamleiderr"

    assert problems(tmp_path, change) == ["town.yaml: entry.default: unknown node 'teamleiderr'"]


def test_unknown_node_as_edge_source(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["beleidd"] = ["bestuur"]

    assert problems(tmp_path, change) == ["town.yaml: edges.beleidd: unknown node 'beleidd'"]


def test_unknown_node_as_edge_target(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["teamleider"] = ["beleid", "ombudsmann"]

    assert problems(tmp_path, change) == [
        "town.yaml: edges.teamleider.1: unknown node 'ombudsmann'"
    ]


def test_unknown_node_as_back_edge_target(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["beleid"][1] = {"to": "teamleidr", "back": True}

    assert problems(tmp_path, change) == ["town.yaml: edges.beleid.1: unknown node 'teamleidr'"]


def test_unknown_node_in_escalate_on_overdue(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["beleid"]["escalate_on_overdue"] = "beleidd"

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.beleid.escalate_on_overdue: unknown node 'beleidd'"
    ]


def test_escalation_to_a_node_that_is_not_an_edge_is_refused(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["teamleider"]["escalate_on_overdue"] = "bestuur"

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.teamleider.escalate_on_overdue: 'bestuur' is not an edge of "
        "'teamleider' (add it under edges.teamleider)"
    ]


def test_escalation_to_an_ombuds_node_without_an_edge_is_accepted(tmp_path: Path) -> None:
    config = base_config()
    config["nodes"]["intake"]["escalate_on_overdue"] = "ombudsman"
    assert "ombudsman" not in config["edges"]["intake"]

    graph = load(tmp_path, config)

    assert graph.nodes["intake"].escalate_on_overdue == "ombudsman"
    assert not graph.may_forward("intake", "ombudsman")


def test_escalation_along_a_back_edge_is_accepted(tmp_path: Path) -> None:
    config = base_config()
    config["nodes"]["beleid"]["escalate_on_overdue"] = "teamleider"

    assert load(tmp_path, config).nodes["beleid"].escalate_on_overdue == "teamleider"


def test_unreachable_node(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["groups"]["klachten"] = "Klachten"
        config["nodes"]["klachten"] = {
            "label": "Klachten",
            "kind": "klachten",
            "description": "Voor patronen in klachten.",
            "owner": {"type": "group", "group": "klachten"},
        }

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.klachten: unreachable: no entry rule, direct entry or edge leads here"
    ]


def test_node_reachable_only_by_direct_entry_is_accepted(tmp_path: Path) -> None:
    config = base_config()
    config["groups"]["klachten"] = "Klachten"
    config["nodes"]["klachten"] = {
        "label": "Klachten",
        "kind": "klachten",
        "description": "Voor patronen in klachten.",
        "owner": {"type": "group", "group": "klachten"},
        "direct_entry": ["staff"],
    }

    graph = load(tmp_path, config)

    assert "klachten" in graph.entry_points()
    assert [node.key for node in graph.direct_nodes("staff")] == ["ombudsman", "klachten"]


def test_node_without_owner(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        del config["nodes"]["bestuur"]["owner"]

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.bestuur.owner: Missing data for required field."
    ]


def test_group_owner_without_group(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["beleid"]["owner"] = {"type": "group"}

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.beleid.owner.group: a group owner needs 'group'"
    ]


def test_group_owner_with_a_fallback_group(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["beleid"]["owner"]["fallback_group"] = "intake"

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.beleid.owner.fallback_group: only person owners have a fallback"
    ]


@pytest.mark.parametrize(
    ("node", "owner_type"), [("teamleider", "line_manager"), ("intake", "partner_contact")]
)
def test_person_owner_without_fallback_group(tmp_path: Path, node: str, owner_type: str) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"][node]["owner"] = {"type": owner_type}

    assert problems(tmp_path, change) == [
        f"town.yaml: nodes.{node}.owner.fallback_group: a person owner needs 'fallback_group' "
        "for when nobody can be found"
    ]


def test_person_owner_with_group_instead_of_fallback(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["teamleider"]["owner"]["group"] = "intake"

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.teamleider.owner.group: use 'fallback_group' with a person owner"
    ]


def test_undeclared_owner_group(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["beleid"]["owner"]["group"] = "beleid_armoede"

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.beleid.owner.group: unknown group 'beleid_armoede' "
        "(declare it under groups)"
    ]


def test_undeclared_fallback_group(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        del config["groups"]["intake"]

    # Both person owners fall back to the intake group.
    assert problems(tmp_path, change) == [
        "town.yaml: nodes.teamleider.owner.fallback_group: unknown group 'intake' "
        "(declare it under groups)",
        "town.yaml: nodes.intake.owner.fallback_group: unknown group 'intake' "
        "(declare it under groups)",
    ]


def without_default_accept_within(config: dict[str, Any]) -> None:
    """No default for accept_within; every node but beleid sets its own."""
    del config["defaults"]["clocks"]["accept_within"]
    for key, node in config["nodes"].items():
        if key != "beleid":
            node.setdefault("clocks", {})["accept_within"] = 3


def test_node_clock_missing_without_a_default(tmp_path: Path) -> None:
    assert problems(tmp_path, without_default_accept_within) == [
        "town.yaml: nodes.beleid.clocks.accept_within: no value here and no default under "
        "defaults.clocks"
    ]


def test_node_clock_set_on_the_node_needs_no_default(tmp_path: Path) -> None:
    config = base_config()
    without_default_accept_within(config)
    config["nodes"]["beleid"]["clocks"]["accept_within"] = 4

    graph = load(tmp_path, config)

    assert graph.nodes["beleid"].clocks.accept_within == 4
    assert graph.nodes["bestuur"].clocks.accept_within == 3


def test_node_clocks_fall_back_to_the_defaults_one_by_one(tmp_path: Path) -> None:
    graph = load(tmp_path, base_config())

    beleid = graph.nodes["beleid"].clocks
    assert (beleid.accept_within, beleid.feedback_within, beleid.update_every) == (2, 20, 20)
    bestuur = graph.nodes["bestuur"].clocks
    assert (bestuur.accept_within, bestuur.feedback_within, bestuur.update_every) == (2, 10, 20)


def test_missing_entry_default(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        del config["entry"]["default"]

    assert problems(tmp_path, change) == [
        "town.yaml: entry.default: Missing data for required field."
    ]


def test_rule_without_conditions(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["entry"]["rules"][0]["when"] = {}

    assert problems(tmp_path, change) == [
        "town.yaml: entry.rules.0.when: a rule needs at least one condition; use 'default' instead"
    ]


def test_rule_with_an_empty_list(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["entry"]["rules"][0]["when"]["urgency"] = []

    assert problems(tmp_path, change) == [
        "town.yaml: entry.rules.0.when.urgency: list at least one value"
    ]


def test_unknown_condition_code(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["entry"]["rules"][0]["when"] = {"urgency": ["acuut", "high"]}

    assert problems(tmp_path, change) == [
        "town.yaml: entry.rules.0.when.urgency: unknown code 'acuut'"
    ]


def test_unknown_condition_field(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["entry"]["rules"][0]["when"]["urgentie"] = ["acute"]

    assert problems(tmp_path, change) == ["town.yaml: entry.rules.0.when.urgentie: Unknown field."]


def test_cycle_without_back_edge_is_refused(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["bestuur"] = ["beleid"]

    assert problems(tmp_path, change) == [
        "town.yaml: edges: cycle beleid -> bestuur -> beleid is not allowed; mark the edge that "
        "goes back with 'back: true' if the way back is intended"
    ]


def test_cycle_closed_by_a_back_edge_is_accepted(tmp_path: Path) -> None:
    config = base_config()
    config["edges"]["bestuur"] = [{"to": "beleid", "back": True}]

    graph = load(tmp_path, config)

    assert graph.may_forward("beleid", "bestuur")
    assert graph.may_forward("bestuur", "beleid")
    assert {(edge.source, edge.target) for edge in graph.edges if edge.back} == {
        ("beleid", "teamleider"),
        ("bestuur", "beleid"),
    }


def test_back_false_counts_as_a_forward_edge(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["beleid"][1] = {"to": "teamleider", "back": False}

    assert problems(tmp_path, change) == [
        "town.yaml: edges: cycle teamleider -> beleid -> teamleider is not allowed; mark the "
        "edge that goes back with 'back: true' if the way back is intended"
    ]


def test_self_edge(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["beleid"].append("beleid")

    assert problems(tmp_path, change) == [
        "town.yaml: edges.beleid.2: a node cannot forward to itself"
    ]


def test_duplicate_edge(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["teamleider"].append("beleid")

    assert problems(tmp_path, change) == [
        "town.yaml: edges.teamleider.2: duplicate edge to 'beleid'"
    ]


def test_malformed_edge(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["edges"]["beleid"][1] = {"to": "teamleider", "back": "ja"}

    assert problems(tmp_path, change) == ["town.yaml: edges.beleid.1: 'back' must be true or false"]


def test_ombuds_node_must_be_independent(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        del config["nodes"]["ombudsman"]["independent"]

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.ombudsman.independent: an ombuds node must be independent: true"
    ]


def test_only_ombuds_nodes_are_independent(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["beleid"]["independent"] = True

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.beleid.independent: only ombuds nodes are independent"
    ]


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["nodes"]["beleid"]["escalate_on_overdue"] = "beleidd"
        config["nodes"]["bestuur"]["owner"]["group"] = "wethouder"

    assert problems(tmp_path, change) == [
        "town.yaml: nodes.bestuur.owner.group: unknown group 'wethouder' (declare it under groups)",
        "town.yaml: nodes.beleid.escalate_on_overdue: unknown node 'beleidd'",
    ]


def test_yaml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "town.yaml"
    path.write_text("version: 1\nmunicipality: Teststad\nnodes:\n  beleid: label: Beleid\n")

    with pytest.raises(RouteConfigError) as caught:
        load_route_file(path)

    assert caught.value.problems == ["town.yaml: line 4: mapping values are not allowed here"]


def test_unquoted_colon_in_a_label_is_reported_at_its_path(tmp_path: Path) -> None:
    text = yaml.safe_dump(base_config(), sort_keys=False).replace(
        "label: Beleid\n", "label:\n      Landelijk: VNG\n", 1
    )
    path = tmp_path / "town.yaml"
    path.write_text(text)

    with pytest.raises(RouteConfigError) as caught:
        load_route_file(path)

    assert caught.value.problems == ["town.yaml: nodes.beleid.label: Not a valid string."]


def test_file_that_is_a_list(tmp_path: Path) -> None:
    with pytest.raises(RouteConfigError) as caught:
        load(tmp_path, [base_config()])

    assert caught.value.problems == ["town.yaml: (top): expected a mapping of settings"]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "town.yaml"
    path.write_text("# nothing yet\n")

    with pytest.raises(RouteConfigError) as caught:
        load_route_file(path)

    assert caught.value.problems == ["town.yaml: (top): expected a mapping of settings"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RouteConfigError) as caught:
        load_route_file(tmp_path / "town.yaml")

    assert caught.value.problems == ["town.yaml: cannot read the file: No such file or directory"]


# --- (c) entry rules and edges of the real files ----------------------------------------------


def facts(**overrides: Any) -> dict[str, Any]:
    """Routing facts as services.routing_facts builds them: a normal, individual signal."""
    return {
        "urgency": "normal",
        "scope": "individual",
        "level": "municipal_practice",
        "maatwerk": "unknown",
        "source_organisation": "gemeente",
        "regulations": ["participatiewet"],
        "impact": ["debts"],
        "organisation_kind": "staff",
        "has_line_manager": True,
        **overrides,
    }


PARTNER = {"organisation_kind": "partner", "has_line_manager": False}
STAFF_WITH_MANAGER = {"organisation_kind": "staff", "has_line_manager": True}
STAFF_WITHOUT_MANAGER = {"organisation_kind": "staff", "has_line_manager": False}


@pytest.mark.parametrize("name", REAL_FILES)
def test_same_signal_enters_by_reporter(name: str) -> None:
    graph = real(name)

    assert graph.entry_node(facts(**PARTNER)) == PARTNER_ENTRY[name]
    assert graph.entry_node(facts(**STAFF_WITH_MANAGER)) == (LEAD[name], "standaard")
    # Without a manager, staff still start at the lead node, whose fallback group owns it.
    assert graph.entry_node(facts(**STAFF_WITHOUT_MANAGER)) == (LEAD[name], "standaard")
    assert graph.nodes[LEAD[name]].owner.group in graph.groups


@pytest.mark.parametrize("name", REAL_FILES)
@pytest.mark.parametrize("reporter", [PARTNER, STAFF_WITH_MANAGER, STAFF_WITHOUT_MANAGER])
def test_acute_takes_the_fast_lane_first_match_wins(name: str, reporter: dict[str, Any]) -> None:
    graph = real(name)

    assert graph.entry_node(facts(urgency="acute", **reporter)) == (
        FAST_LANE[name],
        "Acuut, bestaanszekerheid in gevaar",
    )
    assert graph.entry_node(facts(urgency="high", **reporter))[0] != FAST_LANE[name]


@pytest.mark.parametrize("name", REAL_FILES)
def test_partner_with_a_line_manager_still_comes_in_at_the_partner_entry(name: str) -> None:
    graph = real(name)

    entry = graph.entry_node(facts(organisation_kind="partner", has_line_manager=True))
    assert entry == PARTNER_ENTRY[name]


def test_list_condition_matches_any_listed_value(tmp_path: Path) -> None:
    config = base_config()
    config["entry"]["rules"].insert(
        0,
        {
            "name": "Bestaanszekerheid",
            "when": {"impact": ["eviction", "homelessness"], "urgency": ["high", "acute"]},
            "to": "beleid",
        },
    )
    graph = load(tmp_path, config)

    assert graph.entry_node(facts(impact=["debts", "eviction"], urgency="high")) == (
        "beleid",
        "Bestaanszekerheid",
    )
    assert graph.entry_node(facts(impact=["homelessness"], urgency="acute"))[0] == "beleid"
    assert graph.entry_node(facts(impact=["debts"], urgency="acute"))[0] == "teamleider"
    assert graph.entry_node(facts(impact=[], urgency="acute"))[0] == "teamleider"
    assert graph.entry_node(facts(impact=None, urgency="acute"))[0] == "teamleider"
    assert graph.entry_node(facts(impact=["eviction"], urgency="normal"))[0] == "teamleider"
    assert graph.entry_node(facts(impact=["eviction"], urgency=None))[0] == "teamleider"


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("teamleider", "beleid", True),
        ("teamleider", "ombudsman", True),
        ("ombudsman", "beleid", True),  # the ombudsman as a source of signals (Les 7)
        ("kot_casuistiek", "stedelijk_overleg", True),
        ("stedelijk_overleg", "landelijk", True),  # on to the VNG-overleggen (H6.2)
        ("casuistiek", "teamleider", True),  # a back edge
        ("beleid", "kwestietafel", True),  # a back edge
        ("teamleider", "landelijk", False),
        ("teamleider", "bestuur", False),
        ("beleid", "teamleider", False),  # the reverse of a forward edge
        ("landelijk", "beleid", False),  # an end point
        ("teamleider", "teamleider", False),
        ("teamleider", "onbekend", False),
    ],
)
def test_amsterdam_may_forward_follows_edges_only(source: str, target: str, allowed: bool) -> None:
    assert real("amsterdam").may_forward(source, target) is allowed


@pytest.mark.parametrize("name", REAL_FILES)
def test_may_forward_is_exactly_the_edge_list(name: str) -> None:
    graph = real(name)
    edges = {(edge.source, edge.target) for edge in graph.edges}

    for source in graph.nodes:
        for target in graph.nodes:
            assert graph.may_forward(source, target) == ((source, target) in edges)


# --- (d) the CLI and the app factory ----------------------------------------------------------


def run_check(*files: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROJECT / ".venv" / "bin" / "signals"), "routes", "check", *map(str, files)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_check_accepts_the_real_files() -> None:
    result = run_check(*(f"routes_config/{name}.yaml" for name in REAL_FILES))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "3 routebestanden in orde: amsterdam.yaml, almere.yaml, utrecht.yaml"
    )
    assert result.stderr == ""


def test_cli_check_without_files_checks_routes_config() -> None:
    result = run_check()

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "3 routebestanden in orde: almere.yaml, amsterdam.yaml, utrecht.yaml"
    )


def amsterdam_with_typo(tmp_path: Path) -> Path:
    text = (ROUTES / "amsterdam.yaml").read_text()
    assert text.count("escalate_on_overdue: afstemming") == 1
    path = tmp_path / "amsterdam.yaml"
    path.write_text(text.replace("escalate_on_overdue: afstemming", "escalate_on_overdue: beleidd"))
    return path


def test_cli_check_reports_a_typo_and_exits_1(tmp_path: Path) -> None:
    typo = amsterdam_with_typo(tmp_path)

    result = run_check(ROUTES / "utrecht.yaml", typo)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "amsterdam.yaml: nodes.beleid.escalate_on_overdue: unknown node 'beleidd'"
    ]
    assert result.stdout == ""


def test_app_refuses_to_start_on_an_invalid_route_file(app: Flask, tmp_path: Path) -> None:
    typo = amsterdam_with_typo(tmp_path)

    with pytest.raises(RuntimeError) as caught:
        make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], ROUTES=str(typo))

    message = str(caught.value)
    assert "The route file is invalid" in message
    assert "amsterdam.yaml: nodes.beleid.escalate_on_overdue: unknown node 'beleidd'" in message
    assert isinstance(caught.value.__cause__, RouteConfigError)


# Inputs that once escaped as other exceptions or passed silently ---------------------------


def test_deeply_nested_yaml_is_a_route_error_not_a_crash() -> None:
    from signals.routing.loader import parse_route_config

    with pytest.raises(RouteConfigError) as caught:
        parse_route_config("[" * 1000, "deep.yaml")
    assert caught.value.problems == ["deep.yaml: yaml: nested too deeply"]


def test_a_file_with_too_many_nodes_is_refused(tmp_path: Path) -> None:
    def many(config: dict[str, Any]) -> None:
        for index in range(200):
            config["nodes"][f"extra_{index}"] = dict(config["nodes"]["bestuur"])

    assert problems(tmp_path, many) == ["town.yaml: nodes: define between 1 and 200 nodes"]


def test_a_closed_day_with_a_time_is_refused(tmp_path: Path) -> None:
    def closed(config: dict[str, Any]) -> None:
        config["calendar"] = {"closed_days": ["2026-12-24", "2025-12-24 10:00:00"]}

    path = tmp_path / "town.yaml"
    config = base_config()
    closed(config)
    # written by hand: safe_dump would quote the timestamp as a string
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    path.write_text(text.replace("'2025-12-24 10:00:00'", "2025-12-24 10:00:00"))
    with pytest.raises(RouteConfigError) as caught:
        load_route_file(path)
    assert caught.value.problems == [
        "town.yaml: calendar.closed_days.1: a day without a time, e.g. 2026-12-24"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update(version=1.9), "town.yaml: version: Not a valid integer."),
        (
            lambda c: c["nodes"]["beleid"]["clocks"].update(feedback_within=2.7),
            "town.yaml: nodes.beleid.clocks.feedback_within: Not a valid integer.",
        ),
    ],
)
def test_numbers_with_decimals_are_refused_not_cut_off(
    tmp_path: Path, change: Callable[[dict[str, Any]], object], expected: str
) -> None:
    assert problems(tmp_path, change) == [expected]


def test_a_key_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    def newline(config: dict[str, Any]) -> None:
        config["groups"]["beleid\n"] = "Beleid"

    assert any("must be lower_snake_case" in line for line in problems(tmp_path, newline))


def test_a_node_cannot_escalate_to_itself(tmp_path: Path) -> None:
    def itself(config: dict[str, Any]) -> None:
        config["nodes"]["ombudsman"]["escalate_on_overdue"] = "ombudsman"

    assert problems(tmp_path, itself) == [
        "town.yaml: nodes.ombudsman.escalate_on_overdue: a node cannot escalate to itself"
    ]
