"""A reviewer pressed Approve on a user group request: choose the mentor in a modal."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack import kit
from handlers.slack.blocks import Block
from handlers.slack.groups.views import APPROVE, approve_modal, loading


async def _form(p: kit.Press[int]) -> Block:
    # Opened with "loading" first: the mentors (and the checks) are looked up after the click.
    form = await p.services.groups.approval_form(p.target.user, p.id)
    return approve_modal(form, p.target.channel, p.target.message_ts)


on_approve = kit.on_form_button(lambda _p: loading("Approve user group"), _form)


def register(app: AsyncApp) -> None:
    app.action(APPROVE)(on_approve)
