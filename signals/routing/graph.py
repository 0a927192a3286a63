"""The route graph as plain immutable data: nodes, owners, clocks, entry rules and edges.

Nothing here knows Flask or SQLAlchemy: the loader builds a :class:`RouteGraph` from a YAML
file, services ask it where a signal enters and where it may go next.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from signals.wording import every


class NodeKind(StrEnum):
    """What sort of place in the route a node is."""

    LEAD = "lead"
    CASUISTIEK = "casuistiek"
    SPECIAL_TEAM = "special_team"
    BELEID = "beleid"
    JURIDISCH = "juridisch"
    KLACHTEN = "klachten"
    OMBUDS = "ombuds"
    BESTUUR = "bestuur"
    LANDELIJK = "landelijk"


NODE_KIND_LABELS: Mapping[str, str] = {
    "lead": "Leidinggevende",
    "casuistiek": "Casuïstiekbespreking",
    "special_team": "Speciaal team",
    "beleid": "Beleid",
    "juridisch": "Juridisch",
    "klachten": "Klachten",
    "ombuds": "Ombudsvoorziening",
    "bestuur": "Bestuur",
    "landelijk": "Landelijk",
}


class OwnerType(StrEnum):
    """How a node finds its owner for a given signal."""

    LINE_MANAGER = "line_manager"
    GROUP = "group"
    PARTNER_CONTACT = "partner_contact"


@dataclass(frozen=True)
class OwnerSpec:
    """The owner rule of a node; ``group`` is the group itself or the fallback of a person rule."""

    type: OwnerType
    group: str


@dataclass(frozen=True)
class Clocks:
    """Working-day clocks of a node: accept, first feedback, and the status-update rhythm."""

    accept_within: int
    feedback_within: int
    update_every: int


@dataclass(frozen=True)
class Cadence:
    """How often a table-type node meets (shown to reporters; informs expectations)."""

    every: int
    unit: str  # "week" or "month"

    def describe(self) -> str:
        """``elke week``, ``elke 6 weken``, ``elke maand``, ``elke 2 maanden``."""
        if self.unit == "week":
            return every(self.every, "week", "weken")
        return every(self.every, "maand", "maanden")


@dataclass(frozen=True)
class Provenance:
    """Where the source report says a node or edge is so, and why it is modelled this way.

    ``references`` name places in the report ("H6.2", "§9.2.2", "Les 7"); ``note`` is the
    modeller's explanation; ``inferred`` means the report does not say it in so many words
    (the note then says what it is inferred from).
    """

    references: tuple[str, ...] = ()
    note: str | None = None
    inferred: bool = False

    def cited(self) -> str:
        """The references as one line: ``H6.2, §9.2.2``; empty when there are none."""
        return ", ".join(self.references)


UNSOURCED = Provenance()


@dataclass(frozen=True)
class Node:
    """A place a signal can be: its label, when it fits, who owns it and its clocks."""

    key: str
    label: str
    kind: NodeKind
    description: str
    examples: tuple[str, ...]
    owner: OwnerSpec
    clocks: Clocks
    escalate_on_overdue: str | None = None
    direct_entry: frozenset[str] = frozenset()  # organisation kinds that may choose it directly
    shows_reporter: bool = True
    independent: bool = False
    cadence: Cadence | None = None
    provenance: Provenance = UNSOURCED


SIGNAL_CONDITION_FIELDS = ("urgency", "scope", "level", "source_organisation", "maatwerk")
LIST_CONDITION_FIELDS = ("regulations", "impact")
REPORTER_CONDITION_FIELDS = ("organisation_kind", "has_line_manager")
CONDITION_FIELDS = SIGNAL_CONDITION_FIELDS + LIST_CONDITION_FIELDS + REPORTER_CONDITION_FIELDS


@dataclass(frozen=True)
class EntryRule:
    """``when`` every condition holds (one of the listed values each), enter at ``to``."""

    name: str
    to: str
    when: Mapping[str, frozenset[Any]]

    def matches(self, facts: Mapping[str, Any]) -> bool:
        for name, accepted in self.when.items():
            value = facts.get(name)
            if name in LIST_CONDITION_FIELDS:
                if accepted.isdisjoint(value or ()):
                    return False
            elif value not in accepted:
                return False
        return True


@dataclass(frozen=True)
class Edge:
    """A permitted forward; a ``back`` edge may close a cycle on purpose.

    ``source`` is the node the edge leaves; where the report says so is ``provenance``.
    """

    source: str
    target: str
    back: bool = False
    provenance: Provenance = UNSOURCED


@dataclass(frozen=True)
class RouteGraph:
    """A municipality's validated route graph and the content hash it was loaded from."""

    municipality: str
    version: str
    groups: Mapping[str, str]
    nodes: Mapping[str, Node]
    rules: tuple[EntryRule, ...]
    default: str
    edges: tuple[Edge, ...]
    closed_days: frozenset[str] = frozenset()
    _targets: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        targets: dict[str, list[str]] = {key: [] for key in self.nodes}
        for edge in self.edges:
            targets[edge.source].append(edge.target)
        object.__setattr__(self, "_targets", {key: tuple(value) for key, value in targets.items()})

    def entry_node(self, facts: Mapping[str, Any]) -> tuple[str, str]:
        """The node a signal with ``facts`` enters at, and the name of the rule that chose it."""
        for rule in self.rules:
            if rule.matches(facts):
                return rule.to, rule.name
        return self.default, "standaard"

    def next_nodes(self, key: str) -> tuple[str, ...]:
        """Where a signal at ``key`` may be forwarded to."""
        return self._targets.get(key, ())

    def may_forward(self, source: str, target: str) -> bool:
        return target in self.next_nodes(source)

    def direct_nodes(self, organisation_kind: str) -> list[Node]:
        """Nodes a reporter of this organisation kind may choose to send a signal to directly."""
        return [node for node in self.nodes.values() if organisation_kind in node.direct_entry]

    def entry_points(self) -> set[str]:
        """Every node a new signal can start at: rule targets, the default, direct entries."""
        points = {rule.to for rule in self.rules} | {self.default}
        return points | {node.key for node in self.nodes.values() if node.direct_entry}

    def group_label(self, group: str) -> str:
        return self.groups.get(group, group)

    def provenances(self) -> list[Provenance]:
        """Where the report backs each node, then each edge (in file order)."""
        nodes = [node.provenance for node in self.nodes.values()]
        return nodes + [edge.provenance for edge in self.edges]
