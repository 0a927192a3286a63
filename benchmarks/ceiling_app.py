"""The ceiling for benchmarks/api_throughput.py: a bare Flask app that only stores one row.

Same stack as the service — Flask, Flask-SQLAlchemy on SQLAlchemy, psycopg, the same
PostgreSQL database, served by gunicorn with the same settings — and nothing else: no
authentication, no validation, no routing, no events, no e-mail. ``POST /submissions`` parses
the JSON body a signal submission sends, inserts one row into ``ceiling_submissions`` (a table
of its own, not one of the service's), commits and answers 201 with a small JSON object. What
the service needs per submission beyond this is what the benchmark calls its overhead.

Serve: gunicorn --chdir /work/main 'benchmarks.ceiling_app:create_app()'
(the database from ``SIGNALS_DATABASE_URL``, as the service reads it).
"""

import os
from datetime import UTC, datetime

from flask import Flask, Response, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, BigInteger, DateTime, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TABLE = "ceiling_submissions"


class Base(DeclarativeBase):
    """A metadata of its own: the ceiling's table is none of the service's."""

    metadata = MetaData()


db = SQLAlchemy(model_class=Base)


class Submission(db.Model):  # type: ignore[name-defined,misc]
    """One submitted body, as stored by the ceiling."""

    __tablename__ = TABLE

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    situation: Mapped[str] = mapped_column(Text)
    regulations: Mapped[list[str]] = mapped_column(JSON)
    level: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64))
    urgency: Mapped[str] = mapped_column(String(64))
    maatwerk: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def create_app(database_url: str | None = None) -> Flask:
    """The ceiling app on ``database_url`` (default: ``SIGNALS_DATABASE_URL``)."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url or os.environ["SIGNALS_DATABASE_URL"]
    db.init_app(app)

    @app.post("/submissions")
    def submit() -> tuple[Response, int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("title"), str):
            return jsonify({"error": "expected a JSON object with a title"}), 400
        row = Submission(
            title=body["title"],
            situation=body.get("situation", ""),
            regulations=body.get("regulations", []),
            level=body.get("level", ""),
            scope=body.get("scope", ""),
            urgency=body.get("urgency", ""),
            maatwerk=body.get("maatwerk", ""),
            created_at=datetime.now(UTC),
        )
        db.session.add(row)
        db.session.flush()  # INSERT … RETURNING id
        row_id = row.id
        db.session.commit()
        return jsonify({"id": row_id, "title": body["title"]}), 201

    @app.get("/health")
    def health() -> Response:
        return jsonify({"ok": True})

    return app


def create_table(app: Flask) -> None:
    """Make the ceiling's table, empty (drop what an earlier run left)."""
    with app.app_context():
        Submission.__table__.drop(db.engine, checkfirst=True)
        Submission.__table__.create(db.engine)
