"""Outbox delivery speed: 100,000 queued e-mails to a local SMTP server.

Run: .venv/bin/python benchmarks/mail_delivery.py [--messages 100000] [--sqlite]
Uses SIGNALS_MAIL_BENCH_DATABASE_URL (default: a database "signals_mail_bench" on the local
PostgreSQL, created if missing) and migrates it with Alembic. Each run empties the outbox,
queues the messages directly in the table (INSERT … SELECT generate_series; a receipt-sized
plain text and HTML body with Dutch accents), vacuums as autovacuum would, and times
``signals.notifications.delivery.deliver_pending`` itself, as one scheduler sweep would call
it, against aiosmtpd in a process of its own that counts messages and connections and
throws the messages away. Prints mails/s, the seconds for the whole queue, the connections
the server saw, and what building the messages alone costs. ``--sqlite`` measures the same
on a fresh SQLite file as well.
"""

import argparse
import multiprocessing
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench_db import ensure_database, vacuum
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, insert, select, text

from signals import create_app
from signals.extensions import db
from signals.notifications.delivery import BATCH_SIZE, as_envelope, deliver_pending
from signals.notifications.models import OutboxMessage

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/signals_mail_bench"
QUEUED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SWEEP_AT = QUEUED_AT + timedelta(hours=1)
BUILD_SAMPLE = 10_000

BODY_TEXT = (
    "Beste melder,\n\n"
    "Bedankt voor uw signaal over een knellend mechanisme. Het is geregistreerd en ligt nu "
    "bij de teamleider van uw afdeling, die uiterlijk over twee werkdagen reageert. U krijgt "
    "bericht bij elke stap: wanneer het signaal in behandeling wordt genomen, wanneer het "
    "wordt doorgestuurd, en wanneer er een besluit is, ook als dat besluit 'nee' is.\n\n"
    "Uw signaal: https://signalen.gemeente.example/signalen/KM-2026-000123\n\n"
    "Wat er met signalen gebeurt, ziet u op de routekaart. Heeft u aanvullingen, zoals een "
    "tweede casus of een brief van een uitvoeringsorganisatie, reageer dan via de pagina van "
    "het signaal; stuur geen persoonsgegevens of BSN's mee.\n\n"
    "Met vriendelijke groet,\nSignalen knellende mechanismen – Gemeente\n"
)
BODY_HTML = (
    "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
    "<title>Uw signaal is ontvangen</title></head><body style='font-family: sans-serif'>"
    + "".join(f"<p>{paragraph}</p>" for paragraph in BODY_TEXT.split("\n\n"))
    + "<p><a href='https://signalen.gemeente.example/signalen/KM-2026-000123'>"
    "Naar uw signaal</a> · <a href='https://signalen.gemeente.example/routekaart'>"
    "Routekaart</a></p><hr><p style='color: #555'>U ontvangt dit bericht omdat u een "
    "signaal heeft gemeld. Reacties op dit adres worden niet gelezen.</p></body></html>"
)

QUEUE_SQL = """
INSERT INTO outbox_messages (message_id, recipient, subject, body_text, body_html, kind,
                             status, attempts, next_attempt_at, created_at)
SELECT '<bench-' || n || '@gemeente.example>', 'melder' || n || '@gemeente.example',
       '[KM-2026-' || lpad(n::text, 6, '0') || '] Uw signaal is ontvangen',
       :body_text, :body_html, 'receipt', 'pending', 0,
       CAST(:queued_at AS timestamptz) + n * interval '1 millisecond',
       CAST(:queued_at AS timestamptz)
FROM generate_series(1, :count) AS n
"""


# The SMTP server, in a process of its own ----------------------------------------------------


class CountingHandler:
    """Accepts every message, keeps only the counts."""

    def __init__(self) -> None:
        self.messages = 0
        self.connections = 0
        self.octets = 0

    async def handle_EHLO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages += 1
        self.octets += len(envelope.original_content)
        return "250 OK"


