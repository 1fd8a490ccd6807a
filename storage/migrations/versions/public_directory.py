"""a profile may be listed on the public directory, with the fields its owner chose to show

Revision ID: public_directory
Revises: steps_nominee_home_group
Create Date: 2026-12-02

`profiles.public_listed` is off until the person ticks "List me on the public directory" in the
profile form; `profiles.public_fields` holds the fields they chose to show there (comma-separated
keys: name, location, expertise, help_with, contact, home_group). Existing profiles stay off the
public pages until their owners opt in.
"""

import sqlalchemy as sa
from alembic import op

revision = "public_directory"
down_revision = "steps_nominee_home_group"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(sa.Column("public_listed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("public_fields", sa.String(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("public_fields")
        batch.drop_column("public_listed")
