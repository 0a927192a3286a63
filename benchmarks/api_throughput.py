"""Signal submissions per second through the real HTTP API, against a bare-insert ceiling.

Run: .venv/bin/python benchmarks/api_throughput.py [--requests 4000] [--seconds 15]
     [--concurrency 8] [--rounds 2] [--warmup 300] [--workers 2] [--worker-class gthread]
     [--threads 4] [--profile | --no-profile] [--profile-requests 300]
Uses SIGNALS_API_BENCH_DATABASE_URL (default: a database "signals_api_bench" on the local
PostgreSQL, created if missing). Every run empties it — drops and recreates its schema,
migrates it with Alembic — so it must be a database of this benchmark's own. It seeds one
staff organisation, a manager and a professional whose line manager that manager is, and an
API token of the professional's; then it vacuums as autovacuum would.

Two servers run side by side under gunicorn with identical settings (workers, worker class,
threads, 127.0.0.1 on a free port, ``--chdir`` the project, the same environment: the bench
database, SMTP unset so mail stays in the outbox):

- the service itself (``wsgi:app``): ``POST /api/v1/signals`` with the bearer token — the
  full submission: token check, validation (BSN check included), routing to the 'teamleider'
  node (the reporter's line manager), reference counter, events, deadlines, the receipt and
  new-signal e-mails rendered into the outbox, the pattern check, the 201 answer with the
  signal and its timeline. The bodies (load_client.signal_body) vary title, situation,
  regulations and scope but name no source organisation, as most signals about national law
  do; the pattern check then has nothing to compare and returns at once;
- the ceiling (benchmarks/ceiling_app.py): a bare Flask app on the same stack whose
  ``POST /submissions`` parses the same JSON body and inserts one row into a table of its own.

The default, two workers of four threads (gthread), gave the highest ceiling on two cores:
sync workers close the connection after every answer, and the ceiling spends more on a new
connection than on its insert.

The load comes from another process (benchmarks/load_client.py) over loopback: ``--concurrency``
connections, each sending the next submission when the last one was answered, every title
different, until ``--requests`` were sent or ``--seconds`` passed. Both servers are warmed up
first; then each is measured ``--rounds`` times, alternating (ceiling first in odd rounds, the
API first in even ones), so that drift hits both alike. Printed per measurement and pooled:
completed requests, errors (every non-2xx or broken connection; a figure with errors is
invalid), elapsed time, throughput, p50/p95/p99 latency, and the CPU per request of the
gunicorn processes, of PostgreSQL (the bench database's backends, the WAL writer) and of the
client — on two cores throughput is bound by that sum — and how much other processes used
meanwhile (more than a quarter of a core and the run says it was disturbed); and what the
bench database's backends were doing, sampled from pg_stat_activity (``idle in transaction``:
waiting for the app mid-transaction; ``Lock:transactionid``: waiting for another request's
row lock). Then the ratio API / ceiling of the throughputs — target ≥ 0.70 — and a check that
the API's signals really landed at the 'teamleider' with their e-mails. A run with errors
exits with status 1; two runs on one database at once are refused (an advisory lock).

When the ratio misses the target (or with ``--profile``), it shows where a submission's time
goes: the same submissions in-process through ``app.test_client()`` against the same database,
timed plainly (the service and the ceiling), with every SQL statement counted and timed, and
under cProfile, broken down by step of the submission path and by library.
"""

import argparse
import cProfile
import http.client
import importlib
import inspect
import json
import os
import pstats
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import ceiling_app
import psycopg
from bench_db import ensure_database, vacuum
from flask import Flask
from flask_migrate import upgrade
from load_client import signal_body
from sqlalchemy import Engine, event, func, select, text

