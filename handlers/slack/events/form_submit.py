"""The add/edit event series form was submitted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import InvalidInput
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.events import views as views_events

# A Slack user id (https://api.slack.com/changelog/2016-08-11-user-id-format-changes): what a
# users_select sends; anything else is a forged submission. A well-formed id must also be someone
# users.info knows (a forged or stale id is not a host).
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
CANNOT_CHECK = "Slack could not confirm this person just now; try saving again in a minute."


class _Saved(Protocol):
    """What the answer shows of the saved series."""

    @property
    def title(self) -> str: ...
    @property
    def key(self) -> str: ...


async def _not_a_member(client: AsyncWebClient, user_id: str) -> str | None:
    """Why `user_id` cannot be a host (users.info, https://api.slack.com/methods/users.info:
    ``user_not_found`` for an unknown id, ``deleted`` for a deactivated one), or None. When Slack
    cannot be asked, the form says so rather than call a real person unknown."""
    try:
        resp = await client.users_info(user=user_id)
    except SlackApiError as err:
        data = getattr(err.response, "data", None)  # not JSON when Slack itself failed (a 5xx)
        if isinstance(data, dict) and data.get("error") == "user_not_found":
            return f"{user_id} is not a Slack user."
        return CANNOT_CHECK
    except (TimeoutError, aiohttp.ClientError, OSError):
        return CANNOT_CHECK
    user = resp.get("user")
    if not isinstance(user, dict) or user.get("deleted"):
        return f"{user_id} is not a Slack user."
    return None


async def _save(s: kit.Sent) -> _Saved:
    fields = {k: (v or "") for k, v in s.submission.values.items()}
    not_users = {
        k: "Pick a person from the list."
        for k in views_events.USER_FIELDS
        if fields.get(k) and not _USER_ID.fullmatch(fields[k])
    }
    for k in views_events.USER_FIELDS - not_users.keys():
        problem = await _not_a_member(s.client, fields[k]) if fields.get(k) else None
        if problem:
            not_users[k] = problem
    if not_users:
        raise kit.FieldErrors(not_users)
    return await s.services.events.save_series(s.user, fields, key=s.submission.private_metadata or None)


def _errors(err: InvalidInput, s: kit.Sent) -> Mapping[str, str]:
    shown = {k: v for k, v in err.fields.items() if k in {f.key for f in views_events.EVENT_FIELDS}}
    return shown or {"title": err.message}


def _saved(series: _Saved, s: kit.Sent) -> Block:
    return blocks.notice_modal(f"Saved “{series.title}” (`{series.key}`). `/ambassador events` lists it.")


on_submit = kit.on_submit(_save, _saved, errors=_errors)


def register(app: AsyncApp) -> None:
    app.view(views_events.EVENT_VIEW)(on_submit)
