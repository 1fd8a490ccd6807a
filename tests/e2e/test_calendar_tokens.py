"""Private calendar addresses: only a hash is stored, `/ambassador calendar reset` replaces one,
and addresses handed out before the hashing (migration 0008) keep working."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

import httpx
from sqlalchemy import select, text

from bot.program.backup import BackupService
from bot.program.ports import SystemClock
from bot.sandbox.harness.stack import ALICE, BOB, Stack, start_stack
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import AuditEntry

# The schema heads before 0008 (calendar_tokens comes with 0006_events).
BEFORE_0008 = ("0004_user_groups", "0005_requests", "0006_events", "0007_audit_action")


def private_url(answer: str) -> str | None:
    found = re.search(r"(http://\S+/calendar/[^/\s]+\.ics)", answer)
    return found.group(1) if found else None


async def get(stack: Stack, url: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(url.replace(stack.settings.server.public_url, stack.bot_url))


async def say(stack: Stack, user: str, words: str) -> str:
    answer: str = (await stack.actor.slash(user, words)).json()["text"]
    return answer


async def test_only_a_hash_of_the_private_address_is_stored(stack: Stack) -> None:
    url = private_url(await say(stack, ALICE, "calendar"))
    assert url is not None
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert (await get(stack, url)).status_code == 200
    backup = await BackupService(stack.runtime.uow, SystemClock()).dump()
    assert token not in json.dumps(backup)  # a copy of the database does not open anyone's feed
    # Asking again does not hand out the address again (it is not kept): it says how to get a new one.
    again = await say(stack, ALICE, "calendar")
    assert private_url(again) is None
    assert "calendar reset" in again and "/calendar.ics" in again
    assert (await get(stack, url)).status_code == 200


async def test_reset_hands_out_a_new_address_and_kills_the_old_one(stack: Stack) -> None:
    old = private_url(await say(stack, ALICE, "calendar"))
    bobs = private_url(await say(stack, BOB, "calendar"))
    assert old is not None and bobs is not None
    answer = await say(stack, ALICE, "calendar reset")
    new = private_url(answer)
    assert new is not None and new != old
    assert "stopped working" in answer
    assert (await get(stack, old)).status_code == 404
    fresh = await get(stack, new)
    assert fresh.status_code == 200 and b"BEGIN:VCALENDAR" in fresh.content
    assert (await get(stack, bobs)).status_code == 200  # someone else's address is untouched
    async with stack.runtime.uow() as uow:
        resets = select(AuditEntry.actor).where(AuditEntry.action == "calendar.reset")
        assert (await uow.session.execute(resets)).scalars().all() == [ALICE]
    # Resetting before ever asking simply makes the first address.
    first = private_url(await say(stack, "U0CAROL", "calendar reset"))
    assert first is not None and (await get(stack, first)).status_code == 200


async def test_calendar_with_something_else_explains_the_usage(stack: Stack) -> None:
    answer = await say(stack, ALICE, "calendar please")
    assert "/ambassador calendar reset" in answer and private_url(answer) is None
    assert "calendar reset" in await say(stack, ALICE, "help")


async def test_addresses_handed_out_before_hashing_keep_working(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        for head in BEFORE_0008:
            await upgrade(engine, head)
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO calendar_tokens (slack_user_id, token, created_at) VALUES (:u, :t, :at)"),
                {"u": ALICE, "t": "old-plain-token_Abc123", "at": datetime(2026, 11, 1, tzinfo=UTC)},
            )
    finally:
        await engine.dispose()
    async with start_stack(db_url) as stack:  # migrates to 0008 on start
        url = f"{stack.settings.server.public_url}/calendar/old-plain-token_Abc123.ics"
        assert (await get(stack, url)).status_code == 200
        async with stack.runtime.uow() as uow:
            stored = (await uow.session.execute(text("SELECT token FROM calendar_tokens"))).scalars().all()
        assert "old-plain-token_Abc123" not in stored and len(stored) == 1
        assert private_url(await say(stack, ALICE, "calendar reset")) is not None
        assert (await get(stack, url)).status_code == 404


async def test_asking_at_the_same_moment_makes_one_address(stack: Stack) -> None:
    """Five clicks at once by someone without an address (another replica may take one of them):
    one answer holds the address, the others say there is one; none is an error."""
    answers = await asyncio.gather(*(say(stack, "U0DAVE", "calendar") for _ in range(5)))
    urls = [u for u in map(private_url, answers) if u is not None]
    assert len(urls) == 1, answers
    assert all("calendar reset" in a for a in answers if private_url(a) is None), answers
    assert (await get(stack, urls[0])).status_code == 200
    resets = await asyncio.gather(*(say(stack, "U0ERIN", "calendar reset") for _ in range(5)))
    fresh = [u for u in map(private_url, resets) if u is not None]
    assert len(fresh) == 5, resets
    working = [u for u in fresh if (await get(stack, u)).status_code == 200]
    assert len(working) == 1  # the last reset wins; every earlier address is dead
