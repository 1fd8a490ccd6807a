"""conversations.* methods: open a DM, channel info, history and threads; each method cites its page on
https://api.slack.com/methods."""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import TYPE_CHECKING

from bot.sandbox.slack.common import ApiError, JSONDict, truthy, ts_to_float

if TYPE_CHECKING:
    from bot.sandbox.slack.standin import SlackStandIn


def conversations_open(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/conversations.open"""
    users = params.get("users")
    if not users:
        if params.get("channel"):
            channel_id = str(params["channel"])
            if channel_id not in s.channels:
                raise ApiError("channel_not_found")
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel_id}}
        raise ApiError("users_list_not_supplied")
    if isinstance(users, list):
        user_ids = [str(u).strip() for u in users if str(u).strip()]
    else:
        user_ids = [u.strip() for u in str(users).split(",") if u.strip()]
    if not user_ids:
        raise ApiError("users_list_not_supplied")
    for uid in user_ids:
        if uid not in s.users:
            raise ApiError("user_not_found")
    if len(user_ids) > 8:
        raise ApiError("too_many_users")
    if len(user_ids) == 1:
        channel_id = s.im_channel_id(user_ids[0])
        existed = channel_id in s.channels
        s._ensure_im(user_ids[0])
    else:
        digest = hashlib.sha1(",".join(sorted(user_ids)).encode(), usedforsecurity=False).hexdigest()
        channel_id = "G" + digest[:10].upper()
        existed = channel_id in s.channels
        if not existed:
            s.channels[channel_id] = {
                "id": channel_id,
                "name": "mpdm-" + "--".join(s.users[u]["name"] for u in user_ids) + "-1",
                "is_im": False,
                "is_mpim": True,
                "members": user_ids,
            }
            s.messages.setdefault(channel_id, [])
    body: JSONDict = {"ok": True, "channel": {"id": channel_id}}
    if existed:
        body["no_op"] = True
        body["already_open"] = True
    if truthy(params.get("return_im")):
        body["channel"] = dict(s.channels[channel_id])
    return body


def conversations_info(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/conversations.info: ``is_member`` says whether the bot is in
    the channel; a private channel it is not in is invisible to it (``channel_not_found``)."""
    channel = params.get("channel")
    if not channel or not s.visible(str(channel)):
        raise ApiError("channel_not_found")
    return {"ok": True, "channel": dict(s.channels[str(channel)])}


def conversations_history(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/conversations.history"""
    channel = params.get("channel")
    if not channel or not s.visible(str(channel)):
        raise ApiError("channel_not_found")
    channel_id = str(channel)
    s.check_member(channel_id)  # "not_in_channel" on https://api.slack.com/methods/conversations.history
    msgs = [
        m
        for m in s.messages.get(channel_id, [])
        if not m.get("thread_ts") or m.get("thread_ts") == m.get("ts")
    ]
    return paginate(s, msgs, params)


def conversations_replies(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/conversations.replies"""
    channel = params.get("channel")
    ts = params.get("ts")
    if not channel or str(channel) not in s.channels:
        raise ApiError("channel_not_found")
    if not ts:
        raise ApiError("invalid_arguments")
    parent = s.find_message(str(channel), str(ts))
    if parent is None:
        raise ApiError("thread_not_found")
    thread = [parent] + [
        m for m in s.messages[str(channel)] if m.get("thread_ts") == str(ts) and m is not parent
    ]
    body = paginate(s, thread, params, newest_first=False)
    return body


def paginate(
    s: SlackStandIn, msgs: list[JSONDict], params: JSONDict, *, newest_first: bool = True
) -> JSONDict:
    try:
        limit = int(params.get("limit") or 100)
    except (TypeError, ValueError) as exc:
        raise ApiError("invalid_limit") from exc
    limit = max(1, min(limit, 999))
    inclusive = truthy(params.get("inclusive"))
    oldest = ts_to_float(params.get("oldest")) if params.get("oldest") not in (None, "") else None
    latest = ts_to_float(params.get("latest")) if params.get("latest") not in (None, "") else None
    selected: list[JSONDict] = []
    for msg in msgs:
        ts = float(msg["ts"])
        if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
            continue
        if latest is not None and (ts > latest or (ts == latest and not inclusive)):
            continue
        selected.append(msg)
    selected.sort(key=lambda m: float(m["ts"]), reverse=newest_first)
    cursor = params.get("cursor")
    start = 0
    if cursor:
        try:
            start = int(base64.b64decode(str(cursor)).decode().removeprefix("offset:"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError("invalid_cursor") from exc
    page = selected[start : start + limit]
    has_more = start + limit < len(selected)
    with_metadata = truthy(params.get("include_all_metadata"))
    out: list[JSONDict] = []
    for msg in page:
        item = copy.deepcopy(msg)
        if not with_metadata:
            item.pop("metadata", None)
        out.append(item)
    next_cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if has_more else ""
    return {
        "ok": True,
        "messages": out,
        "has_more": has_more,
        "pin_count": 0,
        "channel_actions_ts": None,
        "channel_actions_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }
