"""What a subcommand receives: the parsed command and the ways to answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.commands import ParsedCommand
from bot.services import Services

Block = dict[str, Any]


@dataclass(frozen=True)
class SlashCommand:
    parsed: ParsedCommand
    user: str
    user_name: str
    channel: str
    trigger_id: str
    ack: AsyncAck
    client: AsyncWebClient
    services: Services
    respond: AsyncRespond | None = None  # the command's response_url, for answers after the ack

    @property
    def command(self) -> str:
        return self.services.settings.slack.command

    @property
    def args(self) -> list[str]:
        """The words after the subcommand's name."""
        return list(self.parsed.args)

    def usage(self, template: str) -> str:
        """A subcommand's usage line, `{cmd}` in it replaced by the slash command."""
        return template.format(cmd=self.command)

    async def reply(self, text: str, blocks: list[Block] | None = None) -> None:
        """Acknowledge with a message only the person who typed the command sees."""
        if blocks is None:
            await self.ack(text=text, response_type="ephemeral")
        else:
            await self.ack(text=text, blocks=blocks, response_type="ephemeral")

    async def member(self, user_id: str) -> dict[str, Any] | None:
        """The workspace member with this id, or None when Slack does not know them."""
        return await workspace_member(self.client, user_id)

    async def timezone(self) -> str | None:
        """The IANA timezone of the person who typed the command (users.info's ``tz``,
        https://api.slack.com/types/user), for the fallback of the times shown to them."""
        try:
            member = await self.member(self.user)
        except (TimeoutError, aiohttp.ClientError, OSError):
            return None  # Slack unreachable: the times still show, their fallback in the event's zone
        tz = member.get("tz") if member else None
        return tz if isinstance(tz, str) and tz else None


async def workspace_member(client: AsyncWebClient, user_id: str) -> dict[str, Any] | None:
    """The workspace member with this id (users.info, https://api.slack.com/methods/users.info),
    or None when Slack does not know them (``user_not_found``) or they were deactivated."""
    try:
        resp = await client.users_info(user=user_id)
    except SlackApiError:
        return None
    user = resp.get("user")
    if not isinstance(user, dict) or user.get("deleted"):
        return None
    return user
