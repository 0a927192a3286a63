"""The whole municipality's dashboard on PostgreSQL with a million signals over 36 months.

Run: .venv/bin/python benchmarks/dashboard_figures.py [--signals 1000000] [--months 36]
     [--runs 10] [--rebuild]

Target (the issue): the dashboard of the whole municipality answers in under a second at
1,000,000 signals, because it adds up the monthly figures the sweep keeps
(:mod:`signals.figures.rollups`) instead of loading signals.

Uses SIGNALS_FIGURES_BENCH_DATABASE_URL (default: a database "bench_figures" on the local
PostgreSQL), migrates it with Alembic and fills it once (again with ``--rebuild``, or when it
holds another number of signals or months) in SQL, INSERT … SELECT from generate_series with
independent pseudo-random picks per signal: staff (75%) and partner reporters in three
organisations; signals spread evenly over the months up to NOW, entering at the Amsterdam
route's entry nodes (teamleider, linking_pin, doorbraakteam for acute ones), 30% forwarded to
another node; older signals mostly resolved (with an outcome), some withdrawn, the rest new,
in progress or waiting for the reporter; levels, one or two regulations each
(``signal_regulations``), and their events: ``submitted`` for each, and for a share
``accepted``, ``feedback_sent``, ``forwarded``, ``deadline_breached`` (accept and feedback
clocks), ``status_update_sent``, ``resolved``, ``withdrawn``, ``survey_answered`` and the
six-month follow-up (``followup_sent``, ``followup_answered``). Then it vacuums as autovacuum
would. Every generated moment lies before NOW minus an hour.

Then, with the application clock at NOW (a Monday in November 2026), it times:

1. the monthly figures built from scratch (``refresh_monthly_figures``: every month), and
   where the SQL time of one month goes, with the plan of its slowest query;
2. the incremental refresh after a few events in one month (the only month recomputed), and
   one with nothing changed;
3. the dashboard of an administrator (whole municipality, from the kept months) for the last
   12 and for all months: ``signals.figures.dashboard.build``, the charts drawn
   (``dashboard_charts`` and every chart's ``data_uri``), and the page ``/overzicht`` itself
   through the test client (view, template, charts);
4. for comparison, the live path over the same 12 months (``signals.figures.stats.figures``,
   every measure counted from the signals), as the API computes it.

Prints a table (step, runs, median ms, p95 ms) and whether the whole municipality's dashboard
answers in under a second. Re-running on the same database clears the kept figures and the
previous run's extra events first, so it always measures the build from scratch.
"""

import argparse
import math
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from bench_db import Statement, ensure_database, statements, vacuum
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select, text

from signals import create_app
from signals.auth.models import User
from signals.auth.services import set_password
from signals.clock import get_clock
from signals.extensions import db
from signals.figures.charts import dashboard_charts
from signals.figures.dashboard import build
from signals.figures.measures import local_start, measure, next_month
from signals.figures.rollups import month_population, refresh_monthly_figures
from signals.figures.stats import figures
from signals.routing.services import active_graph
from signals.workflow.models import Signal

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_figures"
ROUTES = "routes_config/amsterdam.yaml"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
TARGET_MS = 1000
LIVE_RUNS = 3
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HTTPS = "https://localhost"  # the session cookie is Secure

MANAGERS = 200
STAFF = 2000
PARTNER_STAFF = 600
GROUP_MEMBERS = 2
FIRST_MANAGER = 2  # user 1 is the administrator
BENCH_PASSWORD = "dashboard-benchmark-wachtwoord"  # noqa: S105 (a benchmark database)
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
FIRST_STAFF = FIRST_MANAGER + MANAGERS
FIRST_PARTNER = FIRST_STAFF + STAFF
FIRST_MEMBER = FIRST_PARTNER + PARTNER_STAFF

