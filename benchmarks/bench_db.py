"""What the PostgreSQL benchmarks share: their own database, and vacuuming it after seeding."""

import psycopg
from sqlalchemy import text

from signals.extensions import db


def ensure_database(url: str) -> None:
    """Create the database of SQLAlchemy ``url`` on its server if it does not exist."""
    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0].replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def vacuum() -> None:
    """What autovacuum does on a live system after seeding or a migration: statistics, and
    the visibility map that index-only scans rely on (inside an app context). Then a
    checkpoint, so that writing out the setup's changes does not fall inside a measurement."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(text("VACUUM ANALYZE"))
        autocommit.execute(text("CHECKPOINT"))
