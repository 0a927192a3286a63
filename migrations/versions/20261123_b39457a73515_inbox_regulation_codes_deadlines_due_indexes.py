"""inbox: regulation codes on the signal, open signals keep deadlines, due-date indexes

The inbox sorts by coalesce(accept_due if new else feedback_due, update_due, far future).
An index on exactly that expression per owner column, split into open and resolved signals
(PostgreSQL only), lets the database walk a page in order instead of sorting everything a
group owns; the included columns let it filter and count without reading the table. For
that the regulations are copied onto the signal as "|code|code|" (regulation_codes), and an
open signal always has its accept and feedback deadlines (older open signals without them
are due from their creation). SQLite gets the column and the constraint, not the indexes.

Revision ID: b39457a73515
Revises: 5d276a3659e9
Create Date: 2026-11-23 00:23:51.770724

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b39457a73515'
down_revision = '5d276a3659e9'
branch_labels = None
depends_on = None

DUE = (
    "coalesce(CASE WHEN (status = 'new') THEN accept_due ELSE feedback_due END, update_due, "
    "'9999-01-01 00:00:00+00:00')"
)
PARTS = {
    "open": "status IN ('new', 'in_progress', 'awaiting_reporter')",
    "resolved": "status = 'resolved'",
}
OWNERS = ("owner_user_id", "owner_group")
# What the filters and the sort expression read: filtering and counting stay index-only.
INCLUDES = [
    "status",
    "accept_due",
    "feedback_due",
    "update_due",
    "node",
    "urgency",
    "scope",
    "organisation_id",
    "regulation_codes",
]
AGGREGATE = {
    "postgresql": "string_agg(code, '|' ORDER BY position)",
    "sqlite": "group_concat(code, '|')",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('regulation_codes', sa.String(length=1000), nullable=False, server_default='')
        )
    op.execute(
        "UPDATE signals SET regulation_codes = coalesce(("
        f"SELECT '|' || {AGGREGATE.get(dialect, AGGREGATE['sqlite'])} || '|' "
        "FROM signal_regulations WHERE signal_regulations.signal_id = signals.id), '')"
    )
    op.execute(
        "UPDATE signals SET accept_due = coalesce(accept_due, created_at), "
        "feedback_due = coalesce(feedback_due, created_at) WHERE status <> 'resolved'"
    )
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.alter_column('regulation_codes', server_default=None)
        batch_op.create_check_constraint(
            'open_has_deadlines',
            "status = 'resolved' OR (accept_due IS NOT NULL AND feedback_due IS NOT NULL)",
        )
    if dialect != "postgresql":
        return
    for owner in OWNERS:
        for part, condition in PARTS.items():
            op.create_index(
                f"ix_signals_{owner}_{part}_due",
                "signals",
                [owner, sa.literal_column(DUE), "id"],
                postgresql_where=sa.text(condition),
                postgresql_include=INCLUDES,
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for owner in OWNERS:
            for part in PARTS:
                op.drop_index(f"ix_signals_{owner}_{part}_due", table_name="signals")
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_signals_open_has_deadlines'), type_='check')
        batch_op.drop_column('regulation_codes')
