"""Property tests of the route-file loader: valid configs load as given, broken ones are refused.

Whatever the input, ``parse_route_config`` either returns a graph or raises
:class:`RouteConfigError` whose every problem names the file; no other exception escapes.
"""

import hashlib
import operator
import string
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from signals import codes
from signals.routing.graph import Edge, NodeKind, OwnerType, RouteGraph
from signals.routing.loader import CLOCK_NAMES, RouteConfigError, parse_route_config
from signals.routing.schemas import CONDITION_CODES

SOURCE = "gen.yaml"
BOUNDED = settings(max_examples=60, deadline=None)
# Six mutation kinds share the budget of one property, so that all of them stay under ~20 s.
PER_MUTATION = settings(BOUNDED, max_examples=15)
# Damaging a valid file is a bonus on top of the arbitrary-input properties.
HALF = settings(BOUNDED, max_examples=30)

PathTo = tuple[Any, ...]  # keys and indexes from the top of a config

KEY_TAIL = st.text(alphabet=string.ascii_lowercase + string.digits + "_", max_size=7)
NODE_KEYS = st.builds(operator.add, st.sampled_from(string.ascii_lowercase), KEY_TAIL)
GROUP_KEYS = st.builds(operator.add, st.just("g"), KEY_TAIL)  # lower_snake_case, as node keys
TEXT = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "Zs"), max_codepoint=0x2FFF),
    min_size=1,
    max_size=12,
)
CLOCK_VALUES = st.integers(min_value=1, max_value=250)
ORGANISATION_KINDS = sorted(codes.ORGANISATION_KINDS)


def dump(config: Any) -> str:
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def parse(config: Any) -> RouteGraph:
    return parse_route_config(dump(config), SOURCE)


