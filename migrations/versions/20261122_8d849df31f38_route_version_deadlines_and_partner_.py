"""route version, deadlines and partner contact

Revision ID: 8d849df31f38
Revises: 10dfb490189a
Create Date: 2026-11-22 22:10:14.094412

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d849df31f38'
down_revision = '10dfb490189a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_organisations_contact_user_id_users', 'users', ['contact_user_id'], ['id'], use_alter=True)

    with op.batch_alter_table('signals', schema=None) as batch_op:
        # Signals routed before route files existed get the version 'legacy'.
        batch_op.add_column(sa.Column('route_version', sa.String(length=32), nullable=False, server_default='legacy'))
        batch_op.add_column(sa.Column('accept_due', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('feedback_due', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('update_due', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_signals_node_status', ['node', 'status'], unique=False)

    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.alter_column('route_version', server_default=None)



def downgrade():
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_index('ix_signals_node_status')
        batch_op.drop_column('update_due')
        batch_op.drop_column('feedback_due')
        batch_op.drop_column('accept_due')
        batch_op.drop_column('route_version')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_organisations_contact_user_id_users', type_='foreignkey')
        batch_op.drop_column('contact_user_id')

