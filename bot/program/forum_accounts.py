"""Is a name a real forum account? Asked before a forum username is recorded anywhere.

A forum username is only worth recording when the forum knows it: linking `bobby` to a Slack
person, or making `frank` an organiser whose forum group ownership is queued at approval, would
otherwise fail much later (the link-code PM bounces, the handover's owner step fails) and far from
the person who typed the name. So the service asks the forum first and answers at once:

- the account exists: the name is used as the forum spells it (usernames are case-insensitive);
- it does not: a clear refusal, and nothing changes;
- the forum cannot be asked right now (outage, rate limit, or no answer within LOOKUP_SECONDS):
  also a refusal, "try again", rather than recording a name nobody checked.

The question is asked while Slack waits for the command's or the form's acknowledgement (3 s), and
forum calls queue behind the outbox's paced ones, hence the short deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from bot.program.errors import Conflict, NotFound
from bot.program.failures import DeliveryError

LOOKUP_SECONDS = 2.0


class ForumAccounts(Protocol):
    async def find_account(self, username: str) -> str | None:
        """The account's username as the forum spells it, or None when there is no such account.
        Raises a DeliveryError when the forum could not answer."""
        ...


async def require_account(accounts: ForumAccounts, username: str) -> str:
    """The forum's spelling of `username`; NotFound when the forum has no such account, Conflict
    when the forum could not be asked."""
    [found] = await require_accounts(accounts, [username])
    return found


async def require_accounts(accounts: ForumAccounts, usernames: Sequence[str]) -> list[str]:
    """`require_account` for several names, within one LOOKUP_SECONDS deadline."""
    found: list[str | None] = []
    try:
        async with asyncio.timeout(LOOKUP_SECONDS):
            for name in usernames:
                found.append(await accounts.find_account(name))
    except (DeliveryError, TimeoutError):
        raise Conflict(
            f"I could not reach the forum to check that {usernames[len(found)]} has an account "
            "there. Please try again in a minute."
        ) from None
    for name, spelled in zip(usernames, found, strict=True):
        if spelled is None:
            raise NotFound(
                f"There is no forum account named {name}. Check the spelling on the forum "
                "(the name in the address of their profile page)."
            )
    return [str(s) for s in found]
