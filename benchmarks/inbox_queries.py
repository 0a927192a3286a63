"""Inbox query speed on PostgreSQL with a million signals.

Run: .venv/bin/python benchmarks/inbox_queries.py [--signals 1000000] [--runs 40]
Uses SIGNALS_BENCH_DATABASE_URL (default: a database "signals_bench" on the local PostgreSQL,
created if missing), migrates it with Alembic and fills it once with generated signals
(INSERT … SELECT generate_series with independent pseudo-random picks, about a minute) and
vacuums it as autovacuum would. Then it times the inbox service itself
(signals.workflow.inbox.inbox_page) for a manager who owns a few thousand signals and for an
intake-group member who shares 250,000: first page, a page deep in the list (keyset cursor)
and filtered pages. Prints the p95 of each query (the page, the counts) against the 25 ms
target, the whole call with loading the rows, and the query plans that matter.
"""

import argparse
import os
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from bench_db import ensure_database, vacuum
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text

from signals import create_app
from signals.auth.models import User
from signals.extensions import db
from signals.workflow.models import Signal

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/signals_bench"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TARGET_MS = 25


SEED_SQL = """
INSERT INTO organisations (name, kind, created_at)
VALUES ('Gemeente Bench – Inkomen', 'staff', now()), ('Buurtteam Bench', 'partner', now());

INSERT INTO users (email, name, organisation_id, role, password_hash, active, created_at)
SELECT 'manager' || n || '@bench.test', 'Manager ' || n, 1, 'manager', 'x', true, now()
FROM generate_series(1, 200) AS n;
INSERT INTO users (email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT 'pro' || n || '@bench.test', 'Professional ' || n, 1 + (n % 4 = 0)::int,
       'professional', CASE WHEN n % 4 = 0 THEN NULL ELSE 1 + n % 200 END, 'x', true, now()
FROM generate_series(1, 2000) AS n;
INSERT INTO users (email, name, organisation_id, role, password_hash, active, created_at)
VALUES ('intake@bench.test', 'Intake', 1, 'member', 'x', true, now());
INSERT INTO group_memberships (user_id, "group")
SELECT id, 'intake' FROM users WHERE email = 'intake@bench.test';

INSERT INTO signals (reference, title, situation, resident_experience, level,
    source_organisation, scope, urgency, impact, maatwerk, maatwerk_grounds, reporter_id,
    organisation_id, status, node, owner_user_id, owner_group, route_version, accept_due,
    feedback_due, update_due, outcome, rationale, version, created_at, updated_at,
    resolved_at)
SELECT 'KB-' || lpad(n::text, 9, '0'),
       'Gegenereerd signaal ' || n, 'Situatie ' || n, '',
       (ARRAY['national_law','municipal_policy','municipal_practice',
              'other_organisation_practice'])[1 + pick_level],
       (ARRAY['uwv','svb','belastingdienst_toeslagen','gemeente'])[1 + pick_level],
       (ARRAY['individual','possibly_structural','structural'])[1 + pick_scope],
       (ARRAY['normal','normal','high','acute'])[1 + pick_urgency],
       '[]', 'unknown', '[]',
       201 + n % 2000, 1 + partner::int,
       CASE WHEN pick_status < 7 THEN 'resolved'
            ELSE (ARRAY['new','in_progress','awaiting_reporter'])[pick_status - 6] END,
       CASE WHEN partner THEN 'intake' ELSE 'teamleider' END,
       CASE WHEN partner THEN NULL ELSE 1 + (n % 2000 + 1) % 200 END,
       CASE WHEN partner THEN 'intake' ELSE NULL END,
       'bench',
       created + interval '2 days', created + interval '14 days', created + interval '28 days',
       CASE WHEN pick_status < 7 THEN 'referred' END,
       CASE WHEN pick_status < 7 THEN 'Klaar.' END,
       1, created, created, CASE WHEN pick_status < 7 THEN created + interval '20 days' END
FROM (SELECT n,
             -- one signal a minute, the last one just before NOW
             timestamptz '2026-11-23 09:00+00' - (%(count)s - n + 1) * interval '1 minute'
                 AS created,
             (n % 2000) % 4 = 3 AS partner,
             -- independent pseudo-random picks, so that no filter is tied to another
             mod(abs(hashtext('status' || n)), 10) AS pick_status,
             mod(abs(hashtext('urgency' || n)), 4) AS pick_urgency,
             mod(abs(hashtext('scope' || n)), 3) AS pick_scope,
             mod(abs(hashtext('level' || n)), 4) AS pick_level
      FROM generate_series(1, %(count)s) AS n) AS generated;

INSERT INTO signal_regulations (signal_id, code, position)
SELECT id, (ARRAY['participatiewet','toeslagen','wgs','awb','wmo'])
           [1 + mod(abs(hashtext('regulation' || id)), 5)], 0
FROM signals;
INSERT INTO signal_participants (signal_id, node, user_id, "group", since)
SELECT id, node, owner_user_id, owner_group, created_at FROM signals;
"""


