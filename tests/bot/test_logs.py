from __future__ import annotations

import json
import logging

import pytest

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


def test_json_log_lines_are_parseable_and_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.logs import setup_logging

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        setup_logging("info", ["hunter2-secret"], json_lines=True)
        logging.getLogger("ambassador_bot.test").info("token xoxb-1-2-3 and hunter2-secret")
    finally:
        root.handlers[:], root.level = saved_handlers, saved_level
    out = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(out)
    assert record["level"] == "INFO" and record["name"] == "ambassador_bot.test"
    assert "hunter2-secret" not in out and "xoxb-1-2-3" not in out