from signals import create_app
from signals.auth.services import create_organisation, create_user
from signals.auth.tokens import issue_token
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.workflow.models import Signal

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/signals_api_bench"
# Databases other work uses: this benchmark empties its own and must never be pointed at these.
NOT_OURS = {"postgres", "test", "signals_bench", "signals_sweep_bench"}
ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
SECRET_KEY = "api-throughput-bench-secret"  # noqa: S105 (a throwaway key for the bench app)
# Seeding only: the API authenticates with a token (one SHA-256), never with the password.
CHEAP_HASH = "pbkdf2:sha256:1"
TARGET_RATIO = 0.70
CEILING_TARGET = "benchmarks.ceiling_app:create_app()"
MONITOR = "api_throughput monitor"  # application_name of the benchmark's own connections
RUN_LOCK = 7_351_204  # advisory lock key: one run per database at a time
QUIET_CORES = 0.25  # what other processes may use before the run says it was disturbed
API_PATH = "/api/v1/signals"
CEILING_PATH = "/submissions"
REPORTER = "melder@api-bench.test"
MANAGER = "teamleider@api-bench.test"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# Setup ----------------------------------------------------------------------------------------


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def check_database(url: str) -> None:
    name = database_name(url)
    if name in NOT_OURS:
        raise SystemExit(f"refusing to empty database {name!r}: it is not this benchmark's own")


def reset_and_seed(url: str) -> str:
    """Empty the database, migrate it, seed the reporter and their manager; return a token."""
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "PASSWORD_HASH_METHOD": CHEAP_HASH}
    )
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            autocommit.execute(text("CREATE SCHEMA public"))
        upgrade()
        create_organisation({"name": "Gemeente Bench – Werk en Inkomen", "kind": "staff"})
        common = {"organisation": "Gemeente Bench – Werk en Inkomen", "groups": []}
        create_user(
            {
                **common,
                "email": MANAGER,
                "name": "Teamleider Bench",
                "role": "manager",
                "manager": None,
                "password": "bench-password-manager",
            }
        )
        reporter = create_user(
            {
                **common,
                "email": REPORTER,
                "name": "Melder Bench",
                "role": "professional",
                "manager": MANAGER,
                "password": "bench-password-reporter",
            }
        )
        token: str = issue_token(reporter, {"name": "bench"}).secret
    ceiling_app.create_table(ceiling_app.create_app(url))
    with app.app_context():
        vacuum()
        db.engine.dispose()
    return token


# Servers --------------------------------------------------------------------------------------


@dataclass
class Server:
    """One gunicorn master and what it serves."""

    label: str
    path: str
    token: str | None
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    database_url: str

    @property
    def database(self) -> str:
        return database_name(self.database_url)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def gunicorn_settings(args: argparse.Namespace) -> list[str]:
    """The settings both servers share."""
    settings = ["--chdir", str(ROOT), "--workers", str(args.workers)]
    settings += ["--worker-class", args.worker_class, "--threads", str(args.threads)]
    return [*settings, "--log-level", "warning", "--graceful-timeout", "5"]


def start_server(
    label: str,
    target: str,
    path: str,
    token: str | None,
    args: argparse.Namespace,
    env: dict[str, str],
    logs: Path,
) -> Server:
    port = free_port()
    log = logs / f"{label}.log"
    command = [str(GUNICORN), *gunicorn_settings(args), "--bind", f"127.0.0.1:{port}", target]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            command, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    return Server(label, path, token, port, process, log, env["SIGNALS_DATABASE_URL"])


def wait_until_answering(server: Server, probe: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.label} server exited:\n{server.log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection.request("GET", probe)
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.label} server did not answer within {timeout:.0f} s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()  # gunicorn: graceful shutdown of its workers
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its children (the gunicorn master and its workers)."""
    children: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            children.append(int(entry.name))
    return [pid, *children]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes ``pids`` used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of the PostgreSQL processes that work for ``database``, by pid.

    Its backends (their title names the database) and the WAL writer, checkpointer and
    background writer; not the backends of other databases — other work on the machine.
    """
    shared = ("walwriter", "checkpointer", "background writer")
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f" {database} " in title or any(title.rstrip().endswith(name) for name in shared):
            found[int(entry.name)] = cpu_seconds([int(entry.name)])
    return found


def machine_busy() -> tuple[float, float]:
    """Busy and total jiffies of all cores so far (/proc/stat)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


# What PostgreSQL's backends were doing -------------------------------------------------------

ACTIVITY_QUERY = """
SELECT CASE WHEN state = 'active' AND wait_event IS NOT NULL
            THEN 'active, waiting: ' || wait_event_type || ':' || wait_event
            WHEN state = 'active' THEN 'active, running'
            ELSE state END
