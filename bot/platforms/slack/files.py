"""Delivers SLACK_FILE outbox rows: a file shared into a channel or DM with files_upload_v2.

files_upload_v2 is three calls (files.getUploadURLExternal, a POST of the bytes to the URL it
returns, files.completeUploadExternal). When an earlier attempt may have got through, the
channel's recent messages are searched for a file of the same name first: the services give
every file a name that is unique to its outbox row, so a crash mid-delivery shares it once.
"""

from __future__ import annotations

import base64
from typing import Any

from slack_sdk.errors import SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.failures import Permanent, Transient

MAX_FILE_BYTES = 50 * 1024 * 1024


async def upload_file(
    client: AsyncWebClient, channel: str, payload: dict[str, Any], maybe_done: bool
) -> dict[str, Any]:
    filename = str(payload["filename"])
    if maybe_done:
        found = await _find_shared(client, channel, filename)
        if found is not None:
            return {"channel": channel, "file_id": found, "recovered": True}
    content = base64.b64decode(str(payload["content_b64"]), validate=True)
    if not content:
        raise Permanent("the file to upload is empty")
    if len(content) > MAX_FILE_BYTES:
        raise Permanent(f"the file is too large to upload ({len(content)} bytes)")
    try:
        resp = await client.files_upload_v2(
            channel=channel,
            filename=filename,
            content=content,
            title=str(payload.get("title") or filename),
            initial_comment=payload.get("initial_comment") or None,
        )
    except SlackRequestError as err:  # the POST of the bytes failed (not an API answer)
        raise Transient(f"Slack file upload failed: {err}") from None
    file = resp.get("file") or {}
    return {"channel": channel, "file_id": file.get("id") if isinstance(file, dict) else None}


async def _find_shared(client: AsyncWebClient, channel: str, filename: str) -> str | None:
    resp = await client.conversations_history(channel=channel, limit=100)
    messages: list[dict[str, Any]] = resp.get("messages", []) or []
    for msg in messages:
        for f in msg.get("files", []) or []:
            if isinstance(f, dict) and f.get("name") == filename:
                return str(f.get("id"))
    return None
