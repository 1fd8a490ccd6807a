"""The Slack stand-in the sandbox tests talk to (served on loopback, two users, one channel)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox.slack import SlackStandIn
from tests.sandbox.helpers import SECRET, TOKEN


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn(bot_token=TOKEN, signing_secret=SECRET)
    standin.add_user("U1", "alice")
    standin.add_user("U2", "bob", tz="America/New_York")
    standin.add_channel("C1", "general", bot_member=True)
    async with standin.serve():
        yield standin
