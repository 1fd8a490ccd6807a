"""Wire helpers shared by the Discourse stand-in's modules: JSON bodies, request parameters,
timestamps and the small formatting rules Discourse applies everywhere."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

JSONDict = dict[str, Any]

# pydiscourse refuses any other content type for a success (DESIGN.md, "Facts about the platforms").
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _now_iso() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _avatar(username: str) -> str:
    letter = (username[:1] or "x").lower()
    return f"/letter_avatar_proxy/v4/letter/{letter}/5daacb/{{size}}.png"


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "topic"


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _HttpError(Exception):
    """An error answer: status, body (``{"errors": [...], "error_type": ...}``) and headers."""

    def __init__(self, status: int, body: JSONDict, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def _notification_schedule() -> JSONDict:
    schedule: JSONDict = {"enabled": False}
    for day in range(7):
        schedule[f"day_{day}_start_time"] = 480
        schedule[f"day_{day}_end_time"] = 1020
    return schedule


def _user_unset_fields() -> JSONDict:
    """UserSerializer's (app/serializers/user_serializer.rb) reading time, primary group, flair
    and featured topic of a user who has none of them; shared by the REST user and the webhook."""
    return {
        "time_read": 0,
        "recent_time_read": 0,
        "primary_group_id": None,
        "primary_group_name": None,
        "flair_group_id": None,
        "flair_name": None,
        "flair_url": None,
        "flair_bg_color": None,
        "flair_color": None,
        "featured_topic": None,
    }


def _user_watching() -> JSONDict:
    """UserSerializer's category and tag notification lists (all empty), fresh lists each time."""
    return {
        "muted_category_ids": [],
        "regular_category_ids": [],
        "watched_tags": [],
        "watching_first_post_tags": [],
        "tracked_tags": [],
        "muted_tags": [],
        "tracked_category_ids": [],
        "watched_category_ids": [],
        "watched_first_post_category_ids": [],
    }


def _json(body: JSONDict | list[JSONDict], status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(content=_dumps(body), status_code=status, media_type=JSON_CONTENT_TYPE, headers=headers)


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return str(value[-1]) if value else None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def _read_params(request: Request) -> JSONDict:
    """Query string + body (JSON, form or multipart); ``key[]`` repeated keys become lists."""
    params: JSONDict = {}

    def put(key: str, value: Any) -> None:
        if key.endswith("[]"):
            params.setdefault(key, []).append(value)
        else:
            params[key] = value

    for key, value in request.query_params.multi_items():
        put(key, value)
    if request.method in {"GET", "HEAD"}:
        return params
    body = await request.body()
    if not body.strip():
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise _HttpError(
                400, {"errors": ["JSON parse error"], "error_type": "invalid_parameters"}
            ) from exc
        if isinstance(data, dict):
            params.update(data)
    elif content_type == "multipart/form-data":
        form = await request.form()
        for key, item in form.multi_items():
            if isinstance(item, str):
                put(key, item)
    else:
        for key, value in urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            put(key, value)
    return params
