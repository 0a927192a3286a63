"""The route map as a drawing: a layered, accessible inline SVG of a :class:`RouteGraph`.

This module owns the picture on the Routekaart page: the layout (column 0 is the reporter,
the other columns follow the longest path over forward edges, rows are ordered by
barycentres to reduce crossings), the routing of arrows between boxes, the way back to the
reporter, and the SVG markup itself. It is pure Python and deterministic; the text version of
the map lives in the template.

The SVG uses presentation attributes only (no ``<style>``, no ``style=""``, no scripts, no
external references), so it passes the site's Content-Security-Policy. Its root's ``width``
and ``height`` are its natural size (text at its intended size); ``static/routekaart.css``
shows it at that size in a scrollable box, or fitted to the box's width.

A signal's page draws the same map with a :class:`Highlight`: the nodes the signal visited
get a tinted box, a thick frame and a line of text naming their step numbers, the node where
it is now a ring around its box, the arrows it went along are drawn thick on top, and the
other arrows are faded (their labels are not: every text stays at full contrast).

Where the source report backs a node or edge (:class:`~signals.routing.graph.Provenance`):
an inferred node has a dash-dot frame and an inferred edge a dash-dot line, and the legend
says what that means. On the Routekaart page (``linked``) every node is a link to its part of
the text version; hovering or focusing it shows its references in a band over the foot of its
box (shown by ``static/routekaart.css``), and its accessible name says them too.
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from signals.routing.graph import NODE_KIND_LABELS, Node, OwnerType, Provenance, RouteGraph
from signals.wording import unless_repeated

# Colours of signals.css.
INK = "#1a1a1a"
MUTED = "#555555"
LINE = "#c8ccd0"
TINT = "#f3f5f7"
ACCENT = "#004b87"
ACCENT_DARK = "#00345e"
OK = "#1e6b34"
WARN = "#8a5300"
WHITE = "#ffffff"
VISITED_FILL = "#e8f1fa"  # behind INK and MUTED text: contrast 15.6 and 6.7 to 1
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

# Geometry (user units = CSS pixels at the natural size of the drawing).
MARGIN = 16
MELDER_W = 150
ENTRY_GAP = 220  # between the reporter and column 1: room for the entry labels
LABEL_RUN = 140  # straight start of an entry arrow, under its label
BOX_W = 220
GAP_X = 100
RAIL_OFFSET = 10  # the feedback rail runs this far right of a column
PAD = 10
HEADER_H = 20
NODE_GAP = 28  # vertical space between two boxes
DUMMY_GAP = 12  # between two arrows passing through a column
MIXED_GAP = 18  # between a box and an arrow passing by
PORT_GAP = 16  # preferred distance between arrow ends on a box side
ENTRY_PORT_GAP = 30  # between the reporter's arrows (each has a label above it)
LAYOUT_ROUNDS = 40
ORDER_ROUNDS = 8

MELDER = "m:"  # the reporter's slot
MELDER_KEY = "melder"  # how arrows name the reporter in data-from / data-to
CLOCK_TEXT = "termijnen in werkdagen: accepteren {0} · terugkoppeling {1} · update {2}"
FADED = "0.35"  # opacity of the arrows a highlighted signal did not take
RING = 5  # distance of the ring around the current node from its box
INFERRED_DASH = "9 3 2 3"  # dash-dot: a node frame or an arrow the report does not state as such
INFERRED_TEXT = "afgeleid: staat niet letterlijk in het rapport"


@dataclass(frozen=True)
class Highlight:
    """A signal's way through the route, to be marked on the map.

    ``visited``: the node keys in the order the signal came there (a node it came back to
    appears again); ``current``: the node it is at now, and ``where`` what its box says of it.
    """

    visited: tuple[str, ...]
    current: str | None = None
    where: str = "hier ligt het nu"
    moves: frozenset[tuple[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        moves = {(MELDER_KEY, self.visited[0])} if self.visited else set()
        moves |= {
            (source, target)
            for source, target in zip(self.visited, self.visited[1:], strict=False)
            if source != target
        }
        object.__setattr__(self, "moves", frozenset(moves))

    def steps(self, key: str) -> list[int]:
        """The step numbers (1 = where the signal entered) at which it came to ``key``."""
        return [number for number, visited in enumerate(self.visited, start=1) if visited == key]

    def caption(self, key: str) -> str | None:
        """The line of text a visited node's box gets; None for a node not visited."""
        steps = self.steps(key)
        if not steps:
            return None
        if len(steps) == 1:
            text = f"Stap {steps[0]}"
        else:
            text = f"Stappen {', '.join(map(str, steps[:-1]))} en {steps[-1]}"
        if key == self.current:
            text += f" · {self.where}"
        return text


def natural_width(columns: int) -> int:
    """The drawing's width in user units for ``columns`` columns (the reporter's included)."""
    return 2 * MARGIN + MELDER_W + ENTRY_GAP + max(columns - 1, 0) * (BOX_W + GAP_X)


def owner_lines(graph: RouteGraph, node: Node) -> tuple[str, str | None]:
    """Who is responsible at ``node``, and the fallback when a person rule finds nobody."""
    group = graph.group_label(node.owner.group)
    if node.owner.type == OwnerType.LINE_MANAGER:
        return "Eigen leidinggevende", f"anders: {group}"
    if node.owner.type == OwnerType.PARTNER_CONTACT:
        return "Contactpersoon partner", f"anders: {group}"
    return group, None


