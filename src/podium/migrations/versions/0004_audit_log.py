"""audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:12:04.000000

The append-only, hash-chained log of partner-data access (``podium.core.audit``). A row-level
trigger refuses every UPDATE on SQLite and PostgreSQL; row-level, so the SQLite append lock (an
UPDATE that matches no row) does not fire it. Note: a later batch migration that rebuilds
``audit_log`` on SQLite ("move and copy") drops the trigger and must create it again.

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGER = """
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END
"""
POSTGRESQL_FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
"""


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("partner_actor", sa.String(length=200), nullable=True),
        sa.Column("ecosystem_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("agreement", sa.String(length=200), nullable=True),
        sa.Column("filter", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "action IN ('read', 'write', 'export', 'delete')", name=op.f("ck_audit_log_action")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_log_prev_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_ecosystem", ["ecosystem_id", "seq"], unique=False)
        batch_op.create_index(
            "ix_audit_log_provider", ["ecosystem_id", "provider", "seq"], unique=False
        )

    if op.get_context().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_provider")
        batch_op.drop_index("ix_audit_log_ecosystem")

    op.drop_table("audit_log")
