"""Access log and privacy roles: who read or exported what; the ombudsman's administrator.

``access_log_entries`` holds an entry per view of a signal's content, per export and per
administrative action (signals.audit). Users may have the roles ``ombudsman_admin`` (the
ombudsman's own administrator) and ``privacy_officer`` (reads the access log).

Revision ID: d9b7811fde7c
Revises: 5e0a7c1d2b94
Create Date: 2026-12-05 17:18:56.020725

"""

import sqlalchemy as sa
from alembic import op

revision = "d9b7811fde7c"
down_revision = "5e0a7c1d2b94"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('professional', 'manager', 'member', 'admin')"
NEW_ROLES = (
    "role IN ('professional', 'manager', 'member', 'admin', 'ombudsman_admin', "
    "'privacy_officer')"
)


def upgrade():
    op.create_table(
        "access_log_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_reference", sa.String(length=254), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_entries")),
    )
    with op.batch_alter_table("access_log_entries", schema=None) as batch_op:
        batch_op.create_index("ix_access_log_entries_actor_id_at", ["actor_id", "at"])
        batch_op.create_index(batch_op.f("ix_access_log_entries_at"), ["at"])
        batch_op.create_index(batch_op.f("ix_access_log_entries_person_id"), ["person_id"])
        batch_op.create_index(
            "ix_access_log_entries_subject", ["subject_kind", "subject_reference"]
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), NEW_ROLES)


def downgrade():
    users = sa.table("users", sa.column("role", sa.String))
    op.execute(
        users.update()
        .where(users.c.role.in_(["ombudsman_admin", "privacy_officer"]))
        .values(role="professional")
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), OLD_ROLES)
    with op.batch_alter_table("access_log_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_entries_subject")
        batch_op.drop_index(batch_op.f("ix_access_log_entries_person_id"))
        batch_op.drop_index(batch_op.f("ix_access_log_entries_at"))
        batch_op.drop_index("ix_access_log_entries_actor_id_at")
    op.drop_table("access_log_entries")