def clock_text(node: Node) -> str:
    clocks = node.clocks
    return CLOCK_TEXT.format(clocks.accept_within, clocks.feedback_within, clocks.update_every)


def entry_label(graph: RouteGraph, key: str) -> str:
    """How a new signal reaches entry point ``key``: by default, by a rule, or directly."""
    parts = []
    if key == graph.default:
        parts.append("standaard")
    if any(rule.to == key for rule in graph.rules):
        parts.append("regel")
    if graph.nodes[key].direct_entry:
        parts.append("rechtstreeks")
    return " · ".join(parts)


# --- layout -------------------------------------------------------------------------------


@dataclass
class _Chain:
    """One drawn arrow: the slots it passes from left to right, and how it is drawn."""

    kind: str  # "entry", "forward" or "back"
    source: str  # node key; the reporter for entry arrows
    target: str
    slots: list[str]  # left to right; dummies in between
    reverse: bool  # drawn right to left (a back edge)
    same_column: bool
    inferred: bool = False  # the report does not state this edge as such


@dataclass
class _Plan:
    """Columns, the order of slots in every column, and the arrows through them."""

    columns: dict[str, int]
    layers: list[list[str]]
    chains: list[_Chain]


def _slot(key: str) -> str:
    return "n:" + key


def _key(slot: str) -> str:
    return slot[2:]


def _is_dummy(slot: str) -> bool:
    return slot.startswith("d:")


def columns_of(graph: RouteGraph) -> dict[str, int]:
    """Column per node: 1 for nodes without forward predecessors, else longest path + 1."""
    targets: dict[str, list[str]] = {key: [] for key in graph.nodes}
    incoming = dict.fromkeys(graph.nodes, 0)
    for edge in graph.edges:
        if not edge.back:
            targets[edge.source].append(edge.target)
            incoming[edge.target] += 1
    order = [key for key in graph.nodes if incoming[key] == 0]
    index = 0
    while index < len(order):  # Kahn's algorithm, in file order
        for target in targets[order[index]]:
            incoming[target] -= 1
            if incoming[target] == 0:
                order.append(target)
        index += 1
    order += [key for key in graph.nodes if key not in order]  # only if forward edges loop
    column = dict.fromkeys(graph.nodes, 1)
    for key in order:
        for target in targets[key]:
            column[target] = max(column[target], column[key] + 1)
    return column


def reading_order(graph: RouteGraph) -> list[str]:
    """Node keys for the text version: entry points first, then by column, then file order."""
    column = columns_of(graph)
    entries = graph.entry_points()
    position = {key: index for index, key in enumerate(graph.nodes)}
    return sorted(graph.nodes, key=lambda key: (key not in entries, column[key], position[key]))


def _plan(graph: RouteGraph) -> _Plan:
    columns = columns_of(graph)
    layers: list[list[str]] = [[] for _ in range(max(columns.values(), default=0) + 1)]
    layers[0].append(MELDER)
    for key in graph.nodes:
        layers[columns[key]].append(_slot(key))
    chains: list[_Chain] = []

    def add(kind: str, source: str | None, target: str, inferred: bool = False) -> None:
        start = 0 if source is None else columns[source]
        end = columns[target]
        source_slot = MELDER if source is None else _slot(source)
        if start == end:
            slots = [source_slot, _slot(target)]
        else:
            low, high = min(start, end), max(start, end)
            dummies = [f"d:{len(chains)}:{layer}" for layer in range(low + 1, high)]
            for layer, dummy in zip(range(low + 1, high), dummies, strict=True):
                layers[layer].append(dummy)
            ends = [source_slot, _slot(target)] if start < end else [_slot(target), source_slot]
            slots = [ends[0], *dummies, ends[1]]
        chains.append(
            _Chain(
                kind=kind,
                source=MELDER_KEY if source is None else source,
                target=target,
                slots=slots,
                reverse=start > end,
                same_column=start == end,
                inferred=inferred,
            )
        )

    entry_points = graph.entry_points()
    for key in graph.nodes:
        if key in entry_points:
            add("entry", None, key)
    for edge in graph.edges:
        add("back" if edge.back else "forward", edge.source, edge.target, edge.provenance.inferred)
    _order_layers(layers, chains)
    return _Plan(columns=columns, layers=layers, chains=chains)


def _segments(chains: Sequence[_Chain]) -> list[tuple[str, str]]:
    """Pairs of slots in neighbouring columns joined by an arrow (left slot first)."""
    return [
        (left, right)
        for chain in chains
        if not chain.same_column
        for left, right in zip(chain.slots, chain.slots[1:], strict=False)
    ]


def _crossings(layers: Sequence[Sequence[str]], segments: Sequence[tuple[str, str]]) -> int:
    position = {slot: index for layer in layers for index, slot in enumerate(layer)}
    layer_of = {slot: number for number, layer in enumerate(layers) for slot in layer}
    by_layer: dict[int, list[tuple[int, int]]] = {}
    for left, right in segments:
        by_layer.setdefault(layer_of[left], []).append((position[left], position[right]))
    total = 0
    for pairs in by_layer.values():
        for index, (a, b) in enumerate(pairs):
            total += sum(1 for c, d in pairs[index + 1 :] if (a - c) * (b - d) < 0)
    return total


