"""Discourse delivers a webhook again when it did not see the answer in time, so twins of one
delivery can arrive together: eight at once still complete the intro step exactly once, with
one recorded delivery, every twin answered 200 and the others named duplicates."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, Stack, start_stack
from storage.models import AuditEntry, ProcessedEvent

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "discourse" / "post_created.request.json"
INTRO_TOPIC = 10  # the captured post_created is post 12 in topic 10, by user1 (forum user id 1)


@pytest.fixture
async def intro_stack(db_url: str) -> Any:
    async with start_stack(db_url, discourse={"intro_topic_id": INTRO_TOPIC}) as s:
        yield s


async def test_eight_twins_at_once_complete_the_intro_step_once(intro_stack: Stack) -> None:
    stack = intro_stack
    stack.forum.add_user("user1", user_id=1)
    review = await stack.apply(forum_username="user1")
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()
    fx = json.loads(FIXTURE.read_text(encoding="utf-8"))
    raw = fx["raw_body_compact"].encode()
    base = {k: str(v) for k, v in fx["headers"].items() if v is not None and k != "Content-Length"}
    base["X-Discourse-Event-Signature"] = stack.forum_actor.signature(raw)

    async def twin(event_id: int) -> tuple[int, str]:
        resp = await stack.forum_actor.send_raw(raw, {**base, "X-Discourse-Event-Id": str(event_id)})
        return resp.status_code, resp.json().get("result", "")

    answers = await asyncio.gather(*(twin(100 + i) for i in range(8)))
    assert [status for status, _ in answers] == [200] * 8
    assert sorted(result for _, result in answers) == ["done"] + ["duplicate"] * 7
    async with stack.runtime.uow() as uow:
        rows = select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.key == "post_created:12")
        recorded = (await uow.session.execute(rows)).scalar_one()
        actions = [a.action for a in (await uow.session.execute(select(AuditEntry))).scalars()]
    assert recorded == 1
    assert actions.count("onboarding.step_completed") == 1
    assert "1 of 4 done" in (await stack.actor.slash(ALICE, "status")).json()["text"]