# --- a strategy for valid route configs -------------------------------------------------------


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(
        st.lists(
            st.sampled_from([*CONDITION_CODES, "has_line_manager"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    when: dict[str, Any] = {}
    for name in names:
        if name == "has_line_manager":
            when[name] = draw(st.booleans())
        else:
            when[name] = draw(
                st.lists(
                    st.sampled_from(sorted(CONDITION_CODES[name])),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            )
    return when


def edge_entry(draw: st.DrawFn, target: str) -> Any:
    """A forward edge in one of its three spellings."""
    return draw(st.sampled_from([target, {"to": target}, {"to": target, "back": False}]))


@st.composite
def valid_configs(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=1, max_value=10))
    keys = draw(st.lists(NODE_KEYS, min_size=count, max_size=count, unique=True))
    group_keys = draw(st.lists(GROUP_KEYS, min_size=1, max_size=4, unique=True))
    default_clocks = {name: draw(CLOCK_VALUES) for name in CLOCK_NAMES if draw(st.booleans())}

    nodes: dict[str, dict[str, Any]] = {}
    for key in keys:
        kind = draw(st.sampled_from([kind.value for kind in NodeKind]))
        owner_type = draw(st.sampled_from([owner.value for owner in OwnerType]))
        group = draw(st.sampled_from(group_keys))
        node: dict[str, Any] = {
            "label": draw(TEXT),
            "kind": kind,
            "description": draw(TEXT),
            "owner": (
                {"type": owner_type, "group": group}
                if owner_type == OwnerType.GROUP
                else {"type": owner_type, "fallback_group": group}
            ),
        }
        clocks = {
            name: draw(CLOCK_VALUES)
            for name in CLOCK_NAMES
            if name not in default_clocks or draw(st.booleans())
        }
        if bool(clocks) or draw(st.booleans()):
            node["clocks"] = clocks
        if draw(st.booleans()):
            node["examples"] = draw(st.lists(TEXT, max_size=2))
        if draw(st.integers(0, 3)) == 0:
            node["direct_entry"] = draw(
                st.lists(st.sampled_from(ORGANISATION_KINDS), min_size=1, unique=True)
            )
        if draw(st.booleans()):
            node["shows_reporter"] = draw(st.booleans())
        if kind == NodeKind.OMBUDS:
            node["independent"] = True
        elif draw(st.integers(0, 4)) == 0:
            node["independent"] = False
        if draw(st.integers(0, 3)) == 0:
            node["cadence"] = {
                "every": draw(st.integers(1, 52)),
                "unit": draw(st.sampled_from(["week", "month"])),
            }
        nodes[key] = node

    rules = [
        {"name": draw(TEXT), "when": draw(conditions()), "to": draw(st.sampled_from(keys))}
        for _ in range(draw(st.integers(0, 3)))
    ]
    default = draw(st.sampled_from(keys))
    entry_points = {default, *(rule["to"] for rule in rules)}
    entry_points |= {key for key, node in nodes.items() if node.get("direct_entry")}
    if keys[0] not in entry_points:
        rules.append({"name": "Start", "when": {"urgency": ["normal"]}, "to": keys[0]})

    # Forward edges run from a lower to a higher index, so they never form a cycle; every node
    # that is not an entry point gets a predecessor, which by induction is reachable.
    forward: dict[int, set[int]] = {index: set() for index in range(count)}
    for index in range(1, count):
        if keys[index] not in entry_points or draw(st.booleans()):
            forward[draw(st.integers(0, index - 1))].add(index)
        for source in draw(st.lists(st.integers(0, index - 1), max_size=2)):
            forward[source].add(index)
    back: dict[int, set[int]] = {index: set() for index in range(count)}
    if count > 1:
        for _ in range(draw(st.integers(0, 3))):
            source = draw(st.integers(1, count - 1))
            back[source].add(draw(st.integers(0, source - 1)))

    edges: dict[str, list[Any]] = {}
    for index in range(count):
        targets: list[Any] = [edge_entry(draw, keys[target]) for target in sorted(forward[index])]
        targets += [{"to": keys[target], "back": True} for target in sorted(back[index])]
        if targets:
            edges[keys[index]] = draw(st.permutations(targets))

    ombuds = [key for key, node in nodes.items() if node["kind"] == NodeKind.OMBUDS]
    for index, key in enumerate(keys):
        choices = [keys[target] for target in forward[index] | back[index]]
        choices += [other for other in ombuds if other != key]
        if bool(choices) and draw(st.booleans()):
            nodes[key]["escalate_on_overdue"] = draw(st.sampled_from(sorted(choices)))

    config: dict[str, Any] = {"version": 1, "municipality": draw(TEXT)}
    if draw(st.booleans()):
        config["calendar"] = {"closed_days": draw(st.lists(st.dates(), max_size=3))}
    if bool(default_clocks) or draw(st.booleans()):
        config["defaults"] = {"clocks": default_clocks}
    config["groups"] = {group: draw(TEXT) for group in group_keys}
    config["nodes"] = nodes
    config["entry"] = {"rules": rules, "default": default}
    if bool(edges) or draw(st.booleans()):
        config["edges"] = edges
    return config


def edge_target(entry: Any) -> str:
    return entry if isinstance(entry, str) else entry["to"]


def is_back(entry: Any) -> bool:
    return isinstance(entry, dict) and entry.get("back", False)


def reachable(graph: RouteGraph) -> set[str]:
    reached = set(graph.entry_points())
    queue = list(reached)
    while queue:
        for target in graph.next_nodes(queue.pop()):
            if target not in reached:
                reached.add(target)
                queue.append(target)
    return reached


@BOUNDED
@given(valid_configs())
def test_valid_configs_load_as_given(config: dict[str, Any]) -> None:
    text = dump(config)
    graph = parse_route_config(text, SOURCE)

    assert graph.municipality == config["municipality"]
    assert graph.version == hashlib.sha256(text.encode()).hexdigest()[:12]
    assert dict(graph.groups) == config["groups"]
    assert list(graph.nodes) == list(config["nodes"])
    defaults = config.get("defaults", {}).get("clocks", {})
    for key, spec in config["nodes"].items():
        node = graph.nodes[key]
        assert node.key == key
        assert (node.label, node.description) == (spec["label"], spec["description"])
        assert node.kind == spec["kind"]
        assert node.examples == tuple(spec.get("examples", ()))
        owner = spec["owner"]
        assert node.owner.type == owner["type"]
        assert node.owner.group == owner.get("group", owner.get("fallback_group"))
        clocks = spec.get("clocks", {})
        for name in CLOCK_NAMES:
            assert getattr(node.clocks, name) == clocks.get(name, defaults.get(name))
        assert node.escalate_on_overdue == spec.get("escalate_on_overdue")
        assert node.direct_entry == frozenset(spec.get("direct_entry", ()))
        assert node.shows_reporter == spec.get("shows_reporter", True)
        assert node.independent == (spec["kind"] == NodeKind.OMBUDS)
        cadence = spec.get("cadence")
        assert (node.cadence and (node.cadence.every, node.cadence.unit)) == (
            cadence and (cadence["every"], cadence["unit"])
        )

    edges = config.get("edges", {})
    expected_edges = [
        Edge(source, edge_target(entry), is_back(entry))
        for source, targets in edges.items()
        for entry in targets
    ]
    assert list(graph.edges) == expected_edges
    for key in config["nodes"]:
        targets = edges.get(key, [])
        assert graph.next_nodes(key) == tuple(edge_target(entry) for entry in targets)

    assert graph.default == config["entry"]["default"]
    rules = config["entry"]["rules"]
    assert [(rule.name, rule.to) for rule in graph.rules] == [
        (rule["name"], rule["to"]) for rule in rules
    ]
    for rule, spec in zip(graph.rules, rules, strict=True):
        assert dict(rule.when) == {
            name: frozenset(value if isinstance(value, list) else [value])
            for name, value in spec["when"].items()
        }
    closed = config.get("calendar", {}).get("closed_days", [])
    assert graph.closed_days == {day.isoformat() for day in closed}
    assert reachable(graph) == set(graph.nodes)


def test_the_strategy_is_not_degenerate() -> None:
    """Valid configs include back edges, every owner type, ombuds nodes and escalations."""
    seen: set[str] = set()

    @settings(max_examples=30, deadline=None, database=None, derandomize=True)
    @given(valid_configs())
    def sample(config: dict[str, Any]) -> None:
        for targets in config.get("edges", {}).values():
            seen.update("back" for entry in targets if is_back(entry))
        for node in config["nodes"].values():
            seen.update((node["kind"], node["owner"]["type"]))
            if "escalate_on_overdue" in node:
                seen.add("escalation")
        seen.add("one node" if len(config["nodes"]) == 1 else "")
        seen.add("many nodes" if len(config["nodes"]) >= 8 else "")

    sample()
    assert {"back", "ombuds", "escalation", "one node", "many nodes"} <= seen
    assert {owner.value for owner in OwnerType} <= seen


# --- mutations of valid configs: each one must be refused -------------------------------------
#
# A mutation edits a valid config in place and returns a check of the problems, or None when
# it is enough that the config is refused with every problem naming the file.

Check = Callable[[list[str]], object] | None


def get_in(data: Any, path: PathTo) -> Any:
    for step in path:
        data = data[step]
    return data


def put_in(data: Any, path: PathTo, value: Any) -> None:
    get_in(data, path[:-1])[path[-1]] = value


def walk(data: Any, path: PathTo = ()) -> Iterator[tuple[PathTo, Any]]:
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, (*path, index))


def required_paths(config: dict[str, Any]) -> list[PathTo]:
    """Keys whose removal must make the config invalid."""
    paths: list[PathTo] = [("version",), ("municipality",), ("nodes",), ("entry",)]
    paths.append(("entry", "default"))
    defaults = config.get("defaults", {}).get("clocks", {})
    for key, node in config["nodes"].items():
        paths += [("nodes", key, name) for name in ("label", "kind", "description", "owner")]
        paths += [("nodes", key, "owner", name) for name in node["owner"]]
        if node["kind"] == NodeKind.OMBUDS:
            paths.append(("nodes", key, "independent"))
        clocks = node.get("clocks", {})
        paths += [("nodes", key, "clocks", name) for name in clocks if name not in defaults]
        paths += [("nodes", key, "cadence", name) for name in node.get("cadence") or {}]
    for name in defaults:
        if any(name not in node.get("clocks", {}) for node in config["nodes"].values()):
            paths.append(("defaults", "clocks", name))
    for index in range(len(config["entry"]["rules"])):
        paths += [("entry", "rules", index, name) for name in ("name", "when", "to")]
    return paths


def drop_a_required_key(config: dict[str, Any], data: st.DataObject) -> Check:
    path = data.draw(st.sampled_from(required_paths(config)), label="drop")
    del get_in(config, path[:-1])[path[-1]]
    return None


def reference_sites(config: dict[str, Any]) -> list[PathTo]:
    """Every place a node key is referred to; ("edges", source) stands for the edge source."""
    rules = config["entry"]["rules"]
    sites: list[PathTo] = [("entry", "default")]
    sites += [("entry", "rules", index, "to") for index in range(len(rules))]
    for key, node in config["nodes"].items():
        if "escalate_on_overdue" in node:
            sites.append(("nodes", key, "escalate_on_overdue"))
    for source, targets in config.get("edges", {}).items():
        sites.append(("edges", source))
        for index, entry in enumerate(targets):
            sites.append(
                ("edges", source, index)
                if isinstance(entry, str)
                else ("edges", source, index, "to")
            )
    return sites


def rename_a_reference(config: dict[str, Any], data: st.DataObject) -> Check:
    path = data.draw(st.sampled_from(reference_sites(config)), label="rename")
    old = path[-1] if len(path) == 2 and path[0] == "edges" else get_in(config, path)
    new = old + "x"
    while new in config["nodes"]:
        new += "x"
    if len(path) == 2 and path[0] == "edges":
        config["edges"] = {
            new if key == old else key: value for key, value in config["edges"].items()
        }
    else:
        put_in(config, path, new)

    def check(problems: list[str]) -> None:
        assert any(problem.endswith(f": unknown node {new!r}") for problem in problems)

    return check


def use_an_undeclared_group(config: dict[str, Any], data: st.DataObject) -> Check:
    key = data.draw(st.sampled_from(sorted(config["nodes"])), label="node")
    owner = config["nodes"][key]["owner"]
    field = "group" if owner["type"] == OwnerType.GROUP else "fallback_group"
    owner[field] = "undeclared_group"

    def check(problems: list[str]) -> None:
        assert problems == [
            f"{SOURCE}: nodes.{key}.owner.{field}: unknown group 'undeclared_group' "
            "(declare it under groups)"
        ]

    return check


CYCLE_HINT = (
    "is not allowed; mark the edge that goes back with 'back: true' if the way back is intended"
)


def close_a_cycle(config: dict[str, Any], data: st.DataObject) -> Check:
    edges = config.setdefault("edges", {})
    forward = [
        (source, edge_target(entry))
        for source, targets in edges.items()
        for entry in targets
        if not is_back(entry)
    ]
    if not forward:  # one node or no edges: a self-edge is the smallest cycle
        key = data.draw(st.sampled_from(sorted(config["nodes"])), label="node")
        targets = edges.setdefault(key, [])
        targets.append(key)
        message = f"{SOURCE}: edges.{key}.{len(targets) - 1}: a node cannot forward to itself"

        def check_self(problems: list[str]) -> None:
            assert problems == [message]

        return check_self

    source, target = data.draw(st.sampled_from(forward), label="forward edge")
    targets = edges.setdefault(target, [])
    way_back = [index for index, entry in enumerate(targets) if edge_target(entry) == source]
    if way_back:  # the way back already exists as a back edge: drop its back mark
        targets[way_back[0]] = source
    else:
        targets.append(data.draw(st.sampled_from([source, {"to": source, "back": False}])))

    def check(problems: list[str]) -> None:
        assert len(problems) == 1
        assert problems[0].startswith(f"{SOURCE}: edges: cycle ")
        assert problems[0].endswith(CYCLE_HINT)

    return check


def insert_an_unknown_key(config: dict[str, Any], data: st.DataObject) -> Check:
    mappings = [path for path, value in walk(config) if isinstance(value, dict)]
    path = data.draw(st.sampled_from(mappings), label="mapping")
    # Under groups (a free mapping) a valid key with a label is a new group, not a mistake.
    names = ["Unknown-Key"] if path == ("groups",) else ["Unknown-Key", "colour", "labels"]
    name = data.draw(st.sampled_from(names), label="key")
    get_in(config, path)[name] = data.draw(st.sampled_from([1, "x", None, [1], {"a": 1}]))
    return None


def wrong_type(value: Any) -> st.SearchStrategy[Any]:
    containers = st.sampled_from([[value], {"value": value}])
    if isinstance(value, bool):
        return st.sampled_from(["misschien", 2, 0.5]) | containers
    if isinstance(value, int):
        return st.sampled_from(["zeven", True, ""]) | containers  # 2.5 would be truncated
    if isinstance(value, str):
        return st.sampled_from([7, True, 1.5]) | containers
    return st.sampled_from(["geen datum", 7, True]) | containers  # a closed day


def give_a_scalar_the_wrong_type(config: dict[str, Any], data: st.DataObject) -> Check:
    scalars = [path for path, value in walk(config) if path and not isinstance(value, dict | list)]
    path = data.draw(st.sampled_from(scalars), label="scalar")
    put_in(config, path, data.draw(wrong_type(get_in(config, path)), label="wrong value"))
    return None


MUTATIONS = [
    drop_a_required_key,
    rename_a_reference,
    use_an_undeclared_group,
    close_a_cycle,
    insert_an_unknown_key,
    give_a_scalar_the_wrong_type,
]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda mutate: mutate.__name__)
@PER_MUTATION
@given(config=valid_configs(), data=st.data())
def test_a_broken_config_is_refused_with_problems_that_name_the_file(
    mutate: Callable[[dict[str, Any], st.DataObject], Check],
    config: dict[str, Any],
    data: st.DataObject,
) -> None:
    check = mutate(config, data)

    try:
        parse(config)
    except RouteConfigError as error:
        assert error.problems
        assert all(problem.startswith(f"{SOURCE}: ") for problem in error.problems), error
        if check is not None:
            check(error.problems)
    else:
        raise AssertionError(f"{mutate.__name__}: accepted\n{dump(config)}")


# --- arbitrary input: a graph or RouteConfigError, never another exception --------------------

TOP_KEYS = ["version", "municipality", "calendar", "defaults", "groups", "nodes", "entry", "edges"]
INNER_KEYS = [
    *("clocks", "closed_days", "label", "kind", "description", "owner", "type", "group"),
    *("fallback_group", "rules", "default", "when", "to", "back", "name", "urgency"),
    *("has_line_manager", "escalate_on_overdue", "direct_entry", "independent", "cadence"),
    *("every", "unit", "accept_within"),
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["lead", "ombuds", "group", "line_manager", "acute", "partner", "week"])
    | st.dates()
)
YAMLISH = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(INNER_KEYS + TOP_KEYS) | st.text(max_size=8), children, max_size=4
        )
    ),
    max_leaves=30,
)


