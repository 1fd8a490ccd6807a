"""a nomination may name a forum account instead of a Slack user; a profile has a home user group

Revision ID: steps_nominee_home_group
Revises: 0008
Create Date: 2026-12-01

`/ambassador nominate <forum username> <why>` nominates someone who is not in Slack: the
nomination keeps the forum's spelling of the account in `nominee_forum_username` (its
`nominee_slack_id` is then empty), and the invitation goes to them as a forum private message.

`profiles.home_group_id` records the local user group an ambassador is the ambassador of (chosen
in the profile form from the approved and official groups; shown in `groups`). No foreign key: a
group that is no longer approved or official is not shown, and the next save clears it.
"""

import sqlalchemy as sa
from alembic import op

revision = "steps_nominee_home_group"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nominations") as batch:
        batch.add_column(sa.Column("nominee_forum_username", sa.String(length=60), nullable=True))
        batch.create_index("ix_nominations_nominee_forum_username", ["nominee_forum_username"])
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(sa.Column("home_group_id", sa.Integer(), nullable=True))
        batch.create_index("ix_profiles_home_group_id", ["home_group_id"])


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.drop_index("ix_profiles_home_group_id")
        batch.drop_column("home_group_id")
    with op.batch_alter_table("nominations") as batch:
        batch.drop_index("ix_nominations_nominee_forum_username")
        batch.drop_column("nominee_forum_username")
