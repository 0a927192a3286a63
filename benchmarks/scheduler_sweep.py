"""Scheduler sweep speed on PostgreSQL with a million open signals, 1% of them due.

Run: .venv/bin/python benchmarks/scheduler_sweep.py [--signals 1000000] [--helpers N]
Uses SIGNALS_BENCH_DATABASE_URL (default: a database "signals_sweep_bench" on the local
PostgreSQL, created if missing), migrates it with Alembic and fills it once with generated
open signals on the Amsterdam route (INSERT … SELECT generate_series, independent
pseudo-random picks): new or in progress, at the teamleider (owned by the reporter's line
manager), the intake (partner reporters) and the group nodes, every deadline and
``next_clock_at`` in the future. Users, organisations and group memberships are seeded too, so
that owners, their leads and group members get their e-mail. Then it vacuums as autovacuum
would and times ``signals.scheduler.jobs.sweep`` itself, SMTP unset (delivery is skipped, the
mail stays in the outbox):

(0) the first sweep of the working day: the managers' digests (nothing is late yet);
(a) a sweep with nothing due — target < 100 ms;
(b) after 1% of the signals (every hundredth) is made due — deadlines passed, so each gets a
    breach and, at a node with ``escalate_on_overdue``, an escalation, elsewhere a status
    update — one sweep that handles all of them, with its helper processes (``--helpers``,
    default one per spare core) — target < 10 s;
(c) the next sweep, a minute later: nothing left to do.

Re-running resets what the previous run changed (events, outbox, digests, the due signals)
and measures again on the same million.
"""

import argparse
import logging
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench_db import ensure_database, vacuum
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text

from signals import create_app
from signals.config import Config
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.routing.services import active_graph
from signals.scheduler.clock_sweep import due_batch
from signals.scheduler.jobs import sweep
from signals.workflow.models import Signal, SignalEvent

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/signals_sweep_bench"
ROUTES = "routes_config/amsterdam.yaml"
# Monday 10:00 in Amsterdam: a working day, in the digest hours.
SWEEP_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY_START = SWEEP_AT - timedelta(hours=1)  # the day's first sweep in the digest hours
DUE_EVERY = 100  # every hundredth signal is made due: 1%
NOTHING_DUE_TARGET_MS = 100
DUE_TARGET_S = 10
NOTHING_DUE_RUNS = 5

DIRECTORS = 10
MANAGERS = 200
STAFF = 2000
PARTNER_STAFF = 500
GROUP_MEMBERS = 3
GROUPS = [
    "intake",
    "casuistiek",
    "doorbraakteam",
    "kwestietafel",
    "beleid",
    "klachten",
    "ombudsman",
    "bestuur",
    "landelijk",
]
# Where the signals are (a pick of 1 in 20 per slot): the line is busiest; klachten,
# ombudsman and bestuur do not escalate when a deadline passes.
NODES = [
    *["teamleider"] * 8,
    *["intake"] * 4,
    *["casuistiek"] * 2,
    "doorbraakteam",
    "beleid",
    "klachten",
    "klachten",
    "ombudsman",
    "bestuur",
]
FIRST_STAFF = DIRECTORS + MANAGERS + 1
FIRST_PARTNER = FIRST_STAFF + STAFF
FIRST_MEMBER = FIRST_PARTNER + PARTNER_STAFF


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


