"""Property-based edge suite (issue 12): arbitrary bytes, headers, form fields and JSON shapes —
deep nesting, unicode digits, huge ints, nulls, wrong types — posted to both POST routes of a
running bot, unsigned and signed. Never a 5xx; unsigned is 401, signed is 400 or 200; a refused
request changes nothing in the database, an accepted one no business table; and no log record
at ERROR or with a traceback (tests/hostile/edge.py `no_errors`)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import threading
import urllib.parse
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sandbox.harness.stack import ALICE, BOB, GENERAL, MOD, FakeClock, Stack, pg_database, start_stack
from handlers.slack.applications import views as application_views
from handlers.slack.directory import views as directory_views
from handlers.slack.events import views as views_events
from handlers.slack.groups import views as group_views
from handlers.slack.nominations import views as nomination_views
from handlers.slack.onboarding import views as onboarding_views
from handlers.slack.requests import views as views_requests
from handlers.slack.terms import views as terms_views
from tests.conftest import BACKENDS
from tests.hostile.edge import FORM, JSON, _Failures, discourse_headers, no_errors, slack_headers, snapshot

T = TypeVar("T")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SETTINGS = settings(
    max_examples=int(os.environ.get("EDGE_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Tables an accepted (signed, well-formed) request may legitimately touch: the audit of a refused
# permission, the Events API dedupe record, a person's first contact, a message it answers with.
BOOKKEEPING = ("audit_log", "processed_events", "people", "outbox")


class Bot:
    """A running stack in a thread of its own, so that sync hypothesis tests can drive it."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._stop = asyncio.Event()
        self._ready: asyncio.Future[Stack] = self.loop.create_future()
        self._task = asyncio.run_coroutine_threadsafe(self._serve(backend, tmp), self.loop)
        self.stack = asyncio.run_coroutine_threadsafe(self._wait(), self.loop).result(120)
        self.http = self.run(self._client())

    async def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=30)

    async def _wait(self) -> Stack:
        return await self._ready

    async def _serve(self, backend: str, tmp: Path) -> None:
        # The bot's clock stands still, so its sweeps (reminders, nudges) do their work once at the
        # start and the database then changes only if a request changes it.
        clock = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
        try:
            async with contextlib.AsyncExitStack() as stop:
                if backend == "sqlite":
                    url = f"sqlite+aiosqlite:///{tmp}/bot.db"
                else:
                    url = await stop.enter_async_context(pg_database(os.environ["TEST_DATABASE_URL"]))
                stack = await stop.enter_async_context(start_stack(url, clock=clock))
                await stack.runtime.services.reminders.sweep()  # what the first timed sweep would do
                await stack.settle()
                self._ready.set_result(stack)
                await self._stop.wait()
        except BaseException as err:
            if not self._ready.done():
                self._ready.set_exception(err)
            raise

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(120)

    def close(self) -> None:
        self.run(self.http.aclose())
        self.loop.call_soon_threadsafe(self._stop.set)
        self._task.result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    async def _post(self, path: str, body: bytes, headers: dict[str, Any]) -> tuple[int, str]:
        resp = await self.http.post(f"{self.stack.bot_url}{path}", content=body, headers=headers)
        await self.stack.settle()
        return resp.status_code, resp.text

    def post(self, path: str, body: bytes, headers: dict[str, Any]) -> tuple[int, str]:
        return self.run(self._post(path, body, headers))

    def snapshot(self, skip: tuple[str, ...] = ()) -> dict[str, int]:
        return self.run(snapshot(self.stack, skip))


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    running = Bot(request.param, tmp_path_factory.mktemp("edge"))
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def guard(bot: Bot) -> Iterator[_Failures]:
    with no_errors() as failures:
        yield failures


def check(bot: Bot, guard: _Failures, path: str, body: bytes, headers: dict[str, Any], signed: bool) -> None:
    before = bot.snapshot()
    seen = len(guard.bad)
    status, text = bot.post(path, body, headers)
    assert status < 500, text[:300]
    if signed:
        assert status in (200, 400), (status, text[:300])
    else:
        assert status == 401, (status, text[:300])
    if status >= 400:
        assert bot.snapshot() == before
    else:
        assert bot.snapshot(BOOKKEEPING) == {
            k: v for k, v in before.items() if k.split(".")[0] not in BOOKKEEPING
        }
    assert guard.bad[seen:] == []


