"""rate budgets shared by the replicas: one sequence per platform limit (PostgreSQL)

Revision ID: rate_budgets
Revises: steps_nominee_home_group
Create Date: 2026-12-02

Every replica on a PostgreSQL database takes its slots of the Slack workspace's posting rate and
of the forum's admin requests per minute from one sequence per limit, whose value is the next free
slot in microseconds since the epoch (storage/rate_budget.py), so N replicas together stay under
the limit. Sequences, not a table: the pacing of a live cluster is not program data (not backed
up, not restored). SQLite (one process) keeps its budgets in memory: nothing to create there.
"""

from alembic import op

revision = "rate_budgets"
down_revision = "public_directory"
branch_labels = None
depends_on = None

SEQUENCES = ("rate_budget_slack_workspace_posts", "rate_budget_discourse_admin_requests")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in SEQUENCES:
        op.execute(f"CREATE SEQUENCE {name} AS bigint MINVALUE 0 START WITH 0")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in SEQUENCES:
        op.execute(f"DROP SEQUENCE {name}")
