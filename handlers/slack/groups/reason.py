"""A reviewer pressed Reject or Needs changes: ask for the reason (or what to fix) in a modal."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from handlers.slack import kit
from handlers.slack.blocks import Block
from handlers.slack.groups.views import CHANGES, REJECT, loading, reason_modal


def _mode(p: kit.Press[int]) -> str:
    return "reject" if p.click.action.action_id == REJECT else "changes"


def _loading(p: kit.Press[int]) -> Block:
    return loading("Reject user group" if _mode(p) == "reject" else "Ask for changes")


async def _form(p: kit.Press[int]) -> Block:
    # The prefilled text needs the request, so this comes after the modal is open.
    title, text = await p.services.groups.reason_form(p.target.user, p.id, _mode(p))
    url = p.services.settings.groups.what_is_a_user_group_url
    return reason_modal(_mode(p), p.id, title, text, url, p.target.channel, p.target.message_ts)


on_reason = kit.on_form_button(_loading, _form)


def register(app: AsyncApp) -> None:
    app.action(re.compile(f"^({REJECT}|{CHANGES})$"))(on_reason)
