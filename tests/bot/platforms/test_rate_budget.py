"""One rate budget for the cluster: replicas on one PostgreSQL database take their Slack posting
slots from one budget in the database (a sequence, storage/rate_budget.py), so together they stay
under the workspace's limit, and a 429 one of them meets holds back the others
(bot.platforms.budget). SQLite keeps the in-process budget, which a single process shares between
all its deliveries."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.budget import BUNCH_SECONDS, SLACK_WORKSPACE, LocalBudget, SharedBudget, rate_budgets
from bot.platforms.slack.deliverer import SlackDeliverer
from bot.program import outbox
from bot.program.failures import RateLimited
from bot.sandbox.slack import SlackStandIn
from storage.db import make_engine
from storage.migrate import upgrade
from storage.rate_budget import RateBudgetStore

TOKEN = "xoxb-budget-test"
RATE = 20.0  # the workspace's chat.postMessage ceiling in these tests, per second
USERS = [f"UB{i:04d}" for i in range(60)]


class Plain:
    def render(self, template: str, data: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        text = f"{template} for {data.get('who', '')}"
        return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]

    def render_view(self, template: str, data: Mapping[str, Any]) -> dict[str, Any]:
        raise KeyError(template)


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn(bot_token=TOKEN, signing_secret="budget-test-secret")
    standin.workspace_rate_per_second = RATE
    standin.workspace_burst = 4  # a little slack for the jitter of the loopback network
    for uid in USERS:
        standin.add_user(uid, uid.lower())
    async with standin.serve():
        yield standin


def _replica(slack: SlackStandIn, engine: Any) -> SlackDeliverer:
    """What one replica's runtime builds (bot.runtime): its budgets come from its own engine."""
    budgets = rate_budgets(engine, RATE, 60)
    client = AsyncWebClient(token=TOKEN, base_url=f"{slack.base_url}/api/")
    return SlackDeliverer(client, Plain(), posts_per_second=1000.0, workspace_budget=budgets.slack_workspace)


async def _dm(d: SlackDeliverer, uid: str) -> None:
    await d.deliver(
        outbox.SLACK_DM, f"budget:{uid}", {"user": uid, "template": "hello", "data": {"who": uid}}, False
    )


def _busiest_second(slack: SlackStandIn) -> int:
    """The most posts the stand-in stored in any one-second window."""
    stamps = sorted(float(m["ts"]) for msgs in slack.messages.values() for m in msgs)
    return max(sum(1 for t in stamps[i:] if t < start + 1.0) for i, start in enumerate(stamps))


@pytest.fixture
async def engines(db_url: str, backend: str) -> AsyncIterator[list[Any]]:
    if backend != "postgres":
        pytest.skip("replicas share a rate budget through PostgreSQL")
    first = make_engine(db_url)
    await upgrade(first)
    second = make_engine(db_url)  # the other replica's own connections
    try:
        yield [first, second]
    finally:
        await first.dispose()
        await second.dispose()


async def test_two_replicas_together_post_at_the_workspace_rate_and_never_above_it(
    slack: SlackStandIn, engines: list[Any]
) -> None:
    """60 DMs, 30 from each replica at once, against a workspace allowing 20 a second: Slack
    never answers 429, no one-second window has more than the limit (plus the burst the
    stand-in forgives), and together they still use the whole budget (about 3 s, not 1.5 s
    as two per-process pacers would, nor 6 s as halved settings would)."""
    a, b = (_replica(slack, e) for e in engines)
    started = time.monotonic()
    try:
        await asyncio.gather(*(_dm(a, u) for u in USERS[:30]), *(_dm(b, u) for u in USERS[30:]))
    finally:
        await a.aclose()
        await b.aclose()
    elapsed = time.monotonic() - started
    assert slack.rate_limited == 0
    assert sum(len(m) for m in slack.messages.values()) == 60
    assert _busiest_second(slack) <= RATE + 4
    assert 59 / RATE * 0.95 <= elapsed < 59 / RATE / 0.8


async def test_a_429_met_by_one_replica_holds_back_the_other(slack: SlackStandIn, engines: list[Any]) -> None:
    """Replica A's post is refused with Retry-After 2: replica B's next post waits for it too."""
    a, b = (_replica(slack, e) for e in engines)
    try:
        slack.fail_next("chat.postMessage", status=429, retry_after=2)
        refused_at = time.monotonic()
        with pytest.raises(RateLimited):
            await _dm(a, USERS[0])
        await _dm(b, USERS[1])
        waited = time.monotonic() - refused_at
    finally:
        await a.aclose()
        await b.aclose()
    assert waited >= 1.9
    assert [uid for uid in USERS[:2] if slack.messages_in(slack.im_channel_id(uid))] == [USERS[1]]


async def test_shared_slots_are_spaced_across_replicas(engines: list[Any]) -> None:
    """The row hands out each slot once: the starts of two budgets on one row, eight callers
    each, are at least 1/rate apart once merged, and they come a batch per round trip."""
    rate = 50.0
    budgets = [SharedBudget(RateBudgetStore(e), SLACK_WORKSPACE, rate, batch_seconds=0.1) for e in engines]
    starts: list[float] = []

    async def take(budget: SharedBudget, n: int) -> None:
        for _ in range(n):
            await budget.wait()
            starts.append(time.monotonic())

    await asyncio.gather(*(take(b, 5) for b in budgets for _ in range(8)))
    starts.sort()
    per_window = Counter(int((t - starts[0]) / 0.5) for t in starts)
    assert len(starts) == 80
    assert max(per_window.values()) <= rate * 0.5 + 2
    assert starts[-1] - starts[0] >= 79 / rate * 0.95
    assert 79 / (starts[-1] - starts[0]) <= rate  # together, never faster than the limit
    assert sum(b.fetches for b in budgets) <= 80 / 2  # several slots a round trip (5 at most)


async def test_on_sqlite_the_budget_is_the_process_s_own(db_url: str, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the SQLite wiring")
    engine = make_engine(db_url)
    try:
        budgets = rate_budgets(engine, RATE, 60)
    finally:
        await engine.dispose()
    assert isinstance(budgets.slack_workspace, LocalBudget)
    assert budgets.slack_workspace.rate == RATE and budgets.discourse_admin.rate == 1.0


async def test_callers_woken_together_after_a_stall_start_a_few_at_a_time() -> None:
    # A fan-out's DMs wait for slots 5 ms apart. The event loop stalls for 45 ms (a long
    # statement, a collection), and nine of them wake at once, each still within its slot's
    # lateness allowance. All nine used to start at that instant; a few stalls in a row emptied
    # Slack's burst allowance and ended in a 429 with a whole second of Retry-After.
    budget = LocalBudget(200.0)
    started: list[float] = []

    async def post() -> None:
        await budget.wait()
        started.append(time.monotonic())

    tasks = [asyncio.create_task(post()) for _ in range(20)]
    await asyncio.sleep(0)  # every caller has its slot
    time.sleep(0.045)  # the stall
    await asyncio.gather(*tasks)
    at_once = max(sum(1 for t in started if s <= t < s + 0.001) for s in started)
    assert at_once <= 1 + BUNCH_SECONDS * budget.rate, sorted(round(t - started[0], 4) for t in started)
    assert len(started) == 20
