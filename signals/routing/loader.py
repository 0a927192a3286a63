"""Loading route files: YAML → shape check → graph checks → :class:`RouteGraph`.

Every problem is reported as ``file: key.path: message`` so an administrator can find it;
a file with problems never yields a graph. The strict check (``signals routes check
--strict``) also asks every node and edge to name where the source report says so.
"""

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from signals.routing.graph import (
    Cadence,
    Clocks,
    Edge,
    EntryRule,
    Node,
    NodeKind,
    OwnerSpec,
    OwnerType,
    Provenance,
    RouteGraph,
)
from signals.routing.schemas import RouteFileSchema

CLOCK_NAMES = ("accept_within", "feedback_within", "update_every")
NO_SOURCE = "no source (--strict: every node and edge names where the report says it)"


class RouteConfigError(Exception):
    """A route file cannot be used; ``problems`` holds one ``file: path: message`` per issue."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_route_file(path: str | Path) -> RouteGraph:
    """Read and validate one route file."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise RouteConfigError([f"{path.name}: cannot read the file: {error.strerror}"]) from error
    return parse_route_config(content, path.name)


def check_route_files(paths: Iterable[str | Path], strict: bool = False) -> list[str]:
    """Every problem in the given files (empty when all are valid).

    ``strict``: a valid file must also give a ``source`` on every node and every edge.
    """
    problems: list[str] = []
    for path in paths:
        try:
            graph = load_route_file(path)
        except RouteConfigError as error:
            problems.extend(error.problems)
            continue
        if strict:
            name = Path(path).name
            problems.extend(f"{name}: {where}: {NO_SOURCE}" for where in unsourced(graph))
    return problems


def unsourced(graph: RouteGraph) -> list[str]:
    """Where ``graph`` names no report reference: ``nodes.<key>`` and ``edges.<key>.<index>``."""
    missing = [
        f"nodes.{key}" for key, node in graph.nodes.items() if not node.provenance.references
    ]
    index: dict[str, int] = {}
    for edge in graph.edges:
        position = index.get(edge.source, 0)
        index[edge.source] = position + 1
        if not edge.provenance.references:
            missing.append(f"edges.{edge.source}.{position}")
    return missing