# -- values -----------------------------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from(
    [
        "²",
        "١٢٣",
        "𝟙𝟚",
        "٣",
        "1" * 30,
        str(2**63),
        str(2**70),
        "-1",
        "0",
        "",
        " ",
        "1e9",
        "NaN",
        "\x00",
        "<!channel>",
        "x" * 5000,
        "2|99991231T2359Z",
        "1|20261203T1700Z",
        "U0MOD",
        "C0MODS",
        "{}",
        "[]",
        "null",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**63, 2**70, -(2**63) - 1, 10**30, 0, -1]),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    HOSTILE_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=12), HOSTILE_TEXT), inner, max_size=4),
    ),
    max_leaves=12,
)


def nested(depth: int, opener: str = "[", leaf: str = "1") -> str:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return opener * depth + leaf + closer * depth


DEEP = st.builds(nested, st.integers(1, 12_000), st.sampled_from(["[", '{"a":']))

# -- unsigned -------------------------------------------------------------------------------------

BAD_TIMESTAMPS = st.one_of(
    st.sampled_from(["abc", "", "1e9", "1700000000.5", "9" * 400, "-5", "0"]), st.text(max_size=20)
)
RAW_BODIES = st.one_of(
    st.binary(max_size=3000),
    DEEP.map(str.encode),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=6).map(
        lambda d: urllib.parse.urlencode(d).encode()
    ),
    JSON_VALUES.map(lambda v: urllib.parse.urlencode({"payload": json.dumps(v)}).encode()),
    st.just(b"payload=%7Bnot+json"),
)


def _ascii_header(text: str) -> bytes:
    """Any text as a header value HTTP can carry (no control bytes, no surrounding blanks)."""
    raw = text.encode("utf-8", "replace")
    return bytes(b for b in raw if b >= 0x20 and b != 0x7F).strip()


@given(
    body=RAW_BODIES,
    ctype=st.sampled_from([FORM, JSON, "text/plain", "application/json; charset=utf-8", ""]),
    timestamp=st.one_of(st.none(), BAD_TIMESTAMPS),
    signature=st.one_of(
        st.none(), st.text(max_size=80), st.sampled_from(["v0=", "v0=" + "0" * 64, "sha256=é"])
    ),
    route=st.sampled_from(["/slack/events", "/discourse/webhooks"]),
)
@SETTINGS
def test_unsigned_requests_are_401_and_change_nothing(
    bot: Bot,
    guard: _Failures,
    body: bytes,
    ctype: str,
    timestamp: str | None,
    signature: str | None,
    route: str,
) -> None:
    headers: dict[str, Any] = {"Content-Type": ctype} if ctype else {}
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = _ascii_header(timestamp)
    if signature is not None:
        headers["X-Slack-Signature" if route == "/slack/events" else "X-Discourse-Event-Signature"] = (
            _ascii_header(signature)
        )
        headers["X-Discourse-Event"] = "user_badge_granted"
    check(bot, guard, route, body, headers, signed=False)


@given(body=RAW_BODIES, ctype=st.sampled_from([FORM, JSON, "text/plain"]))
@SETTINGS
def test_signed_junk_is_400_or_200_never_5xx(bot: Bot, guard: _Failures, body: bytes, ctype: str) -> None:
    check(bot, guard, "/slack/events", body, slack_headers(body, ctype), signed=True)
    event = "user_badge_granted"
    check(bot, guard, "/discourse/webhooks", body, discourse_headers(body, event), signed=True)


# -- signed Slack payloads of every kind, mutated -----------------------------------------------------

ACTION_IDS = [
    application_views.APPROVE,
    application_views.REJECT,
    onboarding_views.ACK_GUIDELINES,
    views_events.BOOK,
    views_events.CANCEL_BOOKING,
    views_events.RENEW,
    f"{views_events.RSVP_PREFIX}going",
    nomination_views.NOMINATION_INVITE,
    nomination_views.NOMINATION_DECLINE,
    nomination_views.NOMINATION_APPLY,
    terms_views.RETIRE_CONFIRM,
    terms_views.RETIRE_CANCEL,
    views_requests.APPROVE,
    views_requests.REJECT,
    views_requests.CLOSE,
    group_views.APPROVE,
    group_views.REJECT,
    group_views.STEP,
    group_views.OBJECT,
    "unknown_action",
]
CALLBACKS = [
    application_views.APPLY_VIEW,
    application_views.REJECT_VIEW,
    views_events.RENEWAL_VIEW,
    views_events.EVENT_VIEW,
    directory_views.PROFILE_VIEW,
    views_requests.REQUEST_VIEW,
    views_requests.NOTE_VIEW,
    group_views.REQUEST_VIEW,
    group_views.APPROVE_VIEW,
    group_views.REASON_VIEW,
    group_views.STEP_VIEW,
    "unknown",
]
PROTECTED = {"response_url", "trigger_id"}  # fresh and valid in every example, as Slack's are


