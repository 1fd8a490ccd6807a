"""Pull the common bits out of a block_actions payload, and answer the person who clicked.

A click arrives from a message (container type "message": channel, ts and a response_url) or
from a view such as the App Home tab (container type "view": a view id, no channel, no
response_url). Listeners handle both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.blocks import notice_modal
from handlers.slack.inbound import Click


@dataclass(frozen=True)
class ActionTarget:
    user: str
    app_id: int | None  # the button's numeric value (an application, nomination or ambassador id)
    channel: str | None
    message_ts: str | None
    view_id: str | None = None

    @property
    def in_view(self) -> bool:
        return self.view_id is not None


def action_target(click: Click) -> ActionTarget:
    """Where the (strictly parsed) click came from and the id its button carries."""
    if click.in_view:
        return ActionTarget(click.user.id, click.value_id, None, None, click.view_id)
    return ActionTarget(click.user.id, click.value_id, click.channel_id, click.message_ts)


STALE = "That button is out of date; nothing was changed."


async def tell(
    respond: AsyncRespond | None,
    text: str,
    *,
    client: AsyncWebClient | None = None,
    body: dict[str, Any] | None = None,
) -> None:
    """A private answer to whoever pressed the button; the message itself stays as it is.

    A click in the App Home tab has no response_url, so the answer opens as a small modal
    (with the click's trigger_id) instead.
    """
    if respond is not None and respond.response_url:
        await respond(text=text, response_type="ephemeral", replace_original=False)
        return
    trigger_id = (body or {}).get("trigger_id")
    if client is not None and trigger_id:
        await client.views_open(trigger_id=trigger_id, view=notice_modal(text))