# Weighted picks: a value listed twice is picked twice as often.
FORWARD_TARGETS = [
    *["casuistiek"] * 4,
    *["maatwerkcoach"] * 2,
    "vakgroephouder",
    "kot_casuistiek",
    "stedelijk_overleg",
    "doorbraakteam",
    *["kwestietafel"] * 2,
    "klachten",
    "inzicht_advies",
    *["beleid"] * 2,
    "afstemming",
    "ombudsman",
    "landelijk",
]
ENTRY_NODES = ["teamleider", "linking_pin", "doorbraakteam"]
LEVELS = [
    *["national_law"] * 6,
    *["municipal_policy"] * 5,
    *["municipal_practice"] * 5,
    *["other_organisation_practice"] * 4,
]
REGULATIONS = [
    *["participatiewet"] * 4,
    *["toeslagen"] * 3,
    *["wgs"] * 2,
    *["awb"] * 2,
    *["wmo"] * 2,
    "beslagvrije_voet",
    "jeugdwet",
    "gemeentebelastingen",
    "wsnp",
    "other",
]
OUTCOMES = [
    *["solved_individually"] * 8,
    *["referred"] * 4,
    *["policy_changed"] * 3,
    *["escalated"] * 2,
    *["not_possible"] * 3,
]
SOURCES = ["gemeente", "gemeente", "uwv", "svb", "belastingdienst_toeslagen", "cjib", "duo"]
SCORES = [1, 2, 3, 3, 4, 4, 4, 5, 5, 5]
HELD = ["yes", "yes", "partly", "no"]

# The order in which signals.figures.measures.measure runs its queries (for the breakdown).
MEASURE_QUERIES = [
    "submitted",
    "open",
    "resolved",
    "node_open",
    "node_closed",
    "node_resolved",
    "level",
    "outcome",
    "regulation",
    "accept_undecided",
    "feedback_undecided",
    "arrival",
    "entry",
    "accept_breached",
    "feedback_breached",
    "told",
    "by_system",
    "satisfaction_answers",
    "satisfaction_sum",
    "followup_asked",
    "followup_held",
    "followup_not_held",
    "feedback_days",
]


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


def pick(values: list[str], number: str) -> str:
    """SQL: one of ``values`` by the pick ``number`` (0–99 or more)."""
    return f"({sql_array(values)})[1 + {number} % {len(values)}]"


def before_end(moment: str) -> str:
    """SQL: ``moment`` if it lies before the end of the generated history, else NULL."""
    return f"CASE WHEN {moment} < CAST(:end AS timestamptz) THEN {moment} END"


def people_sql(groups: list[str]) -> str:
    return f"""
INSERT INTO organisations (id, name, kind, created_at)
VALUES (1, 'Gemeente Bench – Werk, Participatie en Inkomen', 'staff', now()),
       (2, 'Buurtteam Bench', 'partner', now()),
       (3, 'Sociaal raadslieden Bench', 'partner', now());
SELECT setval(pg_get_serial_sequence('organisations', 'id'), 3);
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
VALUES (1, 'admin@bench.test', 'Beheerder', 1, 'admin', NULL, 'x', true, now());
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_MANAGER} - 1 + n, 'manager' || n || '@bench.test', 'Manager ' || n, 1,
       'manager', NULL, 'x', true, now()
FROM generate_series(1, {MANAGERS}) AS n;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_STAFF} + i, 'pro' || i || '@bench.test', 'Professional ' || i, 1,
       'professional', {FIRST_MANAGER} + i % {MANAGERS}, 'x', true, now()
FROM generate_series(0, {STAFF - 1}) AS i;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_PARTNER} + i, 'partner' || i || '@bench.test', 'Partner ' || i, 2 + i % 2,
       'professional', NULL, 'x', true, now()
FROM generate_series(0, {PARTNER_STAFF - 1}) AS i;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_MEMBER} + g * {GROUP_MEMBERS} + m,
       ({sql_array(groups)})[1 + g] || m || '@bench.test',
       'Lid ' || m || ' ' || ({sql_array(groups)})[1 + g], 1, 'member', NULL, 'x', true, now()
FROM generate_series(0, {len(groups) - 1}) AS g, generate_series(0, {GROUP_MEMBERS - 1}) AS m;
INSERT INTO group_memberships (user_id, "group")
SELECT {FIRST_MEMBER} + g * {GROUP_MEMBERS} + m, ({sql_array(groups)})[1 + g]
FROM generate_series(0, {len(groups) - 1}) AS g, generate_series(0, {GROUP_MEMBERS - 1}) AS m;
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
"""  # noqa: S608 - only this file's constants


