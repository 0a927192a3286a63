"""workflow: versions, participants, kwesties, pattern alerts

Revision ID: 5d276a3659e9
Revises: 8d849df31f38
Create Date: 2026-11-22 22:49:28.274229

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d276a3659e9'
down_revision = '8d849df31f38'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pattern_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regulation', sa.String(length=64), nullable=False),
    sa.Column('source_organisation', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('signal_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pattern_alerts')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_pattern_alerts_fingerprint'))
    )
    op.create_table('kwesties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('regulation', sa.String(length=64), nullable=True),
    sa.Column('level', sa.String(length=32), nullable=True),
    sa.Column('source_organisation', sa.String(length=64), nullable=True),
    sa.Column('node', sa.String(length=64), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('owner_group', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('rationale', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status <> 'decided' OR (outcome IS NOT NULL AND rationale IS NOT NULL)", name=op.f('ck_kwesties_decided_has_outcome')),
    sa.CheckConstraint("status IN ('open', 'decided')", name=op.f('ck_kwesties_status')),
    sa.CheckConstraint('(owner_user_id IS NULL) <> (owner_group IS NULL)', name=op.f('ck_kwesties_exactly_one_owner')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_kwesties_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_kwesties_owner_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kwesties'))
    )
    with op.batch_alter_table('kwesties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kwesties_regulation'), ['regulation'], unique=False)

    op.create_table('kwestie_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kwestie_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_kwestie_events_actor_id_users')),
    sa.ForeignKeyConstraint(['kwestie_id'], ['kwesties.id'], name=op.f('fk_kwestie_events_kwestie_id_kwesties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kwestie_events'))
    )
    with op.batch_alter_table('kwestie_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kwestie_events_kwestie_id'), ['kwestie_id'], unique=False)

    op.create_table('signal_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signal_id', sa.Integer(), nullable=False),
    sa.Column('node', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('group', sa.String(length=64), nullable=True),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> ("group" IS NULL)', name=op.f('ck_signal_participants_person_or_group')),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_signal_participants_signal_id_signals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signal_participants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signal_participants'))
    )
    with op.batch_alter_table('signal_participants', schema=None) as batch_op:
        batch_op.create_index('ix_signal_participants_group', ['group', 'signal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signal_participants_signal_id'), ['signal_id'], unique=False)
        batch_op.create_index('ix_signal_participants_user', ['user_id', 'signal_id'], unique=False)

    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kwestie_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.create_index(batch_op.f('ix_signals_kwestie_id'), ['kwestie_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_signals_kwestie_id_kwesties'), 'kwesties', ['kwestie_id'], ['id'])

    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.alter_column('version', server_default=None)

    # Signals placed before participants were kept: their current owner becomes one.
    op.execute(
        "INSERT INTO signal_participants (signal_id, node, user_id, \"group\", since) "
        "SELECT id, node, owner_user_id, owner_group, updated_at FROM signals"
    )


def downgrade():
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_signals_kwestie_id_kwesties'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_signals_kwestie_id'))
        batch_op.drop_column('version')
        batch_op.drop_column('kwestie_id')

    with op.batch_alter_table('signal_participants', schema=None) as batch_op:
        batch_op.drop_index('ix_signal_participants_user')
        batch_op.drop_index(batch_op.f('ix_signal_participants_signal_id'))
        batch_op.drop_index('ix_signal_participants_group')

    op.drop_table('signal_participants')
    with op.batch_alter_table('kwestie_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kwestie_events_kwestie_id'))

    op.drop_table('kwestie_events')
    with op.batch_alter_table('kwesties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kwesties_regulation'))

    op.drop_table('kwesties')
    op.drop_table('pattern_alerts')