def parses_or_refuses(content: str | bytes) -> None:
    try:
        graph = parse_route_config(content, SOURCE)
    except RouteConfigError as error:
        assert error.problems
        assert all(problem.startswith(f"{SOURCE}: ") for problem in error.problems), error
    else:
        assert isinstance(graph, RouteGraph)


@BOUNDED
@given(YAMLISH)
def test_arbitrary_yaml_data_loads_or_is_refused(data: Any) -> None:
    parses_or_refuses(dump(data))


@BOUNDED
@given(st.fixed_dictionaries({}, optional=dict.fromkeys(TOP_KEYS, YAMLISH)))
def test_arbitrary_settings_load_or_are_refused(data: dict[str, Any]) -> None:
    parses_or_refuses(dump(data))


@HALF
@given(valid_configs(), st.booleans(), st.data())
def test_a_damaged_valid_config_loads_or_is_refused(
    config: dict[str, Any], splice: bool, data: st.DataObject
) -> None:
    """A random subtree replaced by arbitrary data, or random bytes spliced into the text."""
    if splice:
        content = dump(config).encode()
        at = data.draw(st.integers(0, len(content)), label="at")
        noise = data.draw(st.binary(min_size=1, max_size=8), label="noise")
        parses_or_refuses(content[:at] + noise + content[at:])
    else:
        paths = [path for path, _value in walk(config) if path]
        put_in(config, data.draw(st.sampled_from(paths), label="path"), data.draw(YAMLISH))
        parses_or_refuses(dump(config))


@BOUNDED
@given(st.text(max_size=200))
def test_arbitrary_text_loads_or_is_refused(content: str) -> None:
    parses_or_refuses(content)


@BOUNDED
@given(st.binary(max_size=200))
def test_arbitrary_bytes_load_or_are_refused(content: bytes) -> None:
    parses_or_refuses(content)
