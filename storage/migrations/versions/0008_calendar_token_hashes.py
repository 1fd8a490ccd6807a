"""calendar feed tokens are stored as SHA-256 hashes; joins the feature heads into one

Revision ID: 0008
Revises: 0004_user_groups, 0005_requests, 0006_events, 0007_audit_action
Create Date: 2026-12-01

`calendar_tokens.token` held each private feed's token in plain text; from here on it holds
sha256(token) in hex (64 characters, the column's size), as `bot.program.events.calendar.token_hash`
computes it. Existing tokens are hashed in place, so the addresses people already subscribed to
keep working. The column keeps its name so backups made before this revision still restore.

This revision also merges the feature branches (user groups, requests, events, audit index):
calendar_tokens comes from 0006_events, and the history has a single head again.
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = ("0004_user_groups", "0005_requests", "0006_events", "0007_audit_action")
branch_labels = None
depends_on = None


def _sha256(token: str) -> str:
    # The same function as bot.program.events.calendar.token_hash (a migration must not import the
    # program's code, which may change after it).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, token FROM calendar_tokens")).all()
    for row_id, token in rows:
        conn.execute(
            sa.text("UPDATE calendar_tokens SET token = :hash WHERE id = :id"),
            {"hash": _sha256(token), "id": row_id},
        )


def downgrade() -> None:
    # A hash cannot be turned back into the token: the older code would hand out the hash as the
    # address. Drop the rows instead; `/ambassador calendar` makes a new address for anyone who asks.
    op.execute("DELETE FROM calendar_tokens")