FROM pg_stat_activity
WHERE datname = %s AND backend_type = 'client backend' AND application_name <> %s
"""
ACTIVITY_EVERY = 0.05  # seconds between samples


@contextmanager
def backend_activity(url: str) -> Iterator[Counter[str]]:
    """Sample, while the block runs, what the database's client backends are doing.

    ``idle in transaction`` is a backend waiting for the application in the middle of a
    transaction (its Python between two statements); ``active, waiting: Lock:…`` one waiting
    for another transaction's row lock; ``idle`` a pooled connection between requests.
    """
    samples: Counter[str] = Counter()
    stop = threading.Event()

    def sample() -> None:
        with psycopg.connect(
            libpq_url(url), autocommit=True, application_name=MONITOR
        ) as connection:
            while not stop.wait(ACTIVITY_EVERY):
                query = connection.execute(ACTIVITY_QUERY, (database_name(url), MONITOR))
                for (state,) in query:
                    samples[state or "unknown"] += 1

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield samples
    finally:
        stop.set()
        sampler.join()


# Load -----------------------------------------------------------------------------------------


@dataclass
class Measurement:
    """What the load client reported for one server, and the CPU spent meanwhile."""

    label: str
    completed: int
    errors: int
    statuses: dict[str, int]
    first_errors: list[str]
    elapsed: float
    latencies_ms: list[float]
    server_cpu_s: float
    client_cpu_s: float
    postgres_cpu_s: float
    busy_cpu_s: float  # of all cores together, by every process on the machine
    machine_busy: float  # the busy share of all cores
    backends: Counter[str]  # samples of what the bench database's backends were doing

    @property
    def throughput(self) -> float:
        return self.completed / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction)

    @property
    def other_cores(self) -> float:
        """How many cores processes other than the server, its database and the client used."""
        ours = self.server_cpu_s + self.postgres_cpu_s + self.client_cpu_s
        return max(0.0, self.busy_cpu_s - ours) / self.elapsed if self.elapsed else 0.0


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    cut = statistics.quantiles(values, n=1000, method="inclusive")
    return cut[max(0, min(len(cut) - 1, round(fraction * 1000) - 1))]


def load(server: Server, requests: int, seconds: float, concurrency: int, tag: str) -> Measurement:
    """Run the load client against ``server`` and wait for its figures."""
    command = [
        sys.executable,
        str(BENCH_DIR / "load_client.py"),
        "--port",
        str(server.port),
        "--path",
        server.path,
        "--requests",
        str(requests),
        "--seconds",
        str(seconds),
        "--concurrency",
        str(concurrency),
        "--tag",
        tag,
    ]
    if server.token:
        command += ["--token", server.token]
    pids = process_tree(server.process.pid)
    cpu_before = cpu_seconds(pids)
    postgres_before = postgres_cpu(server.database)
    busy_before, total_before = machine_busy()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with backend_activity(server.database_url) as activity:
        finished = subprocess.run(  # noqa: S603 (our own command line)
            command, capture_output=True, check=False, timeout=seconds + 120
        )
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_after, total_after = machine_busy()
    cpu_after = cpu_seconds(pids)
    postgres_after = postgres_cpu(server.database)
    if finished.returncode != 0:
        raise RuntimeError(f"load client failed:\n{finished.stderr.decode()[-3000:]}")
    result = json.loads(finished.stdout)
    client_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    return Measurement(
        label=server.label,
        completed=result["completed"],
        errors=result["errors"],
        statuses=result["statuses"],
        first_errors=result["first_errors"],
        elapsed=result["elapsed"],
        latencies_ms=result["latencies_ms"],
        server_cpu_s=cpu_after - cpu_before,
        client_cpu_s=client_cpu,
        postgres_cpu_s=sum(
            seconds - postgres_before.get(pid, 0.0) for pid, seconds in postgres_after.items()
        ),
        busy_cpu_s=(busy_after - busy_before) / CLK_TCK,
        backends=activity,
        machine_busy=(busy_after - busy_before) / max(1, total_after - total_before),
    )


def pooled(label: str, measurements: list[Measurement]) -> Measurement:
    return Measurement(
        label=label,
        completed=sum(m.completed for m in measurements),
        errors=sum(m.errors for m in measurements),
        statuses={
            status: sum(m.statuses.get(status, 0) for m in measurements)
            for status in sorted({status for m in measurements for status in m.statuses})
        },
        first_errors=[text for m in measurements for text in m.first_errors][:5],
        elapsed=sum(m.elapsed for m in measurements),
        latencies_ms=[latency for m in measurements for latency in m.latencies_ms],
        server_cpu_s=sum(m.server_cpu_s for m in measurements),
        client_cpu_s=sum(m.client_cpu_s for m in measurements),
        postgres_cpu_s=sum(m.postgres_cpu_s for m in measurements),
        busy_cpu_s=sum(m.busy_cpu_s for m in measurements),
        machine_busy=statistics.fmean(m.machine_busy for m in measurements),
        backends=sum((m.backends for m in measurements), Counter()),
    )


def describe(prefix: str, m: Measurement) -> str:
    return (
        f"{prefix}{m.label:<8} {m.completed:>6} ok {m.errors:>3} err {m.elapsed:>5.1f} s "
        f"{m.throughput:>7.1f} req/s   p50 {m.percentile(0.50):>6.2f}  p95 "
        f"{m.percentile(0.95):>6.2f}  p99 {m.percentile(0.99):>6.2f} ms"
    )


def describe_cpu(prefix: str, m: Measurement) -> str:
    """CPU ms per request of the server, PostgreSQL and the client; what else ran."""

    def per_request(seconds: float) -> float:
        return seconds * 1000 / m.completed if m.completed else float("nan")

    return (
        f"{prefix}{m.label:<8} CPU per request: gunicorn {per_request(m.server_cpu_s):>5.2f} ms, "
        f"PostgreSQL {per_request(m.postgres_cpu_s):>5.2f} ms, load client "
        f"{per_request(m.client_cpu_s):>4.2f} ms; cores {m.machine_busy:.0%} busy, other "
        f"processes {m.other_cores:.2f} cores"
    )


def describe_backends(prefix: str, m: Measurement) -> str:
    total = sum(m.backends.values())
    if not total:
        return f"{prefix}{m.label:<8} PostgreSQL backends: no samples"
    shares = ", ".join(f"{state} {count / total:.0%}" for state, count in m.backends.most_common(5))
    return f"{prefix}{m.label:<8} PostgreSQL backends (sampled): {shares}"


# Profile --------------------------------------------------------------------------------------

# (what, "module:qualified name"): inclusive time of the function, indented as nested on the
# submission path. Lines for functions that were not called are left out.
PATH_STEPS: list[tuple[str, str]] = [
    ("whole request", "flask.app:Flask.wsgi_app"),
    ("  connection checkout from the pool", "sqlalchemy.pool.base:_ConnectionFairy._checkout"),
    ("    pre-ping (SELECT 1)", "sqlalchemy.engine.default:DefaultDialect._do_ping_w_event"),
    ("  token check (api/auth.py:token_user)", "signals.api.auth:token_user"),
    ("  JSON body (api/views.py:json_body)", "signals.api.views:json_body"),
    ("  validation (workflow/services.py:_submission)", "signals.workflow.services:_submission"),
    ("    BSN check (privacy.py:refuse_bsn)", "signals.privacy:refuse_bsn"),
    ("  storing (workflow/services.py:_store_signal)", "signals.workflow.services:_store_signal"),
    ("    routing (routing/services.py:decide_entry)", "signals.routing.services:decide_entry"),
    ("    reference (references.py:next_reference)", "signals.workflow.references:next_reference"),
    ("    placing + clocks (lifecycle.py:place)", "signals.workflow.lifecycle:place"),
    ("    event (lifecycle.py:record)", "signals.workflow.lifecycle:record"),
    ("    e-mails (notifications/services.py:_queue)", "signals.notifications.services:_queue"),
    (
        "      rendering (notifications/services.py:_render)",
        "signals.notifications.services:_render",
    ),
    (
        "    pattern check (kwesties/patterns.py:check_patterns)",
        "signals.kwesties.patterns:check_patterns",
    ),
    (
        "    new-owner mail (services.py:_notify_new_owners)",
        "signals.workflow.services:_notify_new_owners",
    ),
    ("  commit (Session.commit: the last flush, COMMIT)", "sqlalchemy.orm.session:Session.commit"),
    ("  every ORM flush (Session.flush, in commit too)", "sqlalchemy.orm.session:Session.flush"),
    ("  answer (api/schemas.py:present_signal)", "signals.api.schemas:present_signal"),
    (
        "    may see reporter (workflow/access.py:shows_reporter)",
        "signals.workflow.access:shows_reporter",
    ),
    ("    allowed actions (api/schemas.py:actions_for)", "signals.api.schemas:actions_for"),
    ("  marshmallow Schema() instances (fields deep-copied)", "marshmallow.schema:Schema.__init__"),
    ("  marshmallow Schema.load", "marshmallow.schema:Schema.load"),
    ("  marshmallow Schema.dump", "marshmallow.schema:Schema.dump"),
    ("  JSON encoding (flask jsonify)", "flask.json:jsonify"),
    (
        "  across the request: reloading expired objects",
        "sqlalchemy.orm.state:InstanceState._load_expired",
    ),
    (
        "  across the request: lazy loads of relationships",
        "sqlalchemy.orm.strategies:LazyLoader._load_for_state",
    ),
    ("  across the request: SQL round trips (psycopg)", "psycopg.cursor:Cursor.execute"),
    ("  session teardown", "flask_sqlalchemy.extension:SQLAlchemy._teardown_session"),
]


def code_key(dotted: str) -> tuple[str, int, str] | None:
    """The cProfile key (file, first line, name) of the function ``module:qualified.name``."""
    module_name, _, qualified = dotted.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualified.split("."):
        target = getattr(target, part, None)
        if target is None:
            return None
    code = getattr(inspect.unwrap(target), "__code__", None)
    if code is None:
        return None
    return code.co_filename, code.co_firstlineno, code.co_name


def statement_label(statement: str) -> str:
    """A short name for a SQL statement: its verb, its table and the first condition."""
    flat = " ".join(statement.split())
    verb = flat.split(" ", 1)[0].upper()
    if verb == "SELECT":
        table = re.search(r"\bFROM (\w+)", flat)
        where = re.search(r"\bWHERE (\S+ \S+ \S+)", flat)
        condition = re.sub(r"%\(\w+\)s(::\w+)?", "?", where.group(1)) if where else ""
        return f"SELECT {table.group(1) if table else '?'}" + (
            f" WHERE {condition}" if condition else ""
        )
    target = re.search(r"^(?:INSERT INTO|UPDATE|DELETE FROM) (\w+)", flat)
    suffix = " ON CONFLICT" if " ON CONFLICT " in flat else ""
    return f"{verb} {target.group(1) if target else flat[:40]}{suffix}"


@contextmanager
def sql_tally() -> Iterator[dict[str, list[float]]]:
    """Every statement run on any engine during the block: label → durations (s)."""
    tally: dict[str, list[float]] = {}

    def before(conn: Any, *_args: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        began = conn.info["bench_started"].pop()
        tally.setdefault(statement_label(statement), []).append(time.perf_counter() - began)

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield tally
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)


def submitter(app: Flask, path: str, token: str | None, tag: str) -> Callable[[int], None]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def submit(number: int) -> None:
        response = client.post(path, json=signal_body(number, tag), headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)}")

    return submit


@dataclass
class Plain:
    """Submissions one at a time, in-process: ms per request of wall time and CPU."""

    wall_ms: float
    cpu_ms: float  # of this process: the app, werkzeug's test client, SQLAlchemy, psycopg
    postgres_cpu_ms: float


def plain(submit: Callable[[int], None], count: int, first: int, database: str) -> Plain:
    postgres_before = postgres_cpu(database)
    cpu = time.process_time()
    wall = time.perf_counter()
    for number in range(first, first + count):
        submit(number)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    postgres = sum(
        seconds - postgres_before.get(pid, 0.0) for pid, seconds in postgres_cpu(database).items()
    )
    return Plain(wall * 1000 / count, cpu * 1000 / count, postgres * 1000 / count)


ProfileRows = dict[tuple[str, int, str], tuple[int, int, float, float, Any]]


def profiled(work: Callable[[], Any], timer: Callable[[], float]) -> ProfileRows:
    """cProfile's rows for ``work``, timed with ``timer``: (file, line, name) → (…, ct, …)."""
    profiler = cProfile.Profile(timer)
    profiler.enable()
    work()
    profiler.disable()
    rows: ProfileRows = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return rows