def template(stack: Stack, kind: str, user: str, name: str) -> dict[str, Any]:
    trigger = stack.slack.issue_trigger_id(user)
    if kind == "click":
        payload = json.loads((FIXTURES / "slack" / "block_actions.json").read_text())
        payload["user"] = {"id": user, "username": "someone", "name": "someone", "team_id": "T0"}
        payload["container"] = {"type": "message", "message_ts": "1.000001", "channel_id": GENERAL}
        payload["channel"] = {"id": GENERAL, "name": "general"}
        payload["actions"][0]["action_id"] = name
        payload["response_url"] = stack.slack.make_response_url(GENERAL, None, user)
    elif kind == "submission":
        payload = json.loads((FIXTURES / "slack" / "view_submission.json").read_text())
        payload["user"] = {"id": user, "username": "someone", "name": "someone", "team_id": "T0"}
        payload["view"]["callback_id"] = name
        payload["view"]["private_metadata"] = json.dumps(
            {"application_id": 1, "group_id": 1, "request_id": 1}
        )
    elif kind == "event":
        payload = json.loads((FIXTURES / "slack" / "app_home_opened_event_callback.json").read_text())
        payload["event"]["user"] = user
        payload["event_id"] = f"Ev{trigger[-12:]}"
    else:
        payload = {
            "command": "/ambassador",
            "text": name,
            "user_id": user,
            "user_name": "someone",
            "channel_id": GENERAL,
            "response_url": stack.slack.make_response_url(GENERAL, None, user),
            "trigger_id": trigger,
        }
    if "trigger_id" in payload or kind != "event":
        payload["trigger_id"] = trigger
    return payload


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in PROTECTED:
                out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            out += paths(v, (*prefix, i))
    return out


def mutate(payload: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    out = copy.deepcopy(payload)
    for _ in range(data.draw(st.integers(0, 3), label="mutations")):
        where = paths(out)
        if not where:
            break
        path = data.draw(st.sampled_from(where), label="path")
        node: Any = out
        for key in path[:-1]:
            node = node[key]
        if data.draw(st.booleans(), label="delete") and isinstance(node, dict):
            node.pop(path[-1], None)
        else:
            node[path[-1]] = data.draw(JSON_VALUES, label="value")
    return out


@given(
    kind=st.sampled_from(["click", "submission", "event", "command"]),
    user=st.sampled_from([MOD, ALICE, BOB, "U0NOBODY"]),
    data=st.data(),
)
@SETTINGS
def test_signed_slack_payloads_of_any_shape(
    bot: Bot, guard: _Failures, kind: str, user: str, data: st.DataObject
) -> None:
    names = {
        "click": ACTION_IDS,
        "submission": CALLBACKS,
        "event": ["-"],
        "command": ["help", "status", "find x", "events", "nonsense ²"],
    }
    name = data.draw(st.sampled_from(names[kind]), label="name")
    payload = mutate(template(bot.stack, kind, user, name), data)
    if kind == "command":
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
        body = urllib.parse.urlencode(fields).encode()
        check(bot, guard, "/slack/events", body, slack_headers(body, FORM), signed=True)
    elif kind == "event":
        body = json.dumps(payload).encode()
        check(bot, guard, "/slack/events", body, slack_headers(body, JSON), signed=True)
    else:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        check(bot, guard, "/slack/events", body, slack_headers(body, FORM), signed=True)


# -- signed Discourse deliveries, mutated ------------------------------------------------------------

EVENTS = [
    "post_created",
    "topic_created",
    "user_badge_granted",
    "user_badge_revoked",
    "user_added_to_group",
    "user_created",
    "ping",
]


@given(event=st.sampled_from(EVENTS), data=st.data())
@SETTINGS
def test_signed_discourse_deliveries_of_any_shape(
    bot: Bot, guard: _Failures, event: str, data: st.DataObject
) -> None:
    name = "ping" if event == "ping" else event
    fx = json.loads(
        (
            FIXTURES / ("ping.request.json" if event == "ping" else f"discourse/{name}.request.json")
        ).read_text()
    )
    payload = mutate(fx["body"], data)
    body = json.dumps(payload).encode()
    headers = discourse_headers(body, event)
    headers["X-Discourse-Event-Type"] = str(fx["headers"].get("X-Discourse-Event-Type") or event)
    check(bot, guard, "/discourse/webhooks", body, headers, signed=True)