def plan_sql(owner_group: str, members: int) -> str:
    """A temporary table with every generated signal's picks, columns and event moments."""
    picks = ", ".join(
        f"mod(abs(hashtext('{name}' || n)), 1000) AS p_{name}"
        for name in (
            "kind urgency status open forward target level reg reg2 second outcome source scope "
            "accept feedback_days has_feedback update survey score followup resolve"
        ).split()
    )
    day = "interval '1 day'"
    return f"""
CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
SELECT *,
       {before_end("created + (1 + p_accept % 56) * interval '1 hour'")} AS accepted_raw,
       {before_end(f"created + (1 + p_feedback_days % 17) * {day}")} AS feedback_raw,
       {before_end(f"created + 3 * {day}")} AS forwarded_raw,
       {before_end(f"created + 28 * {day}")} AS update_raw,
       least(created + (3 + p_resolve % 60) * {day},
             CAST(:end AS timestamptz) - interval '1 minute') AS resolved_raw
FROM (
    SELECT *,
           CASE WHEN urgency = 'acute' THEN 'doorbraakteam'
                WHEN partner THEN 'linking_pin' ELSE 'teamleider' END AS entry,
           CASE WHEN p_status % 100 < least(90, age * 2) THEN 'resolved'
                WHEN p_status % 100 >= 97 AND age > 3 THEN 'withdrawn'
                WHEN age < 4 OR p_open % 100 < 12 THEN 'new'
                WHEN p_open % 100 < 80 THEN 'in_progress'
                ELSE 'awaiting_reporter' END AS status,
           CASE WHEN partner THEN {FIRST_PARTNER} + n % {PARTNER_STAFF}
                ELSE {FIRST_STAFF} + n % {STAFF} END AS reporter_id,
           CASE WHEN partner THEN 2 + (n % {PARTNER_STAFF}) % 2 ELSE 1 END AS organisation_id,
           {FIRST_MANAGER} + (n % {STAFF}) % {MANAGERS} AS manager_id,
           CASE WHEN partner THEN {FIRST_MEMBER} + n % {members}
                ELSE {FIRST_MANAGER} + (n % {STAFF}) % {MANAGERS} END AS handler_id
    FROM (
        SELECT *,
               EXTRACT(EPOCH FROM CAST(:now AS timestamptz) - created) / 86400 AS age,
               p_kind % 100 < 25 AS partner,
               CASE WHEN p_urgency % 100 < 4 THEN 'acute'
                    WHEN p_urgency % 100 < 24 THEN 'high' ELSE 'normal' END AS urgency
        FROM (
            SELECT n,
                   CAST(:start AS timestamptz)
                       + CAST((n - 0.5) / :count AS double precision)
                       * (CAST(:end AS timestamptz) - CAST(:start AS timestamptz)) AS created,
                   {picks}
            FROM generate_series(1, :count) AS n
        ) AS picked
    ) AS kinds
) AS statuses;

ALTER TABLE bench_plan
    ADD COLUMN node text, ADD COLUMN owner_group text, ADD COLUMN forwarded_at timestamptz,
    ADD COLUMN accepted_at timestamptz, ADD COLUMN feedback_at timestamptz,
    ADD COLUMN accept_breach_at timestamptz, ADD COLUMN feedback_breach_at timestamptz,
    ADD COLUMN update_at timestamptz, ADD COLUMN resolved_at timestamptz,
    ADD COLUMN withdrawn_at timestamptz, ADD COLUMN survey_at timestamptz,
    ADD COLUMN followup_at timestamptz, ADD COLUMN followup_answer_at timestamptz,
    ADD COLUMN outcome text, ADD COLUMN reg1 text, ADD COLUMN reg2 text;

-- One pass that fills in what depends on the status and the node.
UPDATE bench_plan SET
    forwarded_at = CASE WHEN p_forward % 100 < 30 AND status <> 'new' THEN forwarded_raw END,
    accepted_at = CASE WHEN status <> 'new'
                            AND NOT (status = 'withdrawn' AND p_accept % 2 = 0)
                       THEN accepted_raw END,
    feedback_at = CASE WHEN status NOT IN ('new', 'withdrawn') AND p_has_feedback % 100 < 75
                       THEN feedback_raw END,
    resolved_at = CASE WHEN status = 'resolved' THEN resolved_raw END,
    withdrawn_at = CASE WHEN status = 'withdrawn'
                        THEN least(created + 7 * interval '1 day', CAST(:end AS timestamptz)
                                   - interval '1 minute') END,
    update_at = CASE WHEN p_update % 100 < 20 THEN update_raw END,
    outcome = CASE WHEN status = 'resolved' THEN {pick(OUTCOMES, "p_outcome")} END,
    reg1 = {pick(REGULATIONS, "p_reg")},
    reg2 = CASE WHEN p_reg2 % 100 < 30 THEN {pick(REGULATIONS, "p_second")} END;
UPDATE bench_plan SET
    node = CASE WHEN forwarded_at IS NULL THEN entry
                WHEN {pick(FORWARD_TARGETS, "p_target")} = entry THEN 'casuistiek'
                ELSE {pick(FORWARD_TARGETS, "p_target")} END,
    reg2 = CASE WHEN reg2 = reg1 THEN NULL ELSE reg2 END,
    accept_breach_at = CASE WHEN accepted_at > created + interval '48 hours'
                                 OR (status = 'new' AND age > 3)
                            THEN {before_end("created + interval '49 hours'")} END,
    feedback_breach_at = CASE WHEN feedback_at > created + 14 * interval '1 day'
                                   OR (feedback_at IS NULL AND status IN
                                       ('new', 'in_progress', 'awaiting_reporter') AND age > 15)
                              THEN {before_end("created + 14 * interval '1 day'")} END,
    survey_at = CASE WHEN status = 'resolved' AND p_survey % 100 < 35
                     THEN {before_end("resolved_raw + 2 * interval '1 day'")} END,
    followup_at = CASE WHEN status = 'resolved' AND p_followup % 100 < 40
                       THEN {before_end("resolved_raw + 182 * interval '1 day'")} END,
    followup_answer_at = CASE WHEN status = 'resolved' AND p_followup % 100 < 25
                              THEN {before_end("resolved_raw + 190 * interval '1 day'")} END;
UPDATE bench_plan SET owner_group = {owner_group};
"""  # noqa: S608 - only this file's constants