def own_by_library(rows: ProfileRows) -> dict[str, float]:
    libraries: dict[str, float] = {}
    for (filename, _line, _function), (_cc, _nc, own, _ct, _callers) in rows.items():
        libraries[library_of(filename)] = libraries.get(library_of(filename), 0.0) + own
    return libraries


def library_of(filename: str) -> str:
    if "site-packages/psycopg/" in filename:
        return "psycopg (wall: sending to and waiting for PG)"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    if "/signals/" in filename:
        return "signals (the application)"
    if filename.startswith("~") or filename.startswith("<"):
        return "C built-ins (socket calls, json, hashing, …)"
    return "Python standard library"


def profile(url: str, token: str, count: int) -> None:
    """Where a submission's time goes: in-process, plainly timed, SQL counted, cProfiled."""
    api = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    ceiling = ceiling_app.create_app(url)
    api_submit = submitter(api, API_PATH, token, "profiel")
    ceiling_submit = submitter(ceiling, CEILING_PATH, None, "profiel")
    database = database_name(url)
    plain(api_submit, 30, 0, database)  # first use: templates compiled, statements cached
    plain(ceiling_submit, 30, 0, database)

    print(f"\nwhere a submission's time goes — in-process (test client), {count} one at a time:")
    api_plain = plain(api_submit, count, 1000, database)
    ceiling_plain = plain(ceiling_submit, count, 1000, database)
    for label, figures in (("API", api_plain), ("ceiling", ceiling_plain)):
        print(
            f"  {label:<8} {figures.wall_ms:>6.2f} ms wall per request; CPU: Python "
            f"{figures.cpu_ms:>5.2f} ms, PostgreSQL {figures.postgres_cpu_ms:>4.2f} ms"
        )
    api_cpu = api_plain.cpu_ms + api_plain.postgres_cpu_ms
    ceiling_cpu = ceiling_plain.cpu_ms + ceiling_plain.postgres_cpu_ms
    print(
        f"  → on 2 cores throughput is bound by CPU per request: the API needs "
        f"{api_cpu / ceiling_cpu:.1f}× the ceiling's ({api_cpu:.1f} against {ceiling_cpu:.1f} "
        f"ms), so the ratio cannot pass about {ceiling_cpu / api_cpu:.2f}"
    )
    print_statements("API", api_submit, count, database, itemised=True)
    print_statements("ceiling", ceiling_submit, count, database, itemised=False)
    wall = profiled(lambda: plain(api_submit, count, 3000, database), time.perf_counter)
    cpu = profiled(lambda: plain(api_submit, count, 4000, database), time.process_time)
    print_profile(wall, cpu, count, api_plain)
    with api.app_context():
        db.engine.dispose()
    with ceiling.app_context():
        ceiling_app.db.engine.dispose()