PEOPLE_SQL = f"""
INSERT INTO organisations (id, name, kind, created_at)
VALUES (1, 'Gemeente Bench – Werk en Inkomen', 'staff', now()),
       (2, 'Buurtteam Bench', 'partner', now());
SELECT setval(pg_get_serial_sequence('organisations', 'id'), 2);

-- directors lead the managers; the managers lead the staff (the teamleider's owners)
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT n, 'directeur' || n || '@bench.test', 'Directeur ' || n, 1, 'manager', NULL, 'x',
       true, now()
FROM generate_series(1, {DIRECTORS}) AS n;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {DIRECTORS} + n, 'manager' || n || '@bench.test', 'Manager ' || n, 1, 'manager',
       1 + n % {DIRECTORS}, 'x', true, now()
FROM generate_series(1, {MANAGERS}) AS n;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_STAFF} - 1 + n, 'pro' || n || '@bench.test', 'Professional ' || n, 1,
       'professional', {DIRECTORS} + 1 + n % {MANAGERS}, 'x', true, now()
FROM generate_series(1, {STAFF}) AS n;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_PARTNER} - 1 + n, 'buurtteam' || n || '@bench.test', 'Buurtteam ' || n, 2,
       'professional', NULL, 'x', true, now()
FROM generate_series(1, {PARTNER_STAFF}) AS n;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_MEMBER} - 1 + g * {GROUP_MEMBERS} + m,
       ({sql_array(GROUPS)})[1 + g] || m || '@bench.test',
       'Lid ' || m || ' ' || ({sql_array(GROUPS)})[1 + g], 1, 'member', NULL, 'x', true, now()
FROM generate_series(0, {len(GROUPS) - 1}) AS g, generate_series(1, {GROUP_MEMBERS}) AS m;
INSERT INTO group_memberships (user_id, "group")
SELECT {FIRST_MEMBER} - 1 + g * {GROUP_MEMBERS} + m, ({sql_array(GROUPS)})[1 + g]
FROM generate_series(0, {len(GROUPS) - 1}) AS g, generate_series(1, {GROUP_MEMBERS}) AS m;
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
"""  # noqa: S608 - only this file's constants

# Every column of a generated signal, as it is before it becomes due: a pure function of n,
# so that a later run can put the due ones back. Clocks are in the future: entered in the
# last three days, the next clock moment (a reminder) between one hour and two weeks ahead,
# the deadline it reminds of two days later.
GENERATED = f"""
SELECT n AS id,
       'KS-' || lpad(n::text, 9, '0') AS reference,
       'Gegenereerd signaal ' || n AS title,
       'Situatie ' || n AS situation,
       '' AS resident_experience,
       (ARRAY['national_law','municipal_policy','municipal_practice',
              'other_organisation_practice'])[1 + pick_level] AS level,
       (ARRAY['uwv','svb','belastingdienst_toeslagen','gemeente'])[1 + pick_level]
           AS source_organisation,
       (ARRAY['individual','possibly_structural','structural'])[1 + pick_scope] AS scope,
       (ARRAY['normal','normal','high'])[1 + pick_scope] AS urgency,
       '[]'::json AS impact, 'unknown' AS maatwerk, '[]'::json AS maatwerk_grounds,
       CASE WHEN node = 'intake' THEN {FIRST_PARTNER} + n % {PARTNER_STAFF}
            ELSE {FIRST_STAFF} + n % {STAFF} END AS reporter_id,
       CASE WHEN node = 'intake' THEN 2 ELSE 1 END AS organisation_id,
       CASE WHEN pick_status < 4 THEN 'new' ELSE 'in_progress' END AS status,
       node,
       CASE WHEN node = 'teamleider' THEN {DIRECTORS} + 1 + (n % {STAFF} + 1) % {MANAGERS}
            END AS owner_user_id,
       CASE WHEN node <> 'teamleider' THEN node END AS owner_group,
       :route_version AS route_version,
       CASE WHEN pick_status < 4 THEN next_at + interval '2 days'
            ELSE entered + interval '2 days' END AS accept_due,
       CASE WHEN pick_status < 4 THEN next_at + interval '10 days'
            ELSE next_at + interval '2 days' END AS feedback_due,
       next_at + interval '20 days' AS update_due,
       NULL AS outcome, NULL AS rationale, 1 AS version,
       entered AS created_at, entered AS updated_at, NULL::timestamptz AS resolved_at,
       '|' || (ARRAY['participatiewet','toeslagen','wgs','awb','wmo'])[1 + pick_regulation]
           || '|' AS regulation_codes,
       1 AS node_visit, entered AS node_entered_at, NULL::timestamptz AS paused_at,
       NULL::timestamptz AS feedback_sent_at, NULL::timestamptz AS accept_reminded_at,
       NULL::timestamptz AS feedback_reminded_at, NULL::timestamptz AS accept_breached_at,
       NULL::timestamptz AS feedback_breached_at, NULL::timestamptz AS survey_sent_at,
       NULL::timestamptz AS followup_due, NULL::timestamptz AS followup_sent_at,
       next_at AS next_clock_at,
       NULL::int AS kwestie_id,
       pick_regulation
FROM (SELECT n,
             ({sql_array(NODES)})[1 + mod(abs(hashtext('node' || n)), {len(NODES)})] AS node,
             CAST(:now AS timestamptz) - mod(abs(hashtext('entered' || n)), 3 * 24 * 60)
                 * interval '1 minute' AS entered,
             CAST(:now AS timestamptz) + interval '1 hour'
                 + mod(abs(hashtext('next' || n)), 14 * 24 * 60) * interval '1 minute'
                 AS next_at,
             mod(abs(hashtext('status' || n)), 10) AS pick_status,
             mod(abs(hashtext('scope' || n)), 3) AS pick_scope,
             mod(abs(hashtext('level' || n)), 4) AS pick_level,
             mod(abs(hashtext('regulation' || n)), 5) AS pick_regulation
      FROM {{series}} AS n) AS picked
"""  # noqa: S608 - only this file's constants
COLUMNS = [
    "reference",
    "title",
    "situation",
    "resident_experience",
    "level",
    "source_organisation",
    "scope",
    "urgency",
    "impact",
    "maatwerk",
    "maatwerk_grounds",
    "reporter_id",
    "organisation_id",
    "status",
    "node",
    "owner_user_id",
    "owner_group",
    "route_version",
    "accept_due",
    "feedback_due",
    "update_due",
    "outcome",
    "rationale",
    "version",
    "created_at",
    "updated_at",
    "resolved_at",
    "regulation_codes",
    "node_visit",
    "node_entered_at",
    "paused_at",
    "feedback_sent_at",
    "accept_reminded_at",
    "feedback_reminded_at",
    "accept_breached_at",
    "feedback_breached_at",
    "survey_sent_at",
    "followup_due",
    "followup_sent_at",
    "next_clock_at",
    "kwestie_id",
]
SIGNALS_SQL = f"""
INSERT INTO signals (id, {", ".join(COLUMNS)})
SELECT id, {", ".join(COLUMNS)} FROM ({GENERATED}) AS generated;
SELECT setval(pg_get_serial_sequence('signals', 'id'), (SELECT max(id) FROM signals));
INSERT INTO signal_regulations (signal_id, code, position)
SELECT id, trim(BOTH '|' FROM regulation_codes), 0 FROM signals;
INSERT INTO signal_participants (id, signal_id, node, user_id, "group", since)
SELECT id, id, node, owner_user_id, owner_group, node_entered_at FROM signals;
SELECT setval(pg_get_serial_sequence('signal_participants', 'id'),
              (SELECT max(id) FROM signal_participants));
"""  # noqa: S608 - only this file's constants
ALL = "generate_series(1, :count)"
DUE_SET = f"generate_series({DUE_EVERY}, :count, {DUE_EVERY})"