def _order_layers(layers: list[list[str]], chains: Sequence[_Chain]) -> None:
    """Barycentre sweeps left→right and right→left; keeps the order with fewest crossings."""
    segments = _segments(chains)
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    for left, right in segments:
        after.setdefault(left, []).append(right)
        before.setdefault(right, []).append(left)

    def sweep(number: int, neighbours: dict[str, list[str]], other: list[str]) -> None:
        position = {slot: index for index, slot in enumerate(other)}
        current = {slot: index for index, slot in enumerate(layers[number])}

        def barycentre(slot: str) -> tuple[float, int]:
            near = [position[n] for n in neighbours.get(slot, []) if n in position]
            return (sum(near) / len(near) if near else float(current[slot]), current[slot])

        layers[number].sort(key=barycentre)

    best = [list(layer) for layer in layers]
    fewest = _crossings(layers, segments)
    for _round in range(ORDER_ROUNDS):
        for number in range(1, len(layers)):
            sweep(number, before, layers[number - 1])
        for number in range(len(layers) - 2, 0, -1):
            sweep(number, after, layers[number + 1])
        count = _crossings(layers, segments)
        if count < fewest:
            fewest, best = count, [list(layer) for layer in layers]
    layers[:] = best


def layout(graph: RouteGraph) -> dict[str, tuple[int, int]]:
    """``(column, row)`` of every node; column 0 (the reporter) holds no node."""
    plan = _plan(graph)
    places: dict[str, tuple[int, int]] = {}
    for column, layer in enumerate(plan.layers):
        nodes = [slot for slot in layer if slot.startswith("n:")]
        for row, slot in enumerate(nodes):
            places[_key(slot)] = (column, row)
    return places


def _pav(desired: Sequence[float], separations: Sequence[float]) -> list[float]:
    """Positions closest to ``desired`` (least squares) keeping order and minimum gaps."""
    offsets = [0.0]
    for separation in separations:
        offsets.append(offsets[-1] + separation)
    blocks: list[tuple[float, int]] = []
    for wanted, offset in zip(desired, offsets, strict=True):
        blocks.append((wanted - offset, 1))
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (mean2, count2), (mean1, count1) = blocks.pop(), blocks.pop()
            blocks.append(((mean1 * count1 + mean2 * count2) / (count1 + count2), count1 + count2))
    flat = [mean for mean, count in blocks for _ in range(count)]
    return [value + offset for value, offset in zip(flat, offsets, strict=True)]


def _separation(upper: str, lower: str, heights: dict[str, float]) -> float:
    dummies = _is_dummy(upper) + _is_dummy(lower)
    gap = (NODE_GAP, MIXED_GAP, DUMMY_GAP)[dummies]
    return heights[upper] / 2 + heights[lower] / 2 + gap


def _centres(plan: _Plan, heights: dict[str, float]) -> dict[str, float]:
    """Vertical centre of every slot: pulled towards its neighbours, never overlapping."""
    neighbours: dict[str, list[str]] = {}
    for left, right in _segments(plan.chains):
        neighbours.setdefault(left, []).append(right)
        neighbours.setdefault(right, []).append(left)
    centre: dict[str, float] = {}
    for layer in plan.layers:
        cursor = 0.0
        for index, slot in enumerate(layer):
            if index:
                cursor += _separation(layer[index - 1], slot, heights)
            centre[slot] = cursor
    for round_number in range(LAYOUT_ROUNDS):
        layers = plan.layers if round_number % 2 == 0 else plan.layers[::-1]
        for layer in layers:
            desired = []
            for slot in layer:
                near = [centre[n] for n in neighbours.get(slot, [])]
                desired.append(sum(near) / len(near) if near else centre[slot])
            gaps = [_separation(a, b, heights) for a, b in zip(layer, layer[1:], strict=False)]
            for slot, value in zip(layer, _pav(desired, gaps), strict=True):
                centre[slot] = value
    top = min(centre[slot] - heights[slot] / 2 for slot in centre)
    return {slot: round(value - top + MARGIN, 1) for slot, value in centre.items()}


# --- boxes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One line of text in a box."""

    text: str
    size: float
    fill: str = INK
    bold: bool = False
    gap_before: float = 0.0

    @property
    def height(self) -> float:
        return self.gap_before + round(self.size * 1.3, 1)