def print_statements(
    label: str, submit: Callable[[int], None], count: int, database: str, *, itemised: bool
) -> None:
    with sql_tally() as tally:
        began = time.perf_counter()
        plain(submit, count, 2000, database)
        elapsed = time.perf_counter() - began
    statements = sum(len(durations) for durations in tally.values())
    in_sql = sum(sum(durations) for durations in tally.values())
    print(
        f"\n  {label}: {statements / count:.1f} SQL statements per request, "
        f"{in_sql * 1000 / count:.2f} ms in them (round trip and SQLAlchemy's cursor work) of "
        f"{elapsed * 1000 / count:.2f} ms; pre-ping and COMMIT not counted"
    )
    if itemised:
        for name, durations in sorted(tally.items(), key=lambda item: -sum(item[1])):
            print(
                f"    {len(durations) / count:>4.1f}× {sum(durations) * 1000 / count:>6.3f} ms"
                f"  {name}"
            )


def print_profile(wall: ProfileRows, cpu: ProfileRows, count: int, unprofiled: Plain) -> None:
    """The steps of the path, the libraries and the costliest functions, wall and CPU."""
    whole = code_key(PATH_STEPS[0][1])
    wall_total = wall[whole][3] if whole in wall else sum(row[2] for row in wall.values())
    cpu_total = cpu[whole][3] if whole in cpu else sum(row[2] for row in cpu.values())
    print(
        f"\n  cProfile of the API path, {count} submissions each: inclusive ms per request of wall "
        f"time (waits for PostgreSQL included) and of this process's CPU, with their shares of "
        f"the request. The profiler's own cost inflates the figures (wall "
        f"×{wall_total * 1000 / count / unprofiled.wall_ms:.1f}, CPU "
        f"×{cpu_total * 1000 / count / unprofiled.cpu_ms:.1f} the plain ones): read the shares."
    )
    print(f"    {'':<56} {'wall':>9} {'':>4}  {'CPU':>8} {'':>4}")
    for label, dotted in PATH_STEPS:
        key = code_key(dotted)
        if key is None or key not in wall:
            continue
        calls, wall_s = wall[key][1], wall[key][3]
        cpu_s = cpu[key][3] if key in cpu else 0.0
        print(
            f"    {label:<56} {wall_s * 1000 / count:>6.2f} ms {wall_s / wall_total:>4.0%}  "
            f"{cpu_s * 1000 / count:>5.2f} ms {cpu_s / cpu_total:>4.0%}  ({calls / count:.1f}×)"
        )
    print("\n  own time by library (ms per request, share; wall and CPU):")
    wall_libraries = own_by_library(wall)
    cpu_libraries = own_by_library(cpu)
    for library, wall_s in sorted(wall_libraries.items(), key=lambda item: -item[1])[:10]:
        cpu_s = cpu_libraries.get(library, 0.0)
        print(
            f"    {library:<44} {wall_s * 1000 / count:>6.2f} ms {wall_s / wall_total:>4.0%}  "
            f"{cpu_s * 1000 / count:>5.2f} ms {cpu_s / cpu_total:>4.0%}"
        )
    print("\n  the 12 functions with the most own CPU time:")
    for (filename, line, function), (_cc, calls, own, _ct, _callers) in sorted(
        cpu.items(), key=lambda item: -item[1][2]
    )[:12]:
        where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        print(
            f"    {own * 1000 / count:>6.3f} ms {calls / count:>6.1f}×  {function} ({where}:{line})"
        )