# What the previous run left: its events, mail, digests, lease, the participants its
# escalations added, and the due signals as the sweep left them (put back as generated).
RESET_SQL = f"""
DELETE FROM signal_events;
DELETE FROM outbox_messages;
DELETE FROM manager_digests;
DELETE FROM scheduler_leases;
DELETE FROM signal_participants WHERE id > :count;
SELECT setval(pg_get_serial_sequence('signal_participants', 'id'), :count);
UPDATE signals SET ({", ".join(COLUMNS)}) = ({", ".join("g." + c for c in COLUMNS)})
FROM ({GENERATED.replace("{series}", DUE_SET)}) AS g
WHERE signals.id = g.id;
"""  # noqa: S608 - only this file's constants

# Every hundredth signal becomes due, as if days had passed without anyone acting: entered
# three weeks ago, reminded four days ago, the running deadline passed yesterday (accept
# while new, feedback while in progress); where the node does not escalate, the status update
# is due too (and the only thing due at the escalating nodes' new visit lies ahead).
MAKE_DUE_SQL = f"""
UPDATE signals SET
    node_entered_at = CAST(:now AS timestamptz) - interval '21 days',
    created_at = CAST(:now AS timestamptz) - interval '21 days',
    accept_reminded_at = CAST(:now AS timestamptz) - interval '4 days',
    feedback_reminded_at = CASE WHEN status = 'in_progress'
                                THEN CAST(:now AS timestamptz) - interval '4 days' END,
    accept_due = CAST(:now AS timestamptz) - interval '1 day' - interval '2 hours',
    feedback_due = CASE WHEN status = 'new' THEN CAST(:now AS timestamptz) + interval '7 days'
                        ELSE CAST(:now AS timestamptz) - interval '1 day' END,
    update_due = CASE WHEN node IN ('klachten', 'ombudsman', 'bestuur', 'landelijk')
                      THEN CAST(:now AS timestamptz) - interval '1 hour'
                      ELSE CAST(:now AS timestamptz) + interval '8 days' END,
    next_clock_at = CAST(:now AS timestamptz) - interval '1 day' - interval '2 hours'
WHERE id IN (SELECT n FROM {DUE_SET} AS n)
"""  # noqa: S608 - only this file's constants


