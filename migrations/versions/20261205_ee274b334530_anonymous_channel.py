"""The anonymous channel: receipts (hashes only), addresses kept apart, daily quotas.

``anonymous_receipts`` holds the SHA-256 of each anonymous signal's receipt code;
``anonymous_contacts`` an address for notices, deleted when the signal closes;
``anonymous_quotas`` counts requests per day under a keyed hash that changes daily.

Revision ID: ee274b334530
Revises: ac28496e2c43
Create Date: 2026-12-05 17:19:10.563357

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "ee274b334530"
down_revision = "ac28496e2c43"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('anonymous_quotas',
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('purpose', 'key_hash', name=op.f('pk_anonymous_quotas'))
    )
    with op.batch_alter_table('anonymous_quotas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_anonymous_quotas_day'), ['day'], unique=False)

    op.create_table('anonymous_contacts',
    sa.Column('signal_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_anonymous_contacts_signal_id_signals')),
    sa.PrimaryKeyConstraint('signal_id', name=op.f('pk_anonymous_contacts'))
    )
    op.create_table('anonymous_receipts',
    sa.Column('signal_id', sa.Integer(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_anonymous_receipts_signal_id_signals')),
    sa.PrimaryKeyConstraint('signal_id', name=op.f('pk_anonymous_receipts')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_anonymous_receipts_receipt_hash'))
    )


def downgrade():
    op.drop_table('anonymous_receipts')
    op.drop_table('anonymous_contacts')
    with op.batch_alter_table('anonymous_quotas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_anonymous_quotas_day'))

    op.drop_table('anonymous_quotas')
