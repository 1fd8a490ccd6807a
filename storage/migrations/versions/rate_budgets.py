"""rate budgets shared by the replicas: the next free slot of a platform limit

Revision ID: rate_budgets
Revises: steps_nominee_home_group
Create Date: 2026-12-02

`rate_budgets` holds one row per platform limit (the Slack workspace's posting rate, the forum's
admin requests per minute) that every replica on a PostgreSQL database takes its slots from, so N
replicas together stay under the limit. SQLite (one process) keeps its budgets in memory and never
writes this table.
"""

import sqlalchemy as sa
from alembic import op

revision = "rate_budgets"
down_revision = "steps_nominee_home_group"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_budgets",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("next_at", sa.Float(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("rate_budgets")