SIGNALS_SQL = f"""
INSERT INTO signals (id, reference, title, situation, resident_experience, level,
    source_organisation, scope, urgency, impact, maatwerk, maatwerk_grounds, reporter_id,
    organisation_id, status, node, owner_user_id, owner_group, route_version, accept_due,
    feedback_due, update_due, outcome, rationale, regulation_codes, node_visit,
    node_entered_at, feedback_sent_at, accept_breached_at, feedback_breached_at,
    survey_sent_at, followup_due, followup_sent_at, followup_answered_at, version,
    created_at, updated_at, resolved_at)
SELECT n, 'KF-' || lpad(n::text, 9, '0'), 'Gegenereerd signaal ' || n, 'Situatie ' || n, '',
       {pick(LEVELS, "p_level")}, {pick(SOURCES, "p_source")},
       (ARRAY['individual', 'possibly_structural', 'structural'])[1 + p_scope % 3],
       urgency, CAST('[]' AS json), 'unknown', CAST('[]' AS json), reporter_id,
       organisation_id, status, node,
       CASE WHEN owner_group IS NULL THEN manager_id END, owner_group, :route_version,
       created + interval '2 days', created + interval '14 days',
       coalesce(update_at, created) + interval '28 days',
       outcome, CASE WHEN outcome IS NOT NULL THEN 'Afgehandeld: ' || outcome END,
       '|' || reg1 || '|' || coalesce(reg2 || '|', ''), 1 + (forwarded_at IS NOT NULL)::int,
       coalesce(forwarded_at, created), feedback_at, accept_breach_at, feedback_breach_at,
       CASE WHEN status = 'resolved' THEN resolved_at END,
       CASE WHEN status = 'resolved' THEN resolved_at + interval '182 days' END,
       followup_at, followup_answer_at, 1, created,
       greatest(created, resolved_at, withdrawn_at, feedback_at), resolved_at
FROM bench_plan;
SELECT setval(pg_get_serial_sequence('signals', 'id'), (SELECT max(id) FROM signals));
INSERT INTO signal_regulations (signal_id, code, position)
SELECT n, reg1, 0 FROM bench_plan
UNION ALL
SELECT n, reg2, 1 FROM bench_plan WHERE reg2 IS NOT NULL;
INSERT INTO signal_events (signal_id, type, actor_id, at, data)
SELECT n, e.type, e.actor_id, e.at, e.data
FROM bench_plan
CROSS JOIN LATERAL (VALUES
    ('submitted', reporter_id, created, json_build_object('node', entry)),
    ('accepted', handler_id, accepted_at, CAST('{{}}' AS json)),
    ('deadline_breached', CAST(NULL AS integer), accept_breach_at,
     json_build_object('clock', 'accept', 'node', entry)),
    ('forwarded', handler_id, forwarded_at, json_build_object('from', entry, 'to', node)),
    ('feedback_sent', handler_id, feedback_at, json_build_object('message', 'Bekeken.')),
    ('deadline_breached', CAST(NULL AS integer), feedback_breach_at,
     json_build_object('clock', 'feedback', 'node', entry)),
    ('status_update_sent', CAST(NULL AS integer), update_at, CAST('{{}}' AS json)),
    ('resolved', handler_id, resolved_at, json_build_object('outcome', outcome)),
    ('withdrawn', reporter_id, withdrawn_at, CAST('{{}}' AS json)),
    ('survey_answered', CAST(NULL AS integer), survey_at,
     json_build_object('score', ({sql_array([str(s) for s in SCORES])})
                                [1 + p_score % {len(SCORES)}]::int)),
    ('followup_sent', CAST(NULL AS integer), followup_at, CAST('{{}}' AS json)),
    ('followup_answered', reporter_id, followup_answer_at,
     json_build_object('held', {pick(HELD, "p_score")}))
) AS e(type, actor_id, at, data)
WHERE e.at IS NOT NULL
ORDER BY e.at;
"""  # noqa: S608 - only this file's constants


