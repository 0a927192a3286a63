"""Retention: when a signal was closed and anonymised, its legal hold; an append-only history.

``signals.closed_at`` is when a signal was last closed (resolved or withdrawn; filled in
here from ``resolved_at`` and from the ``withdrawn`` event), from which retention counts;
``signals.anonymised_at`` marks a signal whose free text and names retention removed;
``signals.legal_hold`` keeps one from that. ``ix_signals_retention`` (partial: not yet
anonymised) finds the closed signals in the order the sweep takes them, without a sort.

PostgreSQL only: a trigger refuses UPDATE and DELETE of ``signal_events`` and
``kwestie_events`` rows. The one exception is retention's anonymisation: in a transaction
that has set ``signals.anonymising`` to ``on`` (``set_config(..., true)``, local to the
transaction) an event's data and actor may be blanked, never its id, parent, type or moment.
TRUNCATE (the test suite's clean-up) is not a row change and is not refused.

Revision ID: 5e0a7c1d2b94
Revises: ee274b334530
Create Date: 2026-12-05 17:19:29.123463

"""

import sqlalchemy as sa
from alembic import op

revision = "5e0a7c1d2b94"
down_revision = "ee274b334530"
branch_labels = None
depends_on = None

signals = sa.table(
    "signals",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("resolved_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("closed_at", sa.DateTime(timezone=True)),
)
signal_events = sa.table(
    "signal_events",
    sa.column("signal_id", sa.Integer()),
    sa.column("type", sa.String()),
    sa.column("at", sa.DateTime(timezone=True)),
)

APPEND_ONLY_FUNCTION = """
CREATE FUNCTION refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND current_setting('signals.anonymising', true) = 'on'
        AND NEW.id = OLD.id
        AND NEW.type = OLD.type
        AND NEW.at = OLD.at
        AND NEW.actor_id IS NULL
        AND (TG_TABLE_NAME <> 'signal_events' OR NEW.signal_id = OLD.signal_id)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the history in % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
EVENT_TABLES = ("signal_events", "kwestie_events")


def upgrade():
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            "ix_signals_retention",
            ["closed_at", "id"],
            unique=False,
            postgresql_where=sa.text("anonymised_at IS NULL"),
            sqlite_where=sa.text("anonymised_at IS NULL"),
        )

    op.execute(
        signals.update()
        .where(signals.c.status == "resolved")
        .values(closed_at=signals.c.resolved_at)
    )
    withdrawal = (
        sa.select(sa.func.max(signal_events.c.at))
        .where(signal_events.c.signal_id == signals.c.id, signal_events.c.type == "withdrawn")
        .scalar_subquery()
    )
    op.execute(
        signals.update()
        .where(signals.c.status == "withdrawn")
        .values(closed_at=sa.func.coalesce(withdrawal, signals.c.updated_at))
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        for table in EVENT_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_event_change()"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in EVENT_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION refuse_event_change()")

    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index("ix_signals_retention")
        batch_op.drop_column("legal_hold")
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("closed_at")
