"""The Alembic history has one head, so the plain `alembic upgrade head` works as
`ambassador-bot migrate` does (DESIGN: one linear history, a single head)."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from storage.migrate import alembic_config


def test_the_migration_history_has_a_single_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several heads: {sorted(heads)}; add a merge migration"
