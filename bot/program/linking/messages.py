"""The typed message of linking: the forum private message that carries a one-time code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from bot.program.messages import Message


@dataclass(frozen=True)
class LinkCodeMessage(Message):
    """To the forum account's owner: the code to type in Slack within `minutes`. The row's data
    is redacted once it is delivered (or given up on)."""

    kind: ClassVar[Literal["forum_link_code"]] = "forum_link_code"
    username: str
    code: str
    program: str
    command: str
    minutes: int