# Main -----------------------------------------------------------------------------------------


def check_landed(url: str, expected: int) -> None:
    """The API's signals are in the database, at the teamleider, with their e-mails."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        nodes = dict(
            db.session.execute(select(Signal.node, func.count()).group_by(Signal.node)).all()
        )
        outbox = dict(
            db.session.execute(
                select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)
            ).all()
        )
        stored = sum(nodes.values())
        print(
            f"\nstored by the API: {stored} signals (answered 201: {expected}) at {nodes}; "
            f"outbox: {outbox}"
        )
        if stored != expected or set(nodes) != {"teamleider"}:
            print("  !! the stored signals do not match the answers")
        db.engine.dispose()


@contextmanager
def exclusive_run(url: str) -> Iterator[None]:
    """One run at a time per database: two runs would empty each other's database."""
    with psycopg.connect(libpq_url(url), autocommit=True, application_name=MONITOR) as connection:
        row = connection.execute("SELECT pg_try_advisory_lock(%s)", (RUN_LOCK,)).fetchone()
        if row is None or not row[0]:
            raise SystemExit(f"another run is using {database_name(url)}; try again when it ends")
        yield


def measure(
    args: argparse.Namespace, url: str, token: str
) -> tuple[list[Measurement], list[Measurement]]:
    """Start both servers, warm them up, measure them in turn; stop them whatever happens."""
    env = {**os.environ, "SIGNALS_DATABASE_URL": url, "SIGNALS_SECRET_KEY": SECRET_KEY}
    env.pop("SIGNALS_SMTP_HOST", None)
    servers: list[Server] = []
    measurements: dict[str, list[Measurement]] = {"ceiling": [], "API": []}
    with tempfile.TemporaryDirectory(prefix="api-bench-") as logs:
        try:
            ceiling = start_server(
                "ceiling", CEILING_TARGET, CEILING_PATH, None, args, env, Path(logs)
            )
            servers.append(ceiling)
            api = start_server("API", "wsgi:app", API_PATH, token, args, env, Path(logs))
            servers.append(api)
            wait_until_answering(ceiling, "/health")
            wait_until_answering(api, "/api/v1/openapi.json")
            print(
                f"gunicorn {' '.join(gunicorn_settings(args))} --bind 127.0.0.1:<free port> "
                f"(both); ceiling on :{ceiling.port}, API on :{api.port}"
            )
            print(
                f"load: {args.concurrency} keep-alive connections from a separate process, at "
                f"most {args.requests} requests / {args.seconds:g} s per measurement, "
                f"{args.rounds} rounds; warm-up {args.warmup} requests each\n"
            )
            for server in (ceiling, api):
                warm = load(server, args.warmup, 60, args.concurrency, "opwarmen")
                if warm.errors:
                    raise RuntimeError(f"{server.label} warm-up failed: {warm.first_errors}")
            for round_number in range(1, args.rounds + 1):
                for server in (ceiling, api) if round_number % 2 else (api, ceiling):
                    measurement = load(
                        server, args.requests, args.seconds, args.concurrency, f"r{round_number}"
                    )
                    measurements[server.label].append(measurement)
                    print(describe(f"round {round_number}  ", measurement))
                    print(describe_cpu("           ", measurement))
        finally:
            for server in servers:
                stop_server(server)
    return measurements["ceiling"], measurements["API"]