# Advance widths (em) of DejaVu Sans, one of the widest common sans-serif fonts, so the
# estimate is generous for the fonts browsers usually pick.
_WIDTHS = {
    **dict.fromkeys("ijlIJ'ïíìı", 0.29),
    **dict.fromkeys(" .,:;·/!f", 0.34),
    **dict.fromkeys("rt()-", 0.41),
    **dict.fromkeys("csz?", 0.55),
    **dict.fromkeys("akvxyFLPTY", 0.61),
    **dict.fromkeys("ABCKRVXZ", 0.7),
    **dict.fromkeys("DGHNOQU", 0.79),
    **dict.fromkeys("wM&", 0.86),
    **dict.fromkeys("mW", 0.99),
}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of ``text``'s rendered width in a sans-serif font."""
    em = sum(_WIDTHS.get(char, 0.64) for char in text)
    return em * size * (1.12 if bold else 1.0)


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap of ``text`` to ``width``; a too-long word gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def _lines(
    text: str, width: float, size: float, fill: str = INK, bold: bool = False, gap: float = 0.0
) -> list[_Line]:
    widest = max((text_width(word, size, bold) for word in text.split()), default=0.0)
    if widest > width:  # a word that fits no line: make the whole text smaller
        size = round(size * width / widest, 1)
    return [
        _Line(part, size, fill=fill, bold=bold, gap_before=gap if index == 0 else 0.0)
        for index, part in enumerate(wrap(text, width, size, bold))
    ]


def _node_lines(graph: RouteGraph, node: Node, caption: str | None = None) -> list[_Line]:
    width = BOX_W - 2 * PAD
    lines = _lines(caption, width, 12, fill=ACCENT_DARK, bold=True) if caption else []
    lines += _lines(node.label, width, 14, bold=True, gap=4 if caption else 0.0)
    owner, fallback = owner_lines(graph, node)
    if unless_repeated(owner, node.label):  # a group named like its step: said once
        lines += _lines(f"Verantwoordelijk: {owner}", width, 12, gap=5)
    if fallback:
        lines += _lines(fallback, width, 11.5, fill=MUTED)
    lines += _lines(clock_text(node), width, 11, fill=MUTED, gap=5)
    if node.cadence:
        lines += _lines(f"overleg: {node.cadence.describe()}", width, 11, fill=ACCENT_DARK)
    return lines


def _melder_lines() -> list[_Line]:
    width = MELDER_W - 2 * PAD
    return _lines("Professional bij de gemeente of een partner", width, 12) + _lines(
        "dient het signaal in en krijgt terugkoppeling", width, 11, fill=MUTED, gap=5
    )


def _box_height(lines: Sequence[_Line], ports: int, port_gap: float, reserve: float) -> float:
    content = HEADER_H + PAD + sum(line.height for line in lines) + PAD
    return max(content, HEADER_H + ports * port_gap + reserve)


# --- drawing ------------------------------------------------------------------------------


