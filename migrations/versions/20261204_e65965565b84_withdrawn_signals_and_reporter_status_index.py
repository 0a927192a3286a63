"""withdrawn signals; the reporter's signals by status

A reporter may withdraw an open signal: 'withdrawn' is a status of its own (closed, without
an outcome), so the status check takes it. Every page's navigation counts the person's
signals waiting for their answer ("Wacht op u"): an index on (reporter_id, status) makes
that an index-only count.

Downgrading refuses while withdrawn signals exist: the old schema has no way to store them.

Revision ID: e65965565b84
Revises: 92a2dccba068
Create Date: 2026-12-04 21:12:30.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e65965565b84'
down_revision = '92a2dccba068'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('new', 'in_progress', 'awaiting_reporter', 'resolved')"
NEW_STATUSES = "status IN ('new', 'in_progress', 'awaiting_reporter', 'resolved', 'withdrawn')"


def upgrade():
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_signals_status'), type_='check')
        batch_op.create_check_constraint('status', NEW_STATUSES)
        batch_op.create_index(
            batch_op.f('ix_signals_reporter_status'), ['reporter_id', 'status'], unique=False
        )


def downgrade():
    withdrawn = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM signals WHERE status = 'withdrawn'")
    )
    if withdrawn:
        raise RuntimeError(
            f"{withdrawn} withdrawn signals cannot be stored in the older schema; "
            "downgrade refused."
        )
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signals_reporter_status'))
        batch_op.drop_constraint(op.f('ck_signals_status'), type_='check')
        batch_op.create_check_constraint('status', OLD_STATUSES)
