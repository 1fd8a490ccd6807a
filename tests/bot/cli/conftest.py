"""The Discourse stand-in the `setup discourse` and doctor tests talk to: served on loopback,
its ``system`` API user an admin, a rate limit the tests do not wait for."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox.discourse import DiscourseStandIn

KEY = "forum-admin-key"


@pytest.fixture
async def forum() -> AsyncIterator[DiscourseStandIn]:
    standin = DiscourseStandIn(api_key=KEY, api_username="system", admin_limit_per_minute=6000)
    async with standin.serve():
        yield standin