def _n(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _attrs(**attributes: object) -> str:
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        shown = _n(value) if isinstance(value, float) else str(value)
        parts.append(f'{name.rstrip("_").replace("_", "-")}="{_e(shown)}"')
    return " ".join(parts)


def _text(x: float, y: float, text: str, size: float, fill: str, **extra: object) -> str:
    attributes = _attrs(x=float(x), y=float(y), font_size=_n(size), fill=fill, **extra)
    return f"<text {attributes}>{_e(text)}</text>"


def _element(name: str, **attributes: object) -> str:
    return f"<{name} {_attrs(**attributes)}/>"


def _path(points: Sequence[tuple[float, float]]) -> str:
    """Straight runs where y stays the same, else S-curves with horizontal ends."""
    x0, y0 = points[0]
    parts = [f"M{_n(x0)} {_n(y0)}"]
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        if abs(ay - by) < 0.05:
            parts.append(f"H{_n(bx)}")
        else:
            middle = ax + (bx - ax) / 2
            parts.append(f"C{_n(middle)} {_n(ay)} {_n(middle)} {_n(by)} {_n(bx)} {_n(by)}")
    return " ".join(parts)


def _spread(count: int, low: float, high: float, gap: float) -> list[float]:
    """``count`` positions around the middle of ``low``–``high``, at most ``gap`` apart."""
    if count == 0:
        return []
    step = min(gap, (high - low) / max(count - 1, 1))
    middle = (low + high) / 2
    return [round(middle + (index - (count - 1) / 2) * step, 1) for index in range(count)]


def _marker(name: str, fill: str, size: int = 9) -> str:
    return (
        f'<marker id="rk-{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="{size}" '
        f'markerHeight="{size}" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0 0L10 5L0 10z" fill="{fill}"/></marker>'
    )


EDGE_STYLE = {
    "entry": {"stroke": ACCENT_DARK, "stroke_width": "1.6", "marker_end": "url(#rk-entry)"},
    "forward": {
        "stroke": ACCENT,
        "stroke_width": "1.4",
        "stroke_opacity": "0.85",
        "marker_end": "url(#rk-forward)",
    },
    "back": {
        "stroke": MUTED,
        "stroke_width": "1.4",
        "stroke_dasharray": "6 4",
        "marker_end": "url(#rk-back)",
    },
}
# The arrows a highlighted signal went along.
VISITED_STYLE = {
    "stroke": ACCENT_DARK,
    "stroke_width": "4",
    "stroke_linecap": "round",
    "marker_end": "url(#rk-visited)",
}
HALO = {"stroke": WHITE, "stroke_width": "3", "stroke_linejoin": "round", "paint_order": "stroke"}
RETURN_STYLE = {
    "stroke": OK,
    "stroke_width": "2",
    "stroke_dasharray": "0.1 5",
    "stroke_linecap": "round",
    "fill": "none",
}


class _Drawing:
    """One rendering: the plan, box sizes, vertical positions and arrow ends of a graph."""

    def __init__(
        self, graph: RouteGraph, highlight: Highlight | None = None, linked: bool = False
    ) -> None:
        self.graph = graph
        self.highlight = highlight
        self.linked = linked
        self.plan = _plan(graph)
        self.layer_of = {slot: n for n, layer in enumerate(self.plan.layers) for slot in layer}
        # (slot, "left" / "right") -> indexes of the chains that end on that side of the slot
        self.sides: dict[tuple[str, str], list[int]] = {}
        for index, chain in enumerate(self.plan.chains):
            last_side = "right" if chain.same_column else "left"
            self.sides.setdefault((chain.slots[0], "right"), []).append(index)
            self.sides.setdefault((chain.slots[-1], last_side), []).append(index)
        self.texts: dict[str, list[_Line]] = {}
        self.height: dict[str, float] = {}
        self._measure()
        self.centre = _centres(self.plan, self.height)
        self.ports: dict[tuple[int, str], float] = {}  # (chain index, slot) -> y of its end
        for (slot, side), indexes in sorted(self.sides.items()):
            if not _is_dummy(slot):
                self._place_ports(slot, side, indexes)

    def _measure(self) -> None:
        for layer in self.plan.layers:
            for slot in layer:
                ports = max(len(self.sides.get((slot, side), [])) for side in ("left", "right"))
                if slot == MELDER:
                    self.texts[slot] = _melder_lines()
                    self.height[slot] = _box_height(self.texts[slot], ports, ENTRY_PORT_GAP, 10)
                elif _is_dummy(slot):
                    self.height[slot] = 0.0
                else:
                    caption = self.highlight.caption(_key(slot)) if self.highlight else None
                    node = self.graph.nodes[_key(slot)]
                    self.texts[slot] = _node_lines(self.graph, node, caption)
                    self.height[slot] = _box_height(self.texts[slot], ports, PORT_GAP, 30)

    def _place_ports(self, slot: str, side: str, indexes: list[int]) -> None:
        """Spread arrow ends over a side, ordered by where each arrow comes from or goes."""

        def far_end(index: int) -> tuple[float, int]:
            slots = self.plan.chains[index].slots
            if slots[0] == slot:
                return (self.centre[slots[1]], index)
            return (self.centre[slots[-2] if len(slots) > 1 else slots[0]], index)

        ordered = sorted(indexes, key=far_end)
        is_melder = slot == MELDER
        low = self.top(slot) + (HEADER_H + 8 if is_melder else 10)
        high = self.bottom(slot) - (22 if side == "right" and not is_melder else 10)
        gap = ENTRY_PORT_GAP if is_melder else PORT_GAP
        for index, y in zip(ordered, _spread(len(ordered), low, high, gap), strict=True):
            self.ports[(index, slot)] = y

    def left(self, slot: str) -> float:
        layer = self.layer_of[slot]
        if layer == 0:
            return float(MARGIN)
        return float(MARGIN + MELDER_W + ENTRY_GAP + (layer - 1) * (BOX_W + GAP_X))

    def right(self, slot: str) -> float:
        return self.left(slot) + (MELDER_W if self.layer_of[slot] == 0 else BOX_W)

    def top(self, slot: str) -> float:
        return self.centre[slot] - self.height[slot] / 2

    def bottom(self, slot: str) -> float:
        return self.centre[slot] + self.height[slot] / 2

    def _chain_path(self, index: int, chain: _Chain) -> str:
        first, last = chain.slots[0], chain.slots[-1]
        start = (self.right(first), self.ports[(index, first)])
        if chain.same_column:  # a loop out of and back into the right sides
            end = (self.right(last), self.ports[(index, last)])
            bulge = _n(start[0] + GAP_X / 2)
            return (
                f"M{_n(start[0])} {_n(start[1])} C{bulge} {_n(start[1])} "
                f"{bulge} {_n(end[1])} {_n(end[0])} {_n(end[1])}"
            )
        points = [start]
        if chain.kind == "entry":
            points.append((start[0] + LABEL_RUN, start[1]))
        for dummy in chain.slots[1:-1]:
            y = self.centre[dummy]
            points += [(self.left(dummy), y), (self.right(dummy), y)]
        points.append((self.left(last), self.ports[(index, last)]))
        return _path(points[::-1] if chain.reverse else points)

    def edges(self) -> tuple[list[str], list[str]]:
        """Every arrow, and the labels of the reporter's arrows."""
        edges: list[str] = []
        taken: list[str] = []  # drawn last, on top of the others
        labels: list[str] = []
        for index, chain in enumerate(self.plan.chains):
            style: dict[str, str] = EDGE_STYLE[chain.kind]
            if chain.inferred:
                style = {**style, "stroke_dasharray": INFERRED_DASH}
            visited = None
            if self.highlight is not None:
                if (chain.source, chain.target) in self.highlight.moves:
                    style, visited = VISITED_STYLE, "true"
                else:
                    style = {**style, "opacity": FADED}
            (taken if visited else edges).append(
                _element(
                    "path",
                    d=self._chain_path(index, chain),
                    fill="none",
                    data_kind=chain.kind,
                    data_from=chain.source,
                    data_to=chain.target,
                    data_visited=visited,
                    data_inferred="true" if chain.inferred else None,
                    **style,
                )
            )
            if chain.kind == "entry":
                label = entry_label(self.graph, chain.target)
                size = min(11.0, 11.0 * (LABEL_RUN - 10) / max(text_width(label, 11), 1.0))
                x, y = self.right(MELDER) + 6, self.ports[(index, MELDER)] - 5
                labels.append(_text(x, y, label, round(size, 1), MUTED, **HALO))
        return edges + taken, labels

    def bus_y(self) -> float:
        return max(self.bottom(slot) for slot in self.centre) + 30

    def returns(self) -> list[str]:
        """The way back: a stub from every box to its column's rail, rails to a bottom bus."""
        bus_y = self.bus_y()
        parts: list[str] = []
        rails: list[float] = []
        for number, layer in enumerate(self.plan.layers[1:], start=1):
            nodes = [slot for slot in layer if slot.startswith("n:")]
            if not nodes:
                continue
            box_right = self.right(nodes[0])
            rail_x = box_right + RAIL_OFFSET
            rails.append(rail_x)
            stubs = {slot: self.bottom(slot) - 10 for slot in nodes}
            rail = f"M{_n(rail_x)} {_n(min(stubs.values()))} V{_n(bus_y)}"
            parts.append(_element("path", d=rail, data_rail=str(number), **RETURN_STYLE))
            for slot, y in stubs.items():
                key = _e(_key(slot))
                parts += [
                    f'<g data-kind="return" data-return="{key}" data-from="{key}" '
                    f'data-to="{MELDER_KEY}">',
                    _element("circle", cx=box_right, cy=y, r="3", fill=OK),
                    _element("path", d=f"M{_n(box_right)} {_n(y)} H{_n(rail_x)}", **RETURN_STYLE),
                    "</g>",
                ]
        melder_x = MARGIN + MELDER_W / 2
        bus = f"M{_n(max(rails, default=melder_x))} {_n(bus_y)} H{_n(melder_x)} "
        bus += f"V{_n(self.bottom(MELDER))}"
        parts.append(
            _element(
                "path", d=bus, data_bus=MELDER_KEY, marker_end="url(#rk-return)", **RETURN_STYLE
            )
        )
        parts.append(
            _text(
                melder_x + 10, bus_y + 18, "terugkoppeling aan de melder", 12, OK, font_weight="700"
            )
        )
        return parts

    def boxes(self) -> list[str]:
        boxes = [
            _melder_box(self.top(MELDER), self.height[MELDER], self.texts[MELDER], self.linked)
        ]
        for layer in self.plan.layers[1:]:
            for slot in layer:
                if slot.startswith("n:"):
                    node = self.graph.nodes[_key(slot)]
                    place = (self.left(slot), self.top(slot), self.height[slot])
                    box = _node_box(node, place, self.texts[slot], self.highlight)
                    boxes.append(_node_link(node, box, place) if self.linked else box)
        return boxes

    def svg(self) -> str:
        graph = self.graph
        columns = len(self.plan.layers)
        width = natural_width(columns)
        inferred = any_inferred(graph)
        legend, legend_height = _legend(
            (MARGIN, self.bus_y() + 46, width - 2 * MARGIN),
            journey=self.highlight is not None,
            inferred=inferred,
            hidden=self.linked,
        )
        height = self.bus_y() + 46 + legend_height
        edges, labels = self.edges()
        title = f"Routekaart {graph.municipality}"
        description = self._description(inferred)
        if self.highlight is not None:
            title += ": de weg van dit signaal"
            description = self._journey_description(self.highlight)
        # An image, unless its nodes are links: then a group of links, the rest hidden from
        # screen readers (the description and the text version say it; an image holds no links).
        naming = (
            {"role": "group", "aria_labelledby": "rk-title", "aria_describedby": "rk-desc"}
            if self.linked
            else {"role": "img", "aria_labelledby": "rk-title rk-desc"}
        )
        root = _attrs(
            xmlns="http://www.w3.org/2000/svg",
            viewBox=f"0 0 {width} {_n(height)}",
            width=str(width),  # its natural size; routekaart.css may fit it to its box
            height=_n(height),
            **naming,
            class_="routekaart",
            data_columns=str(columns),
            font_family=FONT,
        )
        hidden = ' aria-hidden="true"' if self.linked else ""
        return "".join(
            [
                f"<svg {root}>",
                f'<title id="rk-title">{_e(title)}</title>',
                f'<desc id="rk-desc">{_e(description)}</desc>',
                "<defs>",
                _marker("entry", ACCENT_DARK),
                _marker("forward", ACCENT),
                _marker("back", MUTED),
                _marker("return", OK),
                _marker("visited", ACCENT_DARK, 14) if self.highlight is not None else "",
                "</defs>",
                _element("rect", x="0", y="0", width=str(width), height=_n(height), fill=WHITE),
                f'<g data-layer="returns"{hidden}>',
                *self.returns(),
                f'</g><g data-layer="edges"{hidden}>',
                *edges,
                '</g><g data-layer="boxes">',
                *self.boxes(),
                f'</g><g data-layer="labels"{hidden}>',
                *labels,
                "</g>",
                legend,
                "</svg>",
            ]
        )

    def _description(self, inferred: bool) -> str:
        graph = self.graph
        text = (
            f"De routes voor signalen over knellende mechanismen in {graph.municipality}: van "
            f"de melder via {len(graph.entry_points())} ingangen naar {len(graph.nodes)} "
            "stappen, met pijlen voor doorsturen, gestreepte pijlen terug naar een eerdere stap "
            "en een gestippelde lijn voor de terugkoppeling van elke stap aan de melder."
        )
        if inferred:
            text += (
                " Een stap of pijl met een streep-punt-lijn is afgeleid: die staat niet "
                "letterlijk in het rapport."
            )
        if self.linked:
            text += " Elke stap is een link naar zijn beschrijving in de tekstversie"
            sourced = any(provenance.references for provenance in graph.provenances())
            text += " en noemt waar die in het rapport staat." if sourced else "."
        return text + " De tekstversie onder de tekening beschrijft elke stap."

    def _journey_description(self, highlight: Highlight) -> str:
        nodes = self.graph.nodes

        def label(key: str) -> str:
            return nodes[key].label if key in nodes else key

        text = (
            f"De routekaart van {self.graph.municipality} met de weg van dit signaal "
            f"gemarkeerd: {', daarna '.join(map(label, highlight.visited))}."
        )
        if highlight.current:
            text += f" Nu: {label(highlight.current)}, {highlight.where}."
        return (
            text + " Dikke pijlen en getinte, dik omlijnde stappen zijn de weg van het "
            "signaal, een extra rand de stap waar het nu is; de andere pijlen zijn vaag. De "
            "lijst bij de tekening noemt elke stap met datum."
        )


def render_svg(graph: RouteGraph, highlight: Highlight | None = None, linked: bool = False) -> str:
    """The route map of ``graph`` as a standalone, accessible SVG element (a string).

    With ``highlight``, a signal's way through the route is marked on it (see
    :class:`Highlight`); its nodes carry ``data-visited`` (their step numbers) and
    ``data-current``, its arrows ``data-visited``. With ``linked`` (the Routekaart page), every
    node is a link to ``#node-<key>`` of the text version that shows its report references
    on hover and keyboard focus; the drawing is then a group of links, not an image.
    """
    return _Drawing(graph, highlight, linked).svg()


def any_inferred(graph: RouteGraph) -> bool:
    """Whether some node or edge of ``graph`` is inferred (the legend then explains it)."""
    return any(provenance.inferred for provenance in graph.provenances())


def provenance_text(provenance: Provenance) -> str:
    """What a node's hover text and link name say of its grounding in the report."""
    parts = [f"Bron: {provenance.cited()}."] if provenance.references else []
    if provenance.inferred:
        parts.append(INFERRED_TEXT.capitalize() + ".")
    return " ".join(parts)


def _text_block(x: float, top: float, lines: Sequence[_Line]) -> list[str]:
    parts = []
    cursor = top
    for line in lines:
        cursor += line.gap_before
        baseline = cursor + line.size * 0.95
        weight = "700" if line.bold else None
        parts.append(_text(x, baseline, line.text, line.size, line.fill, font_weight=weight))
        cursor += line.height - line.gap_before
    return parts


def _header(x: float, y: float, width: float, fill: str) -> str:
    return f"<rect {_attrs(x=x, y=y, width=width, height=float(HEADER_H), fill=fill)}/>"


def _frame(
    x: float,
    y: float,
    width: float,
    height: float,
    colour: str,
    stroke_width: str = "1.5",
    inferred: bool = False,
) -> str:
    return _element(
        "rect",
        x=x,
        y=y,
        width=float(width),
        height=height,
        fill="none",
        stroke=colour,
        stroke_width=stroke_width,
        stroke_dasharray=INFERRED_DASH if inferred else None,
    )


def _melder_box(top: float, height: float, lines: Sequence[_Line], hidden: bool = False) -> str:
    """The reporter's box; ``hidden`` from screen readers where the nodes are links."""
    x = float(MARGIN)
    return "".join(
        [
            f"<g {_attrs(data_node=MELDER_KEY, aria_hidden='true' if hidden else None)}>",
            _element("rect", x=x, y=top, width=float(MELDER_W), height=height, fill=TINT),
            _header(x, top, MELDER_W, ACCENT_DARK),
            _frame(x, top, MELDER_W, height, ACCENT_DARK),  # before the texts, as in a node
            _text(x + PAD, top + 14, "Melder", 12, WHITE, font_weight="700"),
            *_text_block(x + PAD, top + HEADER_H + PAD, lines),
            "</g>",
        ]
    )


def _node_box(
    node: Node,
    place: tuple[float, float, float],
    lines: Sequence[_Line],
    highlight: Highlight | None = None,
) -> str:
    x, y, height = place
    colour = WARN if node.independent else ACCENT
    steps = highlight.steps(node.key) if highlight is not None else []
    current = highlight is not None and highlight.current == node.key
    inferred = node.provenance.inferred
    marks = _attrs(
        data_visited=" ".join(map(str, steps)) or None,
        data_current="true" if current else None,
        data_inferred="true" if inferred else None,
    )
    hover = " ".join(filter(None, [node.description, provenance_text(node.provenance)]))
    parts = [
        f'<g data-node="{_e(node.key)}"{" " + marks if marks else ""}>',
        f"<title>{_e(node.label)}: {_e(hover)}</title>",
    ]
    if current:
        parts.append(
            _frame(x - RING, y - RING, BOX_W + 2 * RING, height + 2 * RING, ACCENT_DARK, "2.5")
        )
    parts += [
        _element(
            "rect",
            x=x,
            y=y,
            width=float(BOX_W),
            height=height,
            fill=VISITED_FILL if steps else WHITE,
        ),
        _header(x, y, BOX_W, colour),
        # The frame before the texts: no shape is drawn over a text (see routekaart.css).
        _frame(x, y, BOX_W, height, colour, "3" if steps else "2" if inferred else "1.5", inferred),
        _text(x + PAD, y + 14, NODE_KIND_LABELS.get(node.kind, node.kind), 11, WHITE),
    ]
    if node.independent:
        parts.append(
            _text(
                x + BOX_W - PAD,
                y + 14,
                "onafhankelijk",
                11,
                WHITE,
                font_weight="700",
                text_anchor="end",
                data_independent="true",
            )
        )
    parts += _text_block(x + PAD, y + HEADER_H + PAD, lines)
    parts.append("</g>")
    return "".join(parts)


def _node_link(node: Node, box: str, place: tuple[float, float, float]) -> str:
    """``box`` as a link to the node's text; its references shown on hover and focus."""
    name = " ".join(
        filter(None, [f"{node.label}.", provenance_text(node.provenance), "Naar de beschrijving."])
    )
    link = _attrs(href=f"#node-{node.key}", aria_label=name, data_node_link=node.key)
    return f"<a {link}>{box}{_source_tip(node, place)}</a>"


def _source_tip(node: Node, place: tuple[float, float, float]) -> str:
    """A band over the foot of the box with the node's references, hidden until hover or focus.

    ``routekaart.css`` shows it; the link's accessible name says the same to screen readers.
    """
    provenance = node.provenance
    if not provenance.references and not provenance.inferred:
        return ""
    x, y, height = place
    width = BOX_W - 2 * PAD
    lines: list[_Line] = []
    if provenance.references:
        lines += _lines(f"Bron: {provenance.cited()}", width, 12, fill=WHITE, bold=True)
    if provenance.inferred:
        lines += _lines(INFERRED_TEXT, width, 11, fill=WHITE)
    tip_height = sum(line.height for line in lines) + PAD
    top = y + height - tip_height
    return "".join(
        [
            f'<g data-tip="{_e(node.key)}" class="rk-tip" visibility="hidden" aria-hidden="true">',
            _element("rect", x=x, y=top, width=float(BOX_W), height=tip_height, fill=ACCENT_DARK),
            *_text_block(x + PAD, top + PAD / 2, lines),
            "</g>",
        ]
    )


LEGEND = (
    ("forward", "doorsturen naar een volgende stap"),
    ("back", "terug naar een eerdere stap"),
    ("return", "terugkoppeling aan de melder"),
    ("independent", "onafhankelijk: leidinggevenden zien de inhoud niet"),
)
JOURNEY_LEGEND = (
    ("visited", "de weg van dit signaal"),
    ("current", "hier is het signaal nu"),
)
LEGEND_ROW = 26


INFERRED_LEGEND = (("inferred", INFERRED_TEXT),)


def _legend(
    area: tuple[float, float, float],
    journey: bool = False,
    inferred: bool = False,
    hidden: bool = False,
) -> tuple[str, float]:
    """The legend from ``(x, y)`` of ``area``, wrapped into rows of its width; and its height.

    ``journey``: the map highlights a signal's way, and the legend explains that first.
    ``inferred``: some node or edge is inferred, and the legend explains its dash-dot line.
    ``hidden``: hidden from screen readers (the drawing's description says the same).
    """
    x, y, width = area
    items = (JOURNEY_LEGEND if journey else ()) + LEGEND + (INFERRED_LEGEND if inferred else ())
    parts = [f"<g {_attrs(data_layer='legend', aria_hidden='true' if hidden else None)}>"]
    cursor, row = x, y
    for kind, text in items:
        item_width = 44 + text_width(text, 12)
        if cursor > x and cursor + item_width > x + width:
            cursor, row = x, row + LEGEND_ROW
        parts.append(_legend_sample(kind, cursor, row))
        parts.append(_text(cursor + 44, row + 6, text, 12, INK))
        cursor += item_width + 28
    parts.append("</g>")
    return "".join(parts), row - y + LEGEND_ROW


def _legend_sample(kind: str, x: float, row: float) -> str:
    """The 36-unit-wide picture in front of a legend text."""
    line = f"M{_n(x)} {_n(row + 2)} H{_n(x + 36)}"
    if kind == "independent":
        return _header(x, row - 8, 36, WARN)
    if kind == "current":
        return _frame(x + 4, row - 7, 28, 16, ACCENT_DARK, "2.5")
    if kind == "inferred":
        return _frame(x, row - 7, 36, 16, ACCENT, "2", inferred=True)
    if kind == "visited":
        return _element("path", d=line, fill="none", **VISITED_STYLE)
    if kind == "return":
        return _element("path", d=line, **RETURN_STYLE)
    return _element("path", d=line, fill="none", **EDGE_STYLE[kind])
