"""Liveness (``/healthz``) and readiness (``/readyz``) for the load balancer and the orchestrator.

Liveness says only that the process answers. Readiness says the service can do its work: the
database answers, its schema is at the newest Alembic migration of this code, and the route
file is loaded. Both are public, set no cookie and are never cached.
"""

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from signals.extensions import db
from signals.routing.services import EXTENSION_KEY as ROUTES_KEY

bp = Blueprint("operations", __name__)

HEADS_KEY = "signals.operations.heads"


@bp.get("/healthz")
def healthz() -> Response:
    """Alive: the process answers requests."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready: 200 with ``status: ok``, or 503 with the problems in Dutch and English."""
    problems = database_problems() + route_problems()
    if problems:
        return _no_store(jsonify(status="unavailable", problems=problems)), 503
    return _no_store(jsonify(status="ok", checks=["database", "schema", "routes"])), 200


def database_problems() -> list[str]:
    """Whether the database answers and its schema is at this code's newest migration."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        return ["database niet bereikbaar / database unreachable"]
    expected = migration_heads()
    if current != expected:
        return [
            "databaseschema niet bij: voer 'signals db upgrade' uit / schema not at the latest "
            f"migration (database: {_names(current)}, code: {_names(expected)})"
        ]
    return []


def route_problems() -> list[str]:
    """Whether the route file was loaded."""
    if current_app.extensions.get(ROUTES_KEY) is None:
        return ["routebestand niet geladen / route file not loaded"]
    return []


def migration_heads() -> set[str]:
    """The newest revision(s) in the migrations folder, read once per app."""
    heads: set[str] | None = current_app.extensions.get(HEADS_KEY)
    if heads is None:
        scripts = ScriptDirectory(current_app.config["MIGRATIONS_DIR"])
        heads = set(scripts.get_heads())
        current_app.extensions[HEADS_KEY] = heads
    return heads


def _names(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions)) or "geen / none"


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
