"""The add/edit event series form was submitted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from slack_bolt.async_app import AsyncApp

from bot.program.errors import InvalidInput
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.events import views as views_events
from handlers.slack.subcommands.base import workspace_member

# A Slack user id (https://api.slack.com/changelog/2016-08-11-user-id-format-changes): what a
# users_select sends; anything else is a forged submission. A well-formed id must also be someone
# users.info knows (a forged or stale id is not a host).
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


class _Saved(Protocol):
    """What the answer shows of the saved series."""

    @property
    def title(self) -> str: ...
    @property
    def key(self) -> str: ...


async def _save(s: kit.Sent) -> _Saved:
    fields = {k: (v or "") for k, v in s.submission.values.items()}
    not_users = {
        k: "Pick a person from the list."
        for k in views_events.USER_FIELDS
        if fields.get(k) and not _USER_ID.fullmatch(fields[k])
    }
    for k in views_events.USER_FIELDS - not_users.keys():
        if fields.get(k) and await workspace_member(s.client, fields[k]) is None:
            not_users[k] = f"{fields[k]} is not a Slack user."
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