def execute_script(script: str, **values: Any) -> None:
    connection = db.session.connection()
    for statement in script.split(";\n"):
        if statement.strip():
            connection.execute(text(statement), values)


def span(months: int) -> tuple[date, date]:
    """The first and the last of the ``months`` months up to and including NOW's."""
    last = date(2026, 11, 1)
    first = last
    for _ in range(months - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return first, last


def prepare_database(url: str, count: int, months: int, rebuild: bool) -> bool:
    """Drop the database unless it holds this data set; whether it must be seeded."""
    name = url.rsplit("/", 1)[1]
    plain = url.replace("postgresql+psycopg", "postgresql")
    server = plain.rsplit("/", 1)[0] + "/postgres"
    first = datetime.combine(span(months)[0], datetime.min.time(), tzinfo=AMSTERDAM)
    held: tuple[int, datetime | None] | None = None
    try:
        with psycopg.connect(plain, autocommit=True) as connection:
            if connection.execute("SELECT to_regclass('signals')").fetchone() != (None,):
                row = connection.execute("SELECT count(*), min(created_at) FROM signals")
                held = row.fetchone()
    except psycopg.OperationalError:
        pass  # no database yet
    if held is None or (held[0] == 0 and not rebuild):
        ensure_database(url)
        return True
    same = held[0] == count and held[1] is not None and first <= held[1] < first + timedelta(days=1)
    if same and not rebuild:
        print(f"database {name} holds {count:,} signals over {months} months: reusing it")
        return False
    print(f"database {name} holds {held[0]:,} signals; dropping it to fill it again")
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ensure_database(url)
    return True


def seed(count: int, months: int) -> None:
    graph = active_graph()
    nodes = graph.nodes
    unknown = set(FORWARD_TARGETS + ENTRY_NODES) - set(nodes)
    if unknown:
        raise SystemExit(f"nodes not in {ROUTES}: {sorted(unknown)}")
    groups = sorted({node.owner.group for node in nodes.values()})
    owner_group = (
        "CASE node "
        + " ".join(
            f"WHEN '{key}' THEN '{node.owner.group}'"
            for key, node in nodes.items()
            if key != "teamleider"  # the reporter's line manager owns it there
        )
        + " END"
    )
    first, _last = span(months)
    values = {
        "count": count,
        "start": local_start(first),
        "end": NOW - timedelta(hours=1),
        "now": NOW,
        "route_version": graph.version,
    }
    started = time.perf_counter()
    connection = db.session.connection()
    connection.execute(text("SET LOCAL synchronous_commit = off"))
    connection.execute(text("SET LOCAL work_mem = '256MB'"))
    execute_script(people_sql(groups))
    execute_script(plan_sql(owner_group, len(groups) * GROUP_MEMBERS), **values)
    planned = time.perf_counter()
    print(f"  planned {count:,} signals in {planned - started:.0f} s")
    execute_script(SIGNALS_SQL, **values)
    events = db.session.scalar(text("SELECT count(*) FROM signal_events")) or 0
    db.session.commit()
    print(
        f"  inserted {count:,} signals, their regulations and {events:,} events "
        f"in {time.perf_counter() - planned:.0f} s"
    )
    print(f"seeded in {time.perf_counter() - started:.0f} s")


@dataclass
class Figure:
    step: str
    samples: list[float]  # milliseconds
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """Nearest rank: with 10 runs, the slowest."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed(step: str, run: Callable[[], Any], runs: int, warm: bool = True) -> Figure:
    if warm:
        run()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    figure = Figure(step, samples)
    print(f"  {step}: median {figure.median:,.1f} ms, p95 {figure.p95:,.1f} ms")
    return figure


def at(moment: datetime) -> None:
    get_clock().set(moment)


def reset() -> None:
    """What a previous run left: the kept figures and its extra events (after NOW)."""
    for statement in (
        "DELETE FROM monthly_figures",
        "DELETE FROM figure_months",
        "DELETE FROM signal_events WHERE at > :now",
    ):
        db.session.execute(text(statement), {"now": NOW})
    db.session.commit()


def full_refresh() -> Figure:
    at(NOW)
    db.session.remove()
    with statements() as seen:
        started = time.perf_counter()
        months = refresh_monthly_figures(NOW)
        seconds = time.perf_counter() - started
    rows = db.session.scalar(text("SELECT count(*) FROM monthly_figures"))
    db.session.rollback()
    print(
        f"  full build: {months} months, {rows:,} rows in {seconds:.1f} s "
        f"({seconds / max(months, 1):.2f} s a month); {len(seen.ran):,} SQL statements "
        f"taking {seen.seconds:.1f} s"
    )
    return Figure(f"refresh from scratch ({months} months)", [seconds * 1000])


def incremental_refresh(touched_month: date) -> list[Figure]:
    """A few events in ``touched_month`` a minute after NOW; refresh 11 and 22 minutes later."""
    ids = db.session.scalars(
        select(Signal.id)
        .where(
            Signal.created_at >= local_start(touched_month),
            Signal.created_at < local_start(next_month(touched_month)),
        )
        .order_by(Signal.id)
        .limit(5)
    ).all()
    touched = NOW + timedelta(minutes=1)
    for signal_id in ids:
        db.session.execute(
            text(
                "INSERT INTO signal_events (signal_id, type, actor_id, at, data) "
                "VALUES (:id, 'survey_answered', NULL, :at, CAST(:data AS json))"
            ),
            {"id": signal_id, "at": touched, "data": '{"score": 4}'},
        )
    db.session.commit()
    result = []
    for label, moment in (
        (f"refresh after {len(ids)} events in {touched_month:%Y-%m}", NOW + timedelta(minutes=11)),
        ("refresh, nothing changed", NOW + timedelta(minutes=22)),
    ):
        at(moment)
        db.session.remove()
        started = time.perf_counter()
        months = refresh_monthly_figures(moment)
        seconds = time.perf_counter() - started
        print(f"  {label}: {months} month(s) recomputed in {seconds * 1000:,.1f} ms")
        result.append(Figure(f"{label} ({months} month)", [seconds * 1000]))
    return result


def month_breakdown(month: date) -> None:
    """Where one month's SQL time goes, and the plan of its slowest query."""
    at(NOW)
    db.session.remove()
    with statements() as seen:
        started = time.perf_counter()
        measure(month_population((month,)))
        seconds = time.perf_counter() - started
    named = len(seen.ran) == len(MEASURE_QUERIES)
    ranked = sorted(enumerate(seen.ran), key=lambda numbered: numbered[1].seconds, reverse=True)
    print(
        f"\none month ({month:%Y-%m}) measured live: {seconds * 1000:,.0f} ms, "
        f"{len(seen.ran)} queries taking {seen.seconds * 1000:,.0f} ms; the slowest:"
    )
    for number, statement in ranked[:6]:
        name = MEASURE_QUERIES[number] if named else f"query {number}"
        print(f"    {name:<22} {statement.seconds * 1000:8.1f} ms")
    slowest_number, slowest = ranked[0]
    name = MEASURE_QUERIES[slowest_number] if named else f"query {slowest_number}"
    explain(f"the slowest ({name})", slowest)


def build_breakdown(admin: User, first: date, last: date) -> None:
    """Where the SQL time of one dashboard build goes, and the plan of its slowest query."""
    db.session.remove()
    with statements() as seen:
        started = time.perf_counter()
        build(admin, first, last)
        seconds = time.perf_counter() - started
    db.session.rollback()
    print(
        f"\none dashboard build ({first:%Y-%m}..{last:%Y-%m}): {seconds * 1000:,.0f} ms, "
        f"{len(seen.ran)} queries taking {seen.seconds * 1000:,.0f} ms:"
    )
    for statement in seen.ran:
        words = " ".join(statement.sql.split())
        print(f"    {statement.seconds * 1000:8.1f} ms  {words[:90]}")
    explain("the slowest query of the build", max(seen.ran, key=lambda s: s.seconds))


def explain(label: str, statement: Statement) -> None:
    plan = (
        db.session.connection()
        .exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.parameters)
        .scalars()
        .all()
    )
    db.session.rollback()
    print(f"\n-- plan of {label}:")
    for line in plan:
        print(f"   {line}")


