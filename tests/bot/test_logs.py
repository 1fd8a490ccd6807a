from __future__ import annotations

import logging

from bot.logs import RedactSecrets, mask_url


def test_secrets_and_slack_tokens_never_reach_a_log_line() -> None:
    record = logging.LogRecord(
        "x",
        logging.ERROR,
        __file__,
        1,
        "auth with %s and secret %s failed",
        ("xoxb-123-abc", "s3cr3t-value"),
        None,
    )
    assert RedactSecrets(["s3cr3t-value"]).filter(record)
    line = record.getMessage()
    assert "xoxb-123-abc" not in line and "s3cr3t-value" not in line
    assert "[redacted]" in line


def test_database_passwords_are_masked() -> None:
    assert mask_url("postgresql+asyncpg://bot:hunter2@db/amb") == "postgresql+asyncpg://bot:***@db/amb"
    assert mask_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"
