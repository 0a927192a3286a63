"""Route evaluation speed: entry decisions for generated signals against each real route file.

Run: .venv/bin/python benchmarks/route_evaluation.py [--signals 100000]
Prints, per file, the time per signal for the entry rules alone (graph.entry_node) and for
the whole decision the service takes (rules, owner resolution and three working-day
deadlines), measured over the same generated signals.
"""

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from signals import codes
from signals.calendar import BusinessCalendar
from signals.routing.graph import OwnerType, RouteGraph
from signals.routing.loader import load_route_file

ROOT = Path(__file__).resolve().parents[1]


def generated_signals(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    signals = []
    for _ in range(count):
        signals.append(
            {
                "urgency": rng.choice(list(codes.URGENCIES)),
                "scope": rng.choice(list(codes.SCOPES)),
                "level": rng.choice(list(codes.LEVELS)),
                "maatwerk": rng.choice(list(codes.MAATWERK)),
                "source_organisation": rng.choice([None, *codes.SOURCE_ORGANISATIONS]),
                "regulations": rng.sample(list(codes.REGULATIONS), rng.randint(1, 3)),
                "impact": rng.sample(list(codes.IMPACTS), rng.randint(0, 3)),
                "organisation_kind": rng.choice(["staff", "staff", "partner"]),
                "has_line_manager": rng.random() < 0.7,
                "at": start + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60)),
            }
        )
    return signals


def full_decision(graph: RouteGraph, calendar: BusinessCalendar, facts: dict[str, Any]) -> Any:
    """What decide_entry does, without Flask: rules, owner, and the three deadlines."""
    key, _reason = graph.entry_node(facts)
    node = graph.nodes[key]
    manager = SimpleNamespace(active=True) if facts["has_line_manager"] else None
    person = manager if node.owner.type == OwnerType.LINE_MANAGER else None
    owner = person if person is not None else node.owner.group
    at = facts["at"]
    return (
        owner,
        calendar.add_working_days(at, node.clocks.accept_within),
        calendar.add_working_days(at, node.clocks.feedback_within),
        calendar.add_working_days(at, node.clocks.update_every),
    )


def measure(label: str, work: Any, items: list[dict[str, Any]], rounds: int = 3) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        for item in items:
            work(item)
        timings.append((time.perf_counter() - started) / len(items))
    best = min(timings)
    print(
        f"  {label:<28} {best * 1e6:8.2f} µs/signal (best of {rounds}; "
        f"median {statistics.median(timings) * 1e6:.2f} µs)"
    )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=100_000)
    args = parser.parse_args()
    items = generated_signals(args.signals)
    print(f"{args.signals:,} generated signals per route file; target < 1 ms per signal")
    worst = 0.0
    for path in sorted((ROOT / "routes_config").glob("*.yaml")):
        graph = load_route_file(path)
        calendar = BusinessCalendar("Europe/Amsterdam", graph.closed_days)
        hits: dict[str, int] = {}
        for item in items:
            key, _ = graph.entry_node(item)
            hits[key] = hits.get(key, 0) + 1
        print(f"{path.name} (version {graph.version}): entry nodes {dict(sorted(hits.items()))}")
        measure("entry rules", graph.entry_node, items)

        def decide(
            facts: dict[str, Any], graph: RouteGraph = graph, calendar: Any = calendar
        ) -> Any:
            return full_decision(graph, calendar, facts)

        worst = max(worst, measure("full decision", decide, items))
    verdict = "meets" if worst < 1e-3 else "MISSES"
    print(f"worst full decision: {worst * 1e3:.4f} ms/signal — {verdict} the 1 ms target")


if __name__ == "__main__":
    main()