def serve(port: int, commands: Connection) -> None:
    """Run the server until told to stop; then answer with the counts."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    commands.send("ready")
    while commands.recv() != "stop":
        commands.send((handler.messages, handler.connections, handler.octets))
    controller.stop()
    commands.send((handler.messages, handler.connections, handler.octets))


class SmtpProcess:
    """aiosmtpd in another process (a core of its own), so it does not share our GIL."""

    def __init__(self, port: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.commands, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(port, theirs), daemon=True)
        self.process.start()
        if self.commands.recv() != "ready":
            raise SystemExit("the SMTP server did not start")

    def counts(self) -> tuple[int, int, int]:
        self.commands.send("count")
        result: tuple[int, int, int] = self.commands.recv()
        return result

    def stop(self) -> None:
        self.commands.send("stop")
        self.commands.recv()
        self.process.join(timeout=10)


# The queue ------------------------------------------------------------------------------------


def queue_messages(count: int) -> None:
    """An empty outbox, then ``count`` pending messages, all due at the sweep."""
    db.session.execute(text("DELETE FROM outbox_messages"))
    values = {"body_text": BODY_TEXT, "body_html": BODY_HTML, "queued_at": QUEUED_AT}
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(QUEUE_SQL), {**values, "count": count})
    else:
        db.session.execute(insert(OutboxMessage), [row(n) for n in range(1, count + 1)])
    db.session.commit()


def row(n: int) -> dict[str, Any]:
    return {
        "message_id": f"<bench-{n}@gemeente.example>",
        "recipient": f"melder{n}@gemeente.example",
        "subject": f"[KM-2026-{n:06d}] Uw signaal is ontvangen",
        "body_text": BODY_TEXT,
        "body_html": BODY_HTML,
        "kind": "receipt",
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": QUEUED_AT + timedelta(milliseconds=n),
        "created_at": QUEUED_AT,
    }


def count_by_status() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts: dict[str, int] = dict(rows.all())
    db.session.rollback()
    return counts


# Measuring ------------------------------------------------------------------------------------


def time_building() -> float:
    """Seconds per message to build and encode (no database, no network)."""
    messages = db.session.scalars(select(OutboxMessage).limit(BUILD_SAMPLE)).all()
    started = time.perf_counter()
    for message in messages:
        as_envelope(message)
    seconds = time.perf_counter() - started
    db.session.rollback()
    return seconds / len(messages)


def measure(app: Flask, label: str, count: int, server: SmtpProcess) -> None:
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        queue_messages(count)
        print(f"\n{label}: queued {count:,} messages in {time.perf_counter() - started:.1f} s")
        if db.engine.dialect.name == "postgresql":
            vacuum()
        build = time_building()
        received_before, connections_before, octets_before = server.counts()
        db.session.remove()

        cpu_started, started = time.process_time(), time.perf_counter()
        report = deliver_pending(SWEEP_AT)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started

        received, connections, octets = server.counts()
        received -= received_before
        connections -= connections_before
        octets -= octets_before
        print(f"    {report.summary()}; statuses now {count_by_status()}")
        print(
            f"    {seconds:.1f} s for {count:,}: {len(report.sent) / seconds:,.0f} mails/s; "
            f"this process's CPU {cpu:.1f} s ({cpu / seconds:.0%} of a core)"
        )
        print(
            f"    the server received {received:,} messages ({octets / received / 1024:.1f} KiB "
            f"each) over {connections:,} connections (batches of {BATCH_SIZE})"
        )
        print(f"    building and encoding alone: {build * 1000:.2f} ms per message")


def make_app(url: str, port: int) -> Flask:
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "MAIL_FROM": "signalen@gemeente.example",
        }
    )


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--sqlite", action="store_true", help="measure on SQLite as well")
    args = parser.parse_args()
    url = os.environ.get("SIGNALS_MAIL_BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    port = free_port()
    server = SmtpProcess(port)
    print(f"aiosmtpd on 127.0.0.1:{port} in process {server.process.pid}; {os.cpu_count()} cores")
    try:
        measure(make_app(url, port), "PostgreSQL", args.messages, server)
        if args.sqlite:
            with tempfile.TemporaryDirectory() as folder:
                sqlite_url = f"sqlite:///{Path(folder) / 'mail-bench.sqlite'}"
                measure(make_app(sqlite_url, port), "SQLite", args.messages, server)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
