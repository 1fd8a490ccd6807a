"""What the report and the exports share on their way to a moderator: a file in a direct message
(`outbox.SLACK_FILE`, uploaded with files_upload_v2) and the audit row that says it was sent."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.program import audit, outbox
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class DmFile:
    """A file for one person's direct messages: its name, title, bytes and the line above it."""

    filename: str
    title: str
    content: bytes
    comment: str


async def send_file(uow: UnitOfWork, key: str, user: str, file: DmFile, now: datetime) -> None:
    """Queue `file` for `user`'s direct messages (the content travels base64-encoded in the row)."""
    payload = {
        "user": user,
        "filename": file.filename,
        "title": file.title,
        "content_b64": base64.b64encode(file.content).decode("ascii"),
        "initial_comment": file.comment,
    }
    await outbox.queue(uow, key, outbox.SLACK_FILE, payload, now)


async def audit_sent(
    uow: UnitOfWork,
    now: datetime,
    actor: str,
    action: str,
    subject: tuple[str, str],
    after: dict[str, Any] | None = None,
) -> None:
    """The audit row of something sent to the moderator `actor` from Slack (`subject`: its type
    and id)."""
    await audit.log(uow, now, actor, action, subject, after=after)
