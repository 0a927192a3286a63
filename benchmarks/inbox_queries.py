"""Inbox query speed on PostgreSQL with a million signals.

Run: .venv/bin/python benchmarks/inbox_queries.py [--signals 1000000] [--runs 40]
Uses SIGNALS_BENCH_DATABASE_URL (default: a database "signals_bench" on the local PostgreSQL,
created if missing), migrates it with Alembic and fills it once with generated signals
(INSERT … SELECT generate_series, about a minute). Then it times the inbox service itself
(signals.workflow.inbox.inbox_page: the page query and the counts query) for a manager who
owns a few thousand signals and for an intake-group member who shares a few hundred
thousand: first page, a page deep in the list (keyset cursor), and filtered pages. Prints
p50/p95 per case against the 25 ms target and the query plans that matter.
"""

import argparse
import os
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import psycopg
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from signals import create_app
from signals.auth.models import User
from signals.extensions import db
from signals.workflow.models import Signal

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/signals_bench"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0].replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


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
              'other_organisation_practice'])[1 + n % 4],
       (ARRAY['uwv','svb','belastingdienst_toeslagen','gemeente'])[1 + n % 4],
       (ARRAY['individual','possibly_structural','structural'])[1 + n % 3],
       (ARRAY['normal','normal','high','acute'])[1 + n % 4],
       '[]', 'unknown', '[]',
       201 + n % 2000, 1 + ((n % 2000) % 4 = 3)::int,
       CASE WHEN n % 10 < 7 THEN 'resolved'
            ELSE (ARRAY['new','in_progress','awaiting_reporter'])[1 + n % 3] END,
       CASE WHEN (n % 2000) % 4 = 3 THEN 'intake' ELSE 'teamleider' END,
       CASE WHEN (n % 2000) % 4 = 3 THEN NULL ELSE 1 + (n % 2000 + 1) % 200 END,
       CASE WHEN (n % 2000) % 4 = 3 THEN 'intake' ELSE NULL END,
       'bench',
       created + interval '2 days', created + interval '14 days', created + interval '28 days',
       CASE WHEN n % 10 < 7 THEN 'referred' END, CASE WHEN n % 10 < 7 THEN 'Klaar.' END,
       1, created, created, CASE WHEN n % 10 < 7 THEN created + interval '20 days' END
FROM (SELECT n, timestamptz '2024-01-01' + (n * interval '1 minute') AS created
      FROM generate_series(1, %(count)s) AS n) AS generated;

INSERT INTO signal_regulations (signal_id, code, position)
SELECT id, (ARRAY['participatiewet','toeslagen','wgs','awb','wmo'])[1 + id % 5], 0
FROM signals;
INSERT INTO signal_participants (signal_id, node, user_id, "group", since)
SELECT id, node, owner_user_id, owner_group, created_at FROM signals;
ANALYZE;
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


def timed(run: Any, runs: int) -> list[float]:
    run()  # warm caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(label: str, samples: list[float]) -> float:
    p95 = statistics.quantiles(samples, n=20)[18]
    verdict = "ok" if p95 < 25 else "OVER"
    print(f"  {label:<46} p50 {statistics.median(samples):7.2f} ms  p95 {p95:7.2f} ms  {verdict}")
    return p95


def explain(label: str, query: Any) -> None:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars().all()
    print(f"\n-- plan: {label}")
    for line in plan[:25]:
        print(f"   {line}")


def main() -> None:
    from signals.workflow.inbox import inbox_page

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
        print(f"\nworst p95: {worst:.2f} ms (target < 25 ms)")
        from signals.workflow import inbox as inbox_module

        if hasattr(inbox_module, "page_query"):
            explain("intake first page", inbox_module.page_query(intake, {}, NOW, 50))


if __name__ == "__main__":
    main()