def parse_route_config(content: bytes | str, source: str) -> RouteGraph:
    """Validate route-file ``content`` (named ``source`` in messages) and build its graph."""
    raw = content.encode() if isinstance(content, str) else content
    try:
        data = yaml.safe_load(raw)
    except RecursionError as error:
        raise RouteConfigError([f"{source}: yaml: nested too deeply"]) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "yaml"
        problem = getattr(error, "problem", None) or str(error)
        raise RouteConfigError([f"{source}: {where}: {problem}"]) from error
    if not isinstance(data, Mapping):
        raise RouteConfigError([f"{source}: (top): expected a mapping of settings"])
    try:
        loaded: dict[str, Any] = RouteFileSchema().load(data)
    except ValidationError as error:
        raise RouteConfigError(
            [f"{source}: {path}: {message}" for path, message in _flatten(error.messages)]
        ) from error
    problems = _GraphCheck(loaded).run()
    if problems:
        raise RouteConfigError([f"{source}: {path}: {message}" for path, message in problems])
    return _build(loaded, hashlib.sha256(raw).hexdigest()[:12])


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Marshmallow's nested errors as ``(key.path, message)``; dict fields' wrappers dropped."""
    if isinstance(messages, str):
        return [(prefix or "(top)", messages)]
    if isinstance(messages, list):
        return [pair for item in messages for pair in _flatten(item, prefix)]
    pairs: list[tuple[str, str]] = []
    for key, value in messages.items():
        if key == "value":  # the value side of a Dict field: the path is the key above it
            pairs.extend(_flatten(value, prefix))
            continue
        if key == "key":  # the key side of a Dict field
            pairs.extend(
                (path, f"invalid key: {message}") for path, message in _flatten(value, prefix)
            )
            continue
        path = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
        pairs.extend(_flatten(value, path))
    return pairs


class _GraphCheck:
    """Cross-references, clocks, reachability and cycles of a shape-checked route file."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.nodes: dict[str, Any] = data["nodes"]
        self.problems: list[tuple[str, str]] = []

    def run(self) -> list[tuple[str, str]]:
        self._check_owners()
        self._check_clocks()
        self._check_kinds()
        self._check_entry()
        edges_ok = self._check_edges()
        self._check_escalations()
        if edges_ok and not self.problems:
            self._check_reachable()
            self._check_cycles()
        return self.problems

    def _problem(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def _node_ref(self, path: str, key: Any) -> bool:
        if key not in self.nodes:
            self._problem(path, f"unknown node {key!r}")
            return False
        return True

    def _check_owners(self) -> None:
        groups = self.data["groups"]
        for key, node in self.nodes.items():
            owner = node["owner"]
            field = "group" if owner["type"] == OwnerType.GROUP else "fallback_group"
            if owner[field] not in groups:
                self._problem(
                    f"nodes.{key}.owner.{field}",
                    f"unknown group {owner[field]!r} (declare it under groups)",
                )

    def _check_clocks(self) -> None:
        defaults = self.data["defaults"].get("clocks", {})
        for key, node in self.nodes.items():
            for name in CLOCK_NAMES:
                if name not in node["clocks"] and name not in defaults:
                    self._problem(
                        f"nodes.{key}.clocks.{name}",
                        "no value here and no default under defaults.clocks",
                    )

    def _check_kinds(self) -> None:
        for key, node in self.nodes.items():
            is_ombuds = node["kind"] == NodeKind.OMBUDS
            if is_ombuds and not node["independent"]:
                self._problem(
                    f"nodes.{key}.independent", "an ombuds node must be independent: true"
                )
            if node["independent"] and not is_ombuds:
                self._problem(f"nodes.{key}.independent", "only ombuds nodes are independent")

    def _check_entry(self) -> None:
        entry = self.data["entry"]
        for index, rule in enumerate(entry["rules"]):
            self._node_ref(f"entry.rules.{index}.to", rule["to"])
        self._node_ref("entry.default", entry["default"])

    def _check_edges(self) -> bool:
        ok = True
        for source, targets in self.data["edges"].items():
            if not self._node_ref(f"edges.{source}", source):
                ok = False
                continue
            seen: set[str] = set()
            for index, edge in enumerate(targets):
                target = edge["to"]
                if not self._node_ref(f"edges.{source}.{index}", target):
                    ok = False
                elif target == source:
                    self._problem(f"edges.{source}.{index}", "a node cannot forward to itself")
                    ok = False
                elif target in seen:
                    self._problem(f"edges.{source}.{index}", f"duplicate edge to {target!r}")
                seen.add(target)
        return ok

    def _targets(self, source: str, include_back: bool = True) -> list[str]:
        return [
            edge["to"]
            for edge in self.data["edges"].get(source, [])
            if include_back or not edge["back"]
        ]

    def _check_escalations(self) -> None:
        for key, node in self.nodes.items():
            target = node["escalate_on_overdue"]
            path = f"nodes.{key}.escalate_on_overdue"
            if target is None or not self._node_ref(path, target):
                continue
            if target == key:
                self._problem(path, "a node cannot escalate to itself")
                continue
            is_ombuds = self.nodes[target]["kind"] == NodeKind.OMBUDS
            if target not in self._targets(key) and not is_ombuds:
                self._problem(
                    path, f"{target!r} is not an edge of {key!r} (add it under edges.{key})"
                )

    def _check_reachable(self) -> None:
        entry = self.data["entry"]
        start = {rule["to"] for rule in entry["rules"]} | {entry["default"]}
        start |= {key for key, node in self.nodes.items() if node["direct_entry"]}
        reached = set(start)
        queue = list(start)
        while queue:
            for target in self._targets(queue.pop()):
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
        for key in self.nodes:
            if key not in reached:
                self._problem(
                    f"nodes.{key}", "unreachable: no entry rule, direct entry or edge leads here"
                )

    def _check_cycles(self) -> None:
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        path: list[str] = []

        def visit(key: str) -> bool:
            state[key] = 1
            path.append(key)
            for target in self._targets(key, include_back=False):
                if state.get(target) == 1:
                    loop = path[path.index(target) :] + [target]
                    self._problem(
                        "edges",
                        f"cycle {' -> '.join(loop)} is not allowed; mark the edge that goes back "
                        "with 'back: true' if the way back is intended",
                    )
                    return True
                if target not in state and visit(target):
                    return True
            path.pop()
            state[key] = 2
            return False

        for key in self.nodes:
            if key not in state and visit(key):
                return


def _build(data: dict[str, Any], version: str) -> RouteGraph:
    defaults = data["defaults"].get("clocks", {})
    nodes = {key: _node(key, spec, defaults) for key, spec in data["nodes"].items()}
    rules = tuple(
        EntryRule(
            name=rule["name"],
            to=rule["to"],
            when={
                name: frozenset(value if isinstance(value, list) else [value])
                for name, value in rule["when"].items()
            },
        )
        for rule in data["entry"]["rules"]
    )
    edges = tuple(
        Edge(source=source, target=edge["to"], back=edge["back"], provenance=_provenance(edge))
        for source, targets in data["edges"].items()
        for edge in targets
    )
    return RouteGraph(
        municipality=data["municipality"],
        version=version,
        groups=dict(data["groups"]),
        nodes=nodes,
        rules=rules,
        default=data["entry"]["default"],
        edges=edges,
        closed_days=frozenset(day.isoformat() for day in data["calendar"].get("closed_days", [])),
    )


def _node(key: str, spec: dict[str, Any], defaults: Mapping[str, int]) -> Node:
    owner = spec["owner"]
    clocks = {name: spec["clocks"].get(name, defaults.get(name)) for name in CLOCK_NAMES}
    cadence = spec["cadence"]
    return Node(
        key=key,
        label=spec["label"],
        kind=NodeKind(spec["kind"]),
        description=spec["description"],
        examples=tuple(spec["examples"]),
        owner=OwnerSpec(
            type=OwnerType(owner["type"]), group=owner.get("group") or owner["fallback_group"]
        ),
        clocks=Clocks(**clocks),
        escalate_on_overdue=spec["escalate_on_overdue"],
        direct_entry=frozenset(spec["direct_entry"]),
        shows_reporter=spec["shows_reporter"],
        independent=spec["independent"],
        cadence=Cadence(**cadence) if cadence else None,
        provenance=_provenance(spec),
    )


def _provenance(spec: Mapping[str, Any]) -> Provenance:
    """The ``source``, ``note`` and ``inferred`` of a shape-checked node or edge."""
    return Provenance(
        references=tuple(spec["source"]), note=spec["note"], inferred=spec["inferred"]
    )
