"""The two-step external upload: files.getUploadURLExternal, the upload URL, files.completeUploadExternal.

Derived from Slack's method pages:
https://api.slack.com/methods/files.getUploadURLExternal
https://api.slack.com/methods/files.completeUploadExternal
"""

from __future__ import annotations

import copy
import json
import re
import string
import time
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.sandbox.slack.common import MAX_UPLOAD_BYTES, ApiError, JSONDict, invalid_arguments, mimetype

if TYPE_CHECKING:
    from bot.sandbox.slack.standin import SlackStandIn


def files_get_upload_url_external(s: SlackStandIn, params: JSONDict) -> JSONDict:
    filename = str(params.get("filename") or "")
    if not filename:
        raise invalid_arguments(["[ERROR] missing required field: filename"])
    try:
        length = int(str(params.get("length")))
    except ValueError as exc:
        raise invalid_arguments(["[ERROR] missing required field: length"]) from exc
    if length < 1 or length > MAX_UPLOAD_BYTES:
        raise ApiError("invalid_length")
    file_id = "F" + "".join(s._rng.choice(string.ascii_uppercase + string.digits) for _ in range(10))
    s._uploads[file_id] = {"filename": filename, "length": length, "content": None}
    if params.get("alt_txt"):
        s._uploads[file_id]["alt_txt"] = str(params["alt_txt"])
    return {"ok": True, "upload_url": f"{s.base_url}/_standin/upload/{file_id}", "file_id": file_id}


async def handle_upload(s: SlackStandIn, request: Request) -> Response:
    """The upload URL files.getUploadURLExternal hands out: takes the bytes (raw or multipart)."""
    if s.down:
        return PlainTextResponse("Service Unavailable", status_code=503)
    pending = s._uploads.get(request.path_params["file_id"])
    if pending is None:
        return PlainTextResponse("Not Found", status_code=404)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        item = form.get("file") or form.get("filename")
        content = await item.read() if item is not None and not isinstance(item, str) else b""
    else:
        content = await request.body()
    if len(content) != pending["length"]:
        return PlainTextResponse(
            f"length mismatch: announced {pending['length']}, received {len(content)}", status_code=400
        )
    pending["content"] = content
    return PlainTextResponse(f"OK - {len(content)}")


def files_complete_upload_external(s: SlackStandIn, params: JSONDict) -> JSONDict:
    raw = params.get("files")
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise ApiError("invalid_json") from exc
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise invalid_arguments(["[ERROR] missing required field: files"])
    targets: list[str] = []
    if params.get("channel_id"):
        targets.append(s._resolve_channel(str(params["channel_id"])))
    for name in str(params.get("channels") or "").split(","):
        if name.strip():
            targets.append(s._resolve_channel(name.strip()))
    shared: list[JSONDict] = []
    for item in items:
        pending = s._uploads.get(str(item.get("id")))
        if pending is None or pending["content"] is None:
            raise ApiError("file_not_found")
    for item in items:
        file_id = str(item["id"])
        pending = s._uploads.pop(file_id)
        name = pending["filename"]
        file_obj: JSONDict = {
            "id": file_id,
            "created": int(time.time()),
            "name": name,
            "title": str(item.get("title") or name),
            "mimetype": mimetype(name),
            "filetype": name.rsplit(".", 1)[-1].lower() if "." in name else "binary",
            "user": s.bot_user_id,
            "size": len(pending["content"]),
            "url_private": f"{s.base_url}/_standin/files/{file_id}/{name}",
            "permalink": f"https://{s.team_domain}.slack.com/files/{s.bot_user_id}/{file_id}/{name}",
            "channels": [t for t in targets if not t.startswith("D")],
            "ims": [t for t in targets if t.startswith("D")],
        }
        s.files.append({**file_obj, "content": pending["content"], "shared_to": list(targets)})
        shared.append(file_obj)
    for channel_id in targets:
        msg = s._store_bot_message(
            channel_id, str(params.get("initial_comment") or ""), [], None, params.get("thread_ts")
        )
        msg["files"] = copy.deepcopy(shared)
        msg["upload"] = True
    return {
        "ok": True,
        "files": [{"id": f["id"], "title": f["title"], "name": f["name"]} for f in shared],
    }


def save_upload(file: JSONDict, folder: Path) -> Path:
    """Write an uploaded file's bytes into ``folder`` (the sandbox's files of this run), named
    by its Slack file id and its own name cut down to safe characters; returns the path."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(str(file.get("name") or "file")).name).strip("._")
    path = folder / f"{file.get('id', 'F')}-{name or 'file'}"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(file.get("content") or b""))
    return path
