"""index the audit log by action (the report counts lapses without scanning the whole log)

Revision ID: 0007_audit_action
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

revision = "0007_audit_action"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_action", "audit_log", ["action"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_action", table_name="audit_log")
