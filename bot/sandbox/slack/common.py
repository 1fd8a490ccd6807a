"""What the Slack stand-in's modules share: the error answers, small records and helpers."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import string
import urllib.parse
import zoneinfo
from dataclasses import dataclass
from typing import Any, NamedTuple

from starlette.requests import Request
from starlette.responses import Response

JSONDict = dict[str, Any]

JSON_CT = "application/json; charset=utf-8"
# "trigger_id … expires after 3 seconds" (https://api.slack.com/interactivity/handling#modal_responses).
TRIGGER_TTL_SECONDS = 3.0
# "use a response_url up to five times within 30 minutes"
# (https://api.slack.com/interactivity/handling#message_responses).
RESPONSE_URL_MAX_USES = 5
# "up to 50 blocks in each message, and 100 blocks in modals or Home tabs"
# (https://api.slack.com/reference/block-kit/blocks).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
# chat.postMessage truncates past 40 000 characters; ``msg_too_long`` (its method page).
MAX_TEXT_LEN = 40_000
# "you can push up to 3 views onto the stack" (https://api.slack.com/surfaces/modals#push).
MAX_VIEW_STACK = 3
# files.getUploadURLExternal: ``length`` up to 1 GB (its method page, "invalid_length").
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024
SELECT_TYPES = frozenset({"static_select", "external_select", "radio_buttons", "overflow"})
MULTI_SELECT_TYPES = frozenset({"multi_static_select", "multi_external_select", "checkboxes"})


class ApiError(Exception):
    """A Slack ``ok: false`` answer (HTTP 200)."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"ratelimited, retry after {retry_after}s")
        self.retry_after = retry_after


@dataclass
class Bucket:
    tokens: float
    updated: float


@dataclass
class Trigger:
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    url_id: int
    channel: str | None
    ts: str | None
    user: str | None
    uses: int = 0


class ViewInput(NamedTuple):
    """One input of a modal, as a human filling it in would see it."""

    block_id: str
    action_id: str
    element_type: str
    label: str
    optional: bool


def invalid_arguments(messages: list[str]) -> ApiError:
    return ApiError("invalid_arguments", response_metadata={"messages": messages})


def json_response(body: JSONDict, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status_code=status,
        media_type=JSON_CT,
        headers=headers,
    )


def truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    return str(value).strip().lower() in {"1", "true", "yes"}


def plain_text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def ts_to_float(ts: Any) -> float | None:
    try:
        return float(str(ts))
    except (TypeError, ValueError):
        return None


def mimetype(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "pdf": "application/pdf",
        "csv": "text/csv",
        "json": "application/json",
        "txt": "text/plain",
    }.get(ext, "application/octet-stream")


def tz_info(tz: str) -> tuple[int, str]:
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0, tz
    now = dt.datetime.now(zone)
    offset = now.utcoffset()
    return (int(offset.total_seconds()) if offset is not None else 0), (now.tzname() or tz)


def json_object(raw: str | bytes, not_json: str, not_object: str) -> JSONDict:
    """A JSON object argument, or the error Slack names for text that is not JSON / not an object."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ApiError(not_json) from exc
    if not isinstance(data, dict):
        raise ApiError(not_object)
    return data


async def read_params(request: Request) -> JSONDict:
    """Merge query string and body (JSON, form or multipart), like Slack accepts them."""
    params: JSONDict = {}
    for key, value in request.query_params.multi_items():
        params[key] = value
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if not body.strip():
        return params
    if content_type == "application/json":
        params.update(json_object(body, "invalid_json", "json_not_object"))
    elif content_type == "multipart/form-data":
        form = await request.form()
        for key, item in form.multi_items():
            if isinstance(item, str):
                params[key] = item
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError("invalid_form_data") from exc
        for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
            params[key] = value
    return params


def parse_response_body(content_type: str, raw: bytes) -> JSONDict:
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        form = dict(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        if "payload" in form:
            raw = form["payload"].encode("utf-8")
        else:
            return dict(form)
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("response body must be a JSON object")
    return data


def random_id(rng: random.Random, length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in range(length))


def block_elements(block: JSONDict) -> list[JSONDict]:
    btype = block.get("type")
    found: list[JSONDict] = []
    if btype == "actions":
        found = [e for e in block.get("elements") or [] if isinstance(e, dict)]
    elif btype == "section" and isinstance(block.get("accessory"), dict):
        found = [block["accessory"]]
    elif btype == "input" and isinstance(block.get("element"), dict):
        found = [block["element"]]
    return found


NON_INTERACTIVE = frozenset({"image", "plain_text", "mrkdwn"})


def assign_ids(blocks: list[JSONDict], rng: random.Random) -> list[JSONDict]:
    """Give blocks and interactive elements the random ids Slack assigns when they are omitted."""
    for block in blocks:
        if "block_id" not in block:
            block["block_id"] = random_id(rng, 4)
        for element in block_elements(block):
            if element.get("type") not in NON_INTERACTIVE and "action_id" not in element:
                element["action_id"] = random_id(rng, 5)
    return blocks


def parse_metadata(raw: Any) -> JSONDict | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        raw = json_object(raw, "invalid_metadata_format", "invalid_metadata_format")
    if not isinstance(raw, dict):
        raise ApiError("invalid_metadata_format")
    if not isinstance(raw.get("event_type"), str) or not raw["event_type"]:
        raise ApiError("invalid_metadata_schema")
    payload = raw.get("event_payload", {})
    if not isinstance(payload, dict):
        raise ApiError("invalid_metadata_schema")
    return {"event_type": raw["event_type"], "event_payload": copy.deepcopy(payload)}


def find_option(element: JSONDict, value: str) -> JSONDict | None:
    options: list[JSONDict] = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if option.get("value") == value:
            return copy.deepcopy(option)
    return None