def seed(count: int) -> None:
    existing = db.session.scalar(select(func.count()).select_from(Signal)) or 0
    if existing >= count:
        print(f"database holds {existing:,} signals; not seeding again")
        return
    if existing:
        raise SystemExit("the bench database holds a different data set; drop it first")
    started = time.perf_counter()
    connection = db.session.connection()
    for statement in SEED_SQL.replace("%(count)s", str(int(count))).split(";"):
        if statement.strip():
            connection.execute(text(statement))
    db.session.commit()
    print(f"seeded {count:,} signals in {time.perf_counter() - started:.0f} s")


class Samples:
    """Milliseconds per run: the whole service call and each database query in it."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.queries: dict[int, list[float]] = {}


def timed(run: Any, runs: int) -> Samples:
    """Time ``run`` and, through the engine's cursor events, each statement it executes."""
    run()  # warm caches
    samples = Samples()
    started_at: list[float] = []
    in_run: list[float] = []

    def before(*_: Any) -> None:
        started_at.append(time.perf_counter())

    def after(*_: Any) -> None:
        in_run.append((time.perf_counter() - started_at.pop()) * 1000)

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        for _ in range(runs):
            in_run.clear()
            started = time.perf_counter()
            run()
            samples.calls.append((time.perf_counter() - started) * 1000)
            for number, milliseconds in enumerate(in_run):
                samples.queries.setdefault(number, []).append(milliseconds)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    return samples


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


QUERY_NAMES = {0: "page", 1: "counts"}


def report(label: str, samples: Samples) -> float:
    """One line per case; the verdict is on the slowest query (the target is per query)."""
    worst_query = max(p95(values) for values in samples.queries.values())
    verdict = "ok" if worst_query < TARGET_MS else "OVER"
    per_query = "  ".join(
        f"{QUERY_NAMES.get(number, number)} {p95(values):6.2f}"
        for number, values in sorted(samples.queries.items())
    )
    print(
        f"  {label:<40} p95 per query: {per_query} ms   whole call p50 "
        f"{statistics.median(samples.calls):6.2f} p95 {p95(samples.calls):6.2f} ms  {verdict}"
    )
    return worst_query


def explain(label: str, query: Any) -> None:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars().all()
    print(f"\n-- plan: {label}")
    for line in plan[:12]:
        print(f"   {line}")


def main() -> None:
    from signals.workflow.inbox import branch_queries, inbox_page

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    url = os.environ.get("SIGNALS_BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        seed(args.signals)
        vacuum()
        manager = db.session.scalars(select(User).where(User.email == "manager7@bench.test")).one()
        intake = db.session.scalars(select(User).where(User.email == "intake@bench.test")).one()
        owned = db.session.scalar(
            select(func.count()).select_from(Signal).where(Signal.owner_user_id == manager.id)
        )
        shared = db.session.scalar(
            select(func.count()).select_from(Signal).where(Signal.owner_group == "intake")
        )
        print(f"manager owns {owned:,} signals; the intake group {shared:,}\n")

        def deep_cursor(user: User, pages: int) -> str | None:
            cursor = None
            for _ in range(pages):
                page = inbox_page(user, {"cursor": cursor} if cursor else {}, NOW)
                cursor = page.next_cursor
            return cursor

        worst = 0.0
        for label, user in (("manager", manager), ("intake member", intake)):
            print(f"{label}:")
            cases: list[tuple[str, dict[str, Any]]] = [
                ("first page, open signals", {}),
                ("filter urgency=acute", {"urgency": "acute"}),
                ("filter regulation=toeslagen", {"regulation": "toeslagen"}),
                ("filter overdue", {"overdue": "true"}),
                ("filter not overdue", {"overdue": "false"}),
                (
                    "filter partner reporters, status new",
                    {"reporter_kind": "partner", "status": "new"},
                ),
                ("status resolved (the big part)", {"status": "resolved"}),
            ]
            deep = deep_cursor(user, 40)
            if deep:
                cases.append(("page 41 (keyset cursor)", {"cursor": deep}))
            for case, filters in cases:
                samples = timed(lambda f=filters, u=user: inbox_page(u, f, NOW), args.runs)
                worst = max(worst, report(case, samples))
        print(f"\nslowest query p95: {worst:.2f} ms (target < {TARGET_MS} ms per query)")
        # The part of the page query that walks the intake group's 250,000 signals.
        for case, filters in (
            ("first page", {}),
            ("regulation=toeslagen", {"regulation": "toeslagen"}),
            ("not overdue", {"overdue": "false"}),
        ):
            explain(f"intake group, {case}", branch_queries(intake, filters, NOW)[-1])


if __name__ == "__main__":
    main()