def logged_in_client(app: Flask, admin: User) -> FlaskClient | None:
    """A client with the administrator logged in through the log-in form (once per run)."""
    set_password(admin, {"password": BENCH_PASSWORD})
    client = app.test_client()
    form = client.get("/inloggen", base_url=HTTPS).get_data(as_text=True)
    token = CSRF_INPUT.search(form)
    logged_in = client.post(
        "/inloggen",
        data={
            "csrf_token": token.group(1) if token else "",
            "email": admin.email,
            "password": BENCH_PASSWORD,
        },
        base_url=HTTPS,
        headers={"Referer": f"{HTTPS}/inloggen"},  # over HTTPS the CSRF check wants one
    )
    if logged_in.status_code != 302:
        print(f"  page not measured: log-in answered {logged_in.status_code}")
        return None
    return client


def page_timing(client: FlaskClient, first: date, last: date, runs: int) -> Figure | None:
    """The page as the logged-in administrator gets it."""
    path = f"/overzicht?van={first:%Y-%m}&tot={last:%Y-%m}"

    def get() -> None:
        response = client.get(path, base_url=HTTPS)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")

    try:
        return timed(f"page /overzicht, {first:%Y-%m}..{last:%Y-%m}", get, runs)
    except RuntimeError as error:
        print(f"  page not measured: {error}")
        return None


