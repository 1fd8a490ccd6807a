"""Logging set-up that keeps secrets out of log lines."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable

from pythonjsonlogger.json import JsonFormatter

_TOKEN = re.compile(r"xox[abpr]-[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 4]

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return _TOKEN.sub("xox?-[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def setup_logging(level: str, secrets: Iterable[str], json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    if json_lines:
        # One JSON object per line (time, level, logger, message), for log collectors.
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"}
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(list(secrets)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # The database layers log every statement with its parameters, and pydiscourse every request
    # and response body (names, answers, one-time codes in forum PMs), at INFO/DEBUG: even with
    # --log-level debug, keep them at WARNING.
    for name in ("sqlalchemy", "aiosqlite", "asyncpg", "pydiscourse"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    # APScheduler logs every wake-up of the sweeps at INFO: keep only its warnings.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))


def mask_url(url: str) -> str:
    """postgresql+asyncpg://user:secret@host/db -> postgresql+asyncpg://user:***@host/db"""
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", url)


class Throttled:
    """One logger's lines, at most `limit` per `interval` seconds: a flood of refused requests
    costs a few lines, and the next line that gets through says how many were left out."""

    def __init__(
        self,
        logger: logging.Logger,
        limit: int = 30,
        interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger, self._limit, self._interval, self._clock = logger, limit, interval, clock
        self._window = -interval
        self._count = self._dropped = 0

    def log(self, level: int, msg: str, *args: object) -> None:
        now = self._clock()
        if now - self._window >= self._interval:
            self._window, self._count = now, 0
        self._count += 1
        if self._count > self._limit:
            self._dropped += 1
            return
        if self._dropped:
            msg += " (%d similar lines left out)"
            args = (*args, self._dropped)
            self._dropped = 0
        self._logger.log(level, msg, *args)
