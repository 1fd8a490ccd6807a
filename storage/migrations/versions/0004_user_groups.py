"""user groups: requests, organisers, handover steps

Revision ID: 0004_user_groups
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_user_groups"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("open_requester", sa.String(length=32), nullable=True),
        sa.Column("requested_name", sa.String(length=200), nullable=False),
        sa.Column("pet_name", sa.String(length=100), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("requester_slack_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("overlap_group_id", sa.Integer(), nullable=True),
        sa.Column("overlap_reason", sa.String(length=200), nullable=False),
        sa.Column("conflict", sa.String(length=16), nullable=False),
        sa.Column("conflict_by", sa.String(length=32), nullable=True),
        sa.Column("objected_by", sa.String(length=32), nullable=True),
        sa.Column("mentor_slack_id", sa.String(length=32), nullable=True),
        sa.Column("forum_group", sa.String(length=100), nullable=False),
        sa.Column("change_request", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("review_channel", sa.String(length=32), nullable=True),
        sa.Column("review_ts", sa.String(length=32), nullable=True),
        sa.Column("handover_channel", sa.String(length=32), nullable=True),
        sa.Column("handover_ts", sa.String(length=32), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("official_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["overlap_group_id"], ["user_groups.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_requester"),
    )
    with op.batch_alter_table("user_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_groups_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_user_groups_requester_slack_id"), ["requester_slack_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_user_groups_mentor_slack_id"), ["mentor_slack_id"], unique=False)

    op.create_table(
        "user_group_organisers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=True),
        sa.Column("forum_username", sa.String(length=60), nullable=True),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["user_groups.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "slack_user_id", name="uq_group_organiser_slack"),
        sa.UniqueConstraint("group_id", "forum_username", name="uq_group_organiser_forum"),
    )
    with op.batch_alter_table("user_group_organisers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_group_organisers_group_id"), ["group_id"], unique=False)

    op.create_table(
        "user_group_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("completes", sa.String(length=120), nullable=False),
        sa.Column("needs", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["user_groups.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "key", name="uq_group_step"),
    )
    with op.batch_alter_table("user_group_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_group_steps_group_id"), ["group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_group_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_group_steps_group_id"))
    op.drop_table("user_group_steps")
    with op.batch_alter_table("user_group_organisers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_group_organisers_group_id"))
    op.drop_table("user_group_organisers")
    with op.batch_alter_table("user_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_groups_mentor_slack_id"))
        batch_op.drop_index(batch_op.f("ix_user_groups_requester_slack_id"))
        batch_op.drop_index(batch_op.f("ix_user_groups_status"))
    op.drop_table("user_groups")