def dashboard_figures(app: Flask, months: int, runs: int) -> list[Figure]:
    at(NOW + timedelta(minutes=22))
    db.session.remove()
    admin = db.session.scalars(select(User).where(User.email == "admin@bench.test")).one()
    year_first, last = span(12)
    all_first, _last = span(months)
    result: list[Figure] = []
    client = logged_in_client(app, admin)
    for first in (year_first, all_first):
        label = f"{first:%Y-%m}..{last:%Y-%m}"
        board = build(admin, first, last)
        assert board.whole_municipality and board.computed_at is not None

        def board_only(f: date = first) -> None:
            build(admin, f, last)

        result.append(timed(f"dashboard build, {label}", board_only, runs))

        def charts(f: date = first) -> None:
            for chart in dashboard_charts(build(admin, f, last)).values():
                _ = chart.data_uri

        result.append(timed(f"build + charts drawn, {label}", charts, runs))
        page = page_timing(client, first, last, runs) if client is not None else None
        if page is not None:
            result.append(page)
    return result


def live_figures(runs: int) -> Figure:
    admin = db.session.scalars(select(User).where(User.email == "admin@bench.test")).one()
    first, last = span(12)
    end = next_month(last) - timedelta(days=1)
    query = {"from": first.isoformat(), "to": end.isoformat()}
    return timed(
        f"live stats.figures, {first:%Y-%m}..{last:%Y-%m}",
        lambda: figures(admin, query),
        runs,
        warm=False,
    )


