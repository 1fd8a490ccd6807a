"""Helpers for the hostile-edge tests: raw signed and unsigned requests to the bot's two POST
routes, a snapshot of the database, and a log guard that fails a test on any ERROR record or
traceback."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import func, select

from bot.sandbox.harness.stack import SIGNING_SECRET, WEBHOOK_SECRET, Stack
from storage.models import Base

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Loggers that do not propagate to the root in the test server (uvicorn's own config).
WATCHED = ("", "uvicorn", "uvicorn.error", "asyncio")


def slack_headers(body: bytes, ctype: str = FORM, timestamp: str | None = None) -> dict[str, str | bytes]:
    """Slack's signature headers for `body` (a non-ASCII timestamp is sent as UTF-8 bytes)."""
    ts = (timestamp if timestamp is not None else str(int(time.time()))).encode("utf-8")
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts + b":" + body, hashlib.sha256).hexdigest()
    return {"Content-Type": ctype, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def discourse_headers(body: bytes, event: str = "user_badge_granted") -> dict[str, str]:
    digest = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": JSON,
        "X-Discourse-Event": event,
        "X-Discourse-Event-Type": event.split("_")[0] if event != "ping" else "ping",
        "X-Discourse-Event-Id": "1",
        "X-Discourse-Event-Signature": f"sha256={digest}",
    }


async def post(
    stack: Stack, path: str, body: bytes, headers: dict[str, str] | dict[str, str | bytes]
) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.post(f"{stack.bot_url}{path}", content=body, headers=headers)


async def snapshot(stack: Stack, skip: tuple[str, ...] = ()) -> dict[str, int]:
    """Row counts of every table, and of every status of the tables that have one."""
    out: dict[str, int] = {}
    async with stack.runtime.uow() as uow:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            out[table.name] = int(
                (await uow.session.execute(select(func.count()).select_from(table))).scalar_one()
            )
            if "status" in table.c:
                rows = await uow.session.execute(
                    select(table.c.status, func.count()).group_by(table.c.status)
                )
                out.update({f"{table.name}.{status}": int(n) for status, n in rows.all()})
    return out


class _Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.bad: list[str] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.levelname} {record.getMessage()}")
        if record.levelno >= logging.ERROR or record.exc_info:
            self.bad.append(f"{record.name} {record.levelname}: {record.getMessage()[:300]}")


@contextmanager
def no_errors(level: int = logging.INFO) -> Iterator[_Failures]:
    """Every log record at ERROR or with a traceback fails the test (the handler sees all of
    them, including uvicorn's, which do not reach the root logger)."""
    guard = _Failures()
    saved = {name: logging.getLogger(name).level for name in WATCHED}
    for name in WATCHED:
        logger = logging.getLogger(name)
        logger.addHandler(guard)
        if logger.getEffectiveLevel() > level:
            logger.setLevel(level)
    try:
        yield guard
    finally:
        for name in WATCHED:
            logging.getLogger(name).removeHandler(guard)
            logging.getLogger(name).setLevel(saved[name])
    assert guard.bad == [], guard.bad