def report(
    ceiling_measurements: list[Measurement], api_measurements: list[Measurement]
) -> tuple[bool, bool]:
    """Print the pooled figures and the ratio; whether the target is met, whether all is valid."""
    ceiling_all = pooled("ceiling", ceiling_measurements)
    api_all = pooled("API", api_measurements)
    print("\nall rounds:")
    print(describe("  ", ceiling_all))
    print(describe("  ", api_all))
    print(describe_cpu("  ", ceiling_all))
    print(describe_cpu("  ", api_all))
    print(describe_backends("  ", ceiling_all))
    print(describe_backends("  ", api_all))
    for m in (ceiling_all, api_all):
        if m.errors:
            print(f"  !! {m.label}: {m.errors} errors, statuses {m.statuses}: {m.first_errors}")
    ratio = api_all.throughput / ceiling_all.throughput if ceiling_all.throughput else 0.0
    print(
        f"\nratio API / ceiling: throughput {ratio:.2f} (target ≥ {TARGET_RATIO:.2f}: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}); latency p50 "
        f"{api_all.percentile(0.5) / ceiling_all.percentile(0.5):.1f}×, p95 "
        f"{api_all.percentile(0.95) / ceiling_all.percentile(0.95):.1f}× the ceiling's"
    )
    busiest = max(m.other_cores for m in [*ceiling_measurements, *api_measurements])
    if busiest > QUIET_CORES:
        print(
            f"!! the machine was not quiet: other processes used up to {busiest:.2f} cores "
            f"during a measurement, so the absolute figures are low; both servers were measured "
            f"alternately, which keeps the ratio fairer than the figures"
        )
    errors = ceiling_all.errors + api_all.errors
    if errors:
        print(f"!! INVALID: {errors} requests failed; the figures above do not count.")
    return errors == 0 and ratio >= TARGET_RATIO, errors == 0


