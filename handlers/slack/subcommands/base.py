"""What a subcommand receives: the parsed command and the ways to answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
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

    @property
    def command(self) -> str:
        return self.services.settings.slack.command

    async def reply(self, text: str, blocks: list[Block] | None = None) -> None:
        """Acknowledge with a message only the person who typed the command sees."""
        if blocks is None:
            await self.ack(text=text, response_type="ephemeral")
        else:
            await self.ack(text=text, blocks=blocks, response_type="ephemeral")