def print_table(rows: list[Figure]) -> None:
    width = max(len(row.step) for row in rows)
    print(f"\n{'step':<{width}}  {'runs':>4}  {'median ms':>11}  {'p95 ms':>11}")
    print(f"{'-' * width}  {'-' * 4}  {'-' * 11}  {'-' * 11}")
    for row in rows:
        print(
            f"{row.step:<{width}}  {len(row.samples):>4}  {row.median:>11,.1f}  {row.p95:>11,.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true", help="drop and fill the database again")
    args = parser.parse_args()
    if args.months < 12:
        raise SystemExit("--months must be 12 or more")
    url = os.environ.get("SIGNALS_FIGURES_BENCH_DATABASE_URL", DEFAULT_URL)
    must_seed = prepare_database(url, args.signals, args.months, args.rebuild)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "ROUTES": ROUTES,
            "SMTP_HOST": None,
            "BASE_URL": "https://signalen.bench.example",
        }
    )
    with app.app_context():
        upgrade()
        if must_seed:
            seed(args.signals, args.months)
            started = time.perf_counter()
            vacuum()
            print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
        reset()
        sizes = db.session.execute(
            text(
                "SELECT (SELECT count(*) FROM signals), (SELECT count(*) FROM signal_events), "
                "(SELECT count(*) FROM signal_regulations), "
                "pg_size_pretty(pg_total_relation_size('signals')), "
                "pg_size_pretty(pg_total_relation_size('signal_events'))"
            )
        ).one()
        db.session.rollback()
        print(
            f"{sizes[0]:,} signals ({sizes[3]}), {sizes[1]:,} events ({sizes[4]}), "
            f"{sizes[2]:,} regulation rows; NOW = {NOW.isoformat()}\n"
        )
        first, last = span(args.months)
        table: list[Figure] = []
        print("monthly figures (signals.figures.rollups):")
        table.append(full_refresh())
        table += incremental_refresh(span(args.months // 2)[0])
        print("\nthe whole municipality's dashboard (administrator):")
        table += dashboard_figures(app, args.months, args.runs)
        print("\nlive, for comparison (every measure counted from the signals):")
        table.append(live_figures(LIVE_RUNS))
        admin = db.session.scalars(select(User).where(User.email == "admin@bench.test")).one()
        build_breakdown(admin, *span(12))
        month_breakdown(span(6)[0])
        print_table(table)
        answers = [row for row in table if row.step.startswith(("page", "build + charts"))]
        worst = max(answers, key=lambda row: row.p95)
        verdict = "yes" if worst.p95 < TARGET_MS else "NO"
        print(
            f"\nwhole-municipality dashboard under {TARGET_MS / 1000:.0f} s at "
            f"{sizes[0]:,} signals: {verdict} (slowest p95: {worst.step}, {worst.p95:,.1f} ms)"
        )
        print(f"months {first:%Y-%m}..{last:%Y-%m}")


if __name__ == "__main__":
    main()
