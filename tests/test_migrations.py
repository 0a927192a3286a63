"""The schema is made only by Alembic: after ``upgrade`` the models and the database agree."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from signals.database import Base, compared_by_alembic
from signals.extensions import db


def test_models_and_migrations_agree() -> None:
    with db.engine.connect() as connection, warnings.catch_warnings():
        if connection.dialect.name == "sqlite":
            # SQLite cannot reflect expression indexes; the inbox's partial indexes exist only
            # on PostgreSQL (ddl_if), where they are compared like every other index.
            warnings.filterwarnings(
                "ignore", "autogenerate skipping metadata-specified expression-based index"
            )
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": compared_by_alembic,
            },
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_exists_with_alembic_version() -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables
