"""search entries: the full-text index of signals, kwesties, meetings and knowledge articles

One row per searchable thing. On PostgreSQL its ``vector`` is a ``tsvector`` (configuration
``dutch``) under a GIN index per kind; on SQLite it holds the Python-made stems and an external-content
FTS5 table, kept by triggers, indexes it. The application writes the rows on every flush;
an existing installation fills the index once with ``signals search reindex``.

Revision ID: 6ac8f7ff453d
Revises: e66b56ac7c38
Create Date: 2026-12-05 14:02:27.490859

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '6ac8f7ff453d'
down_revision = 'e66b56ac7c38'
branch_labels = None
depends_on = None

# A GIN index per kind (partial): a common word in the signals costs nothing to the others.
KINDS = ("signal", "kwestie", "meeting", "article")
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "vector, content='search_entries', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, vector) VALUES (new.id, new.vector); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, vector) VALUES ('delete', old.id, old.vector); "
    "END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, vector) VALUES ('delete', old.id, old.vector); "
    "INSERT INTO search_fts(rowid, vector) VALUES (new.id, new.vector); END",
]


def upgrade():
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vector', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('kind', 'object_id', name='uq_search_entries_kind_object')
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index('ix_search_entries_kind_created', ['kind', 'created_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for kind in KINDS:
            op.create_index(
                f"ix_search_entries_{kind}_vector",
                "search_entries",
                ["vector"],
                postgresql_using="gin",
                postgresql_where=sa.text(f"kind = '{kind}'"),
            )
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for kind in KINDS:
            op.drop_index(f"ix_search_entries_{kind}_vector", table_name="search_entries")
    else:
        for trigger in ("search_entries_ai", "search_entries_ad", "search_entries_au"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE search_fts")
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_search_entries_kind_created')

    op.drop_table('search_entries')
