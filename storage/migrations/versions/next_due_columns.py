"""next due moments: a term's (its renewal reminders / lapse, its onboarding nudge) and an event
series' (its next reminder)

Revision ID: next_due_columns
Revises: steps_nominee_home_group
Create Date: 2026-12-02

`ambassadors.term_due_at` is when the sweep next has something to decide about the term's end (its
next renewal reminder, then its lapse) and `ambassadors.nudge_due_at` when its onboarding nudge is
due; both NULL once there is nothing left (or the term is not active). Both are indexed, so each
sweep reads only the terms with something due (`WHERE term_due_at <= now`), not every term.

The moments depend on the settings (reminder days, grace, nudge delay), which a migration does not
know: the backfill sets both columns of every active term to the epoch, "look at it on the next
sweep", and that sweep, which knows the settings, sets each to its real next moment (deciding,
exactly once as before, whatever was due). Inactive terms get NULL.

`event_series.next_reminder_at` is the same for an event series: when its next reminder is due
(NULL: none ahead), backfilled the same way for active series.

Two covering indexes let the moderators' report count in SQL without row lookups: onboarding
progress per term (`onboarding_steps(ambassador_id, completed_at)`) and the people whose term lapsed
(`audit_log(action, subject_type, subject_id)`).
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "next_due_columns"
down_revision = "steps_nominee_home_group"
branch_labels = None
depends_on = None

# "Due at the next sweep": earlier than any clock the bot runs with (a UTC value: SQLite stores it
# as naive text, as the models do; PostgreSQL as timestamptz).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table("ambassadors") as batch:
        batch.add_column(sa.Column("term_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("nudge_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_ambassadors_term_due_at", ["term_due_at"])
        batch.create_index("ix_ambassadors_nudge_due_at", ["nudge_due_at"])
    ambassadors = sa.table(
        "ambassadors",
        sa.column("status", sa.String()),
        sa.column("term_due_at", sa.DateTime(timezone=True)),
        sa.column("nudge_due_at", sa.DateTime(timezone=True)),
    )
    active = ambassadors.c.status == "active"
    op.execute(ambassadors.update().where(active).values(term_due_at=EPOCH, nudge_due_at=EPOCH))
    with op.batch_alter_table("event_series") as batch:
        batch.add_column(sa.Column("next_reminder_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_event_series_next_reminder_at", ["next_reminder_at"])
    series = sa.table(
        "event_series",
        sa.column("status", sa.String()),
        sa.column("next_reminder_at", sa.DateTime(timezone=True)),
    )
    op.execute(series.update().where(series.c.status == "active").values(next_reminder_at=EPOCH))
    # Covering indexes for the report's aggregates (onboarding progress, lapses in the audit log).
    op.create_index("ix_onboarding_steps_progress", "onboarding_steps", ["ambassador_id", "completed_at"])
    op.create_index("ix_audit_log_subjects_by_action", "audit_log", ["action", "subject_type", "subject_id"])


def downgrade() -> None:
    with op.batch_alter_table("event_series") as batch:
        batch.drop_index("ix_event_series_next_reminder_at")
        batch.drop_column("next_reminder_at")
    op.drop_index("ix_audit_log_subjects_by_action", table_name="audit_log")
    op.drop_index("ix_onboarding_steps_progress", table_name="onboarding_steps")
    with op.batch_alter_table("ambassadors") as batch:
        batch.drop_index("ix_ambassadors_nudge_due_at")
        batch.drop_index("ix_ambassadors_term_due_at")
        batch.drop_column("nudge_due_at")
        batch.drop_column("term_due_at")