def _raise_on_term(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=4000, help="per measurement, at most")
    parser.add_argument("--seconds", type=float, default=15, help="per measurement, at most")
    parser.add_argument("--concurrency", type=int, default=8, help="connections of the client")
    parser.add_argument("--rounds", type=int, default=2, help="measurements of each server")
    parser.add_argument("--warmup", type=int, default=300, help="requests to each server first")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--profile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="profile the API path afterwards (default: only when the target is missed)",
    )
    parser.add_argument("--profile-requests", type=int, default=300)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _raise_on_term)

    url = os.environ.get("SIGNALS_API_BENCH_DATABASE_URL", DEFAULT_URL)
    check_database(url)
    ensure_database(url)
    with exclusive_run(url):
        began = time.perf_counter()
        token = reset_and_seed(url)
        print(
            f"database {database_name(url)} reset and seeded in {time.perf_counter() - began:.1f} s"
        )
        ceiling_measurements, api_measurements = measure(args, url, token)
        met, valid = report(ceiling_measurements, api_measurements)
        answered = sum(m.completed for m in api_measurements) + args.warmup
        check_landed(url, answered)
        if args.profile or (args.profile is None and not met):
            profile(url, token, args.profile_requests)
    if not valid:
        sys.exit(1)


if __name__ == "__main__":
    main()
