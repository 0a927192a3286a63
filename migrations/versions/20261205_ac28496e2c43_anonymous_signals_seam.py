"""Anonymous signals: a signal may have no reporter; the anonymous channel's reporter kind.

``signals.reporter_id`` becomes optional (an anonymous signal, and one retention has
anonymised); ``signals.anonymous`` marks what came in through the anonymous channel; an
organisation may be of kind ``anonymous`` (the channel's one pseudo-organisation).

Revision ID: ac28496e2c43
Revises: 6ac8f7ff453d
Create Date: 2026-12-05 17:12:02.502823

"""

import sqlalchemy as sa
from alembic import op

revision = "ac28496e2c43"
down_revision = "6ac8f7ff453d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.alter_column("reporter_id", existing_type=sa.INTEGER(), nullable=True)
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_kind"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_organisations_kind"), "kind IN ('staff', 'partner', 'anonymous')"
        )


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_organisations_kind"), "kind IN ('staff', 'partner')")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.alter_column("reporter_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("anonymous")
