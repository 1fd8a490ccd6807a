"""Whose line is it: every line of a roster resolved to a Slack user of the workspace.

A line that gives `slack_id` names the user (it must exist and be active); a line that gives only
`email` is looked up (`users.lookupByEmail`, Slack's Tier 3: the client waits out a 429's
`Retry-After`). Two lines that turn out to be the same Slack user are a duplicate: the later one
is refused, naming the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.program.roster.parse import Refusal, RosterLine

IN_FLIGHT = 8  # look-ups at once


class SlackPeople(Protocol):
    """The workspace's members, as the import needs them (bot/platforms/slack/client.py)."""

    async def by_email(self, email: str) -> str | None:
        """The Slack user id registered with `email`; None when nobody active has it."""
        ...

    async def exists(self, slack_id: str) -> bool:
        """Whether `slack_id` is an active member of the workspace."""
        ...


@dataclass(frozen=True)
class Resolved:
    line: RosterLine
    slack_id: str


async def _slack_id(line: RosterLine, slack: SlackPeople) -> str | None:
    if line.slack_id is not None:
        return line.slack_id if await slack.exists(line.slack_id) else None
    assert line.email is not None  # parse: one of them is given
    return await slack.by_email(line.email)


async def _look_up(lines: Sequence[RosterLine], slack: SlackPeople) -> list[str | None]:
    """Each line's Slack id. Slack ids are checked `IN_FLIGHT` at a time; emails one at a time,
    so that each waits out its own 429's Retry-After and then finds the next token there: several
    at once would keep meeting the limit and run out of retries (Tier 3 is about 50 a minute)."""
    ids, emails = asyncio.Semaphore(IN_FLIGHT), asyncio.Semaphore(1)

    async def one(line: RosterLine) -> str | None:
        async with ids if line.slack_id is not None else emails:
            return await _slack_id(line, slack)

    return list(await asyncio.gather(*(one(line) for line in lines)))


async def resolve(lines: Sequence[RosterLine], slack: SlackPeople) -> tuple[list[Resolved], list[Refusal]]:
    """Each line with its Slack user, or refused (unknown user, or one an earlier line named)."""
    resolved: list[Resolved] = []
    refused: list[Refusal] = []
    first: dict[str, int] = {}
    for line, slack_id in zip(lines, await _look_up(lines, slack), strict=True):
        if slack_id is None:
            refused.append(Refusal(line.line, f"unknown Slack user {line.slack_id or line.email}"))
            continue
        earlier = first.setdefault(slack_id, line.line)
        if earlier != line.line:
            refused.append(
                Refusal(
                    line.line,
                    f"duplicate: {line.email or slack_id} is Slack user {slack_id}, "
                    f"already on line {earlier}",
                )
            )
            continue
        resolved.append(Resolved(line, slack_id))
    return resolved, refused