def execute_script(script: str, **values: Any) -> None:
    connection = db.session.connection()
    for statement in script.split(";\n"):
        if statement.strip():
            connection.execute(text(statement), values)
    db.session.commit()


def seed(count: int) -> None:
    existing = db.session.scalar(select(func.count()).select_from(Signal)) or 0
    values = {"count": count, "now": SWEEP_AT, "route_version": active_graph().version}
    if existing == count:
        started = time.perf_counter()
        execute_script(RESET_SQL, **values)
        seconds = time.perf_counter() - started
        print(
            f"database holds {existing:,} signals; "
            f"reset the previous run's changes in {seconds:.1f} s"
        )
        return
    if existing:
        raise SystemExit(
            f"the bench database holds {existing:,} signals, not {count:,}; drop it first"
        )
    started = time.perf_counter()
    execute_script(PEOPLE_SQL)
    execute_script(SIGNALS_SQL.replace("{series}", ALL), **values)
    print(f"seeded {count:,} signals in {time.perf_counter() - started:.0f} s")


def timed_vacuum() -> None:
    started = time.perf_counter()
    vacuum()
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")


class Statements:
    """Counts the SQL statements the engine executes while it is active, and their time."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self._started: list[float] = []
        # seconds and count per kind of statement ("INSERT INTO outbox_messages", …)
        self.by_kind: dict[str, list[float]] = {}

    def __enter__(self) -> "Statements":
        event.listen(db.engine, "before_cursor_execute", self._before)
        event.listen(db.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(db.engine, "before_cursor_execute", self._before)
        event.remove(db.engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seconds = time.perf_counter() - self._started.pop()
        self.count += 1
        self.seconds += seconds
        words = statement.split()
        kind = " ".join(words[:3] if words[0] in ("INSERT", "DELETE") else words[:2])
        if words[0] == "SELECT":
            table = words[words.index("FROM") + 1] if "FROM" in words else "?"
            kind = f"read {table}"
        entry = self.by_kind.setdefault(kind, [0.0, 0])
        entry[0] += seconds
        entry[1] += 1

    def breakdown(self) -> list[str]:
        """The statement kinds that took the most time."""
        ranked = sorted(self.by_kind.items(), key=lambda item: -item[1][0])
        return [f"{kind}: {int(n):,} × → {sec:.2f} s" for kind, (sec, n) in ranked[:6]]


def timed_sweep(moment: datetime) -> tuple[float, list[str], Statements]:
    """One sweep at ``moment``: seconds, its lines, and the SQL statements it ran."""
    db.session.remove()
    with Statements() as statements:
        started = time.perf_counter()
        lines = sweep(moment)
        seconds = time.perf_counter() - started
    db.session.remove()
    return seconds, lines, statements


def written() -> tuple[dict[str, int], dict[str, int]]:
    """Events by type and outbox rows by kind, as they are now."""
    events = db.session.execute(
        select(SignalEvent.type, func.count()).group_by(SignalEvent.type).order_by(SignalEvent.type)
    )
    by_type = {row[0]: row[1] for row in events}
    mails = db.session.execute(
        select(OutboxMessage.kind, func.count())
        .group_by(OutboxMessage.kind)
        .order_by(OutboxMessage.kind)
    )
    by_kind = {row[0]: row[1] for row in mails}
    db.session.rollback()
    return by_type, by_kind


def difference(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    changes = {kind: after[kind] - before.get(kind, 0) for kind in after}
    return {kind: number for kind, number in changes.items() if number}


def show(label: str, seconds: float, lines: list[str], statements: Statements) -> None:
    print(
        f"\n{label}: {seconds * 1000:,.1f} ms, {statements.count:,} SQL statements "
        f"taking {statements.seconds * 1000:,.1f} ms (round trips; commits not counted)"
    )
    for line in lines:
        print(f"    {line}")
    if statements.count > 10:
        print("    where the SQL time went:")
        for line in statements.breakdown():
            print(f"      {line}")


def due_count() -> int:
    number = db.session.scalar(
        select(func.count()).select_from(Signal).where(Signal.next_clock_at <= SWEEP_AT)
    )
    db.session.rollback()
    return number or 0


def explain_due_query() -> None:
    query = due_batch(SWEEP_AT)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars().all()
    db.session.rollback()
    print("\n-- plan: the sweep's selection of due signals (first batch)")
    for line in plan[:10]:
        print(f"   {line}")


def measure(run: Callable[[], tuple[float, list[str], Statements]], runs: int) -> list[float]:
    return [run()[0] * 1000 for _ in range(runs)]


def main() -> None:
    # the helpers' share of the work, as the scheduler logs it
    logging.getLogger("signals.scheduler.helpers").setLevel(logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument(
        "--helpers",
        type=int,
        default=Config.SCHEDULER_HELPERS,
        help="helper processes for a large backlog (default: one per spare core)",
    )
    args = parser.parse_args()
    url = os.environ.get("SIGNALS_BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "SCHEDULER_HELPERS": args.helpers,
            "ROUTES": ROUTES,
            "SMTP_HOST": None,  # delivery is skipped: every e-mail stays in the outbox
            "BASE_URL": "https://signalen.bench.example",
        }
    )
    with app.app_context():
        upgrade()
        seed(args.signals)
        timed_vacuum()
        print(
            f"route {ROUTES} version {active_graph().version}; SMTP unset (SIGNALS_SMTP_HOST): "
            "delivery is skipped, the mail stays in the outbox"
        )
        print(f"sweeps at {SWEEP_AT.isoformat()} (Monday 10:00 in Amsterdam)")

        seconds, lines, statements = timed_sweep(DAY_START)
        show("(0) first sweep of the working day (managers' digests)", seconds, lines, statements)

        print(f"\ndue now: {due_count():,} signals")
        seconds, lines, statements = timed_sweep(SWEEP_AT)
        show("(a) sweep with nothing due", seconds, lines, statements)
        more = measure(lambda: timed_sweep(SWEEP_AT), NOTHING_DUE_RUNS)
        verdict = "ok" if seconds * 1000 < NOTHING_DUE_TARGET_MS else "OVER"
        print(
            f"    {NOTHING_DUE_RUNS} more: median {statistics.median(more):.1f} ms, "
            f"max {max(more):.1f} ms   (target < {NOTHING_DUE_TARGET_MS} ms: {verdict})"
        )

        started = time.perf_counter()
        db.session.execute(text(MAKE_DUE_SQL), {"count": args.signals, "now": SWEEP_AT})
        db.session.commit()
        due = due_count()
        print(f"\nmade {due:,} signals due in {time.perf_counter() - started:.1f} s")
        explain_due_query()
        events_before, mails_before = written()

        seconds, lines, statements = timed_sweep(SWEEP_AT)
        show("(b) sweep with 1% due", seconds, lines, statements)
        print(
            f"    helper processes: {args.helpers} on {os.cpu_count()} cores (the SQL figures "
            "are this process's share of the work)"
        )
        events_after, mails_after = written()
        new_events = difference(events_after, events_before)
        new_mails = difference(mails_after, mails_before)
        handled = due - due_count()
        verdict = "ok" if seconds < DUE_TARGET_S else "OVER"
        print(f"    signals handled: {handled:,} of {due:,} due")
        print(f"    events written: {sum(new_events.values()):,}  {new_events}")
        print(f"    outbox rows written: {sum(new_mails.values()):,}  {new_mails}")
        print(
            f"    {seconds:.2f} s, {handled / seconds:,.0f} signals/s, "
            f"{statements.count / max(handled, 1):.1f} statements per signal   "
            f"(target < {DUE_TARGET_S} s: {verdict})"
        )
        print(
            f"    of which in SQL statements {statements.seconds:.2f} s, elsewhere (ORM, "
            f"rendering mail, COPY of events and e-mails, commits) "
            f"{seconds - statements.seconds:.2f} s"
        )

        seconds, lines, statements = timed_sweep(SWEEP_AT + timedelta(minutes=1))
        show("(c) next sweep, a minute later", seconds, lines, statements)
        events_again, mails_again = written()
        print(
            f"    new events: {sum(difference(events_again, events_after).values())}, "
            f"new outbox rows: {sum(difference(mails_again, mails_after).values())}"
        )


if __name__ == "__main__":
    main()
