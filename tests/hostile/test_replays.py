"""Replayed, re-timed and re-signed Slack requests, and hostile Discourse webhook deliveries:
each is refused or processed exactly once, and a refused one changes nothing at all."""

from __future__ import annotations

import json
import time

import httpx

from bot.program.backup import BackupService
from bot.program.ports import SystemClock
from bot.sandbox.discourse import post_payload
from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, SIGNING_SECRET, Stack


async def snapshot(stack: Stack) -> str:
    data = await BackupService(stack.runtime.uow, SystemClock()).dump()
    return json.dumps(data["tables"], sort_keys=True, default=str)


class Recorder:
    """Keeps the exact bytes and headers of what the Slack actor sends, to replay them."""

    def __init__(self, stack: Stack) -> None:
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []
        real = stack.actor.http.post

        async def post(url: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
            self.sent.append((url, content, dict(headers)))
            return await real(url, content=content, headers=headers)

        stack.actor.http.post = post  # type: ignore[method-assign]


def resign(body: bytes, ts: int, secret: str) -> dict[str, str]:
    import hashlib
    import hmac

    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


async def test_slack_click_replays_are_refused_or_processed_once(stack: Stack) -> None:
    review = await stack.apply()
    rec = Recorder(stack)
    first = await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    assert first.status_code == 200
    await stack.settle()
    url, body, headers = rec.sent[-1]
    after_approval = await snapshot(stack)
    posted = len(stack.slack.calls_to("chat.postMessage"))
    badge_calls = len(stack.forum.calls_to("POST", "/user_badges"))

    async with httpx.AsyncClient() as http:
        # Slack retries a request it thinks timed out: same bytes, same signature, a retry header.
        for n in (1, 2):
            retry = await http.post(
                url,
                content=body,
                headers={**headers, "X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"},
            )
            assert retry.status_code == 200 and "Traceback" not in retry.text
        await stack.settle()
        # The captured request sent again 6 minutes later (outside Slack's 5-minute window), once
        # with its old signature and once re-signed for the new time with a guessed secret.
        old = int(headers["X-Slack-Request-Timestamp"]) - 6 * 60
        for h in (resign(body, old, SIGNING_SECRET), resign(body, int(time.time()), "guessed-secret")):
            resp = await http.post(url, content=body, headers={**headers, **h})
            assert resp.status_code == 401
        # A tampered body under the original signature.
        tampered = body.replace(b"U0MOD", b"U0EVE")
        assert (await http.post(url, content=tampered, headers=headers)).status_code == 401
    await stack.settle()

    # Approved once: one welcome, one badge, the records as they were after the first click.
    current = await snapshot(stack)
    assert current.count('"application.approved"') == after_approval.count('"application.approved"') == 1
    assert len(stack.forum.calls_to("POST", "/user_badges")) == badge_calls
    new_posts = stack.slack.calls_to("chat.postMessage")[posted:]
    assert not [p for p in new_posts if "welcome" in str(p).lower()]


async def test_slash_command_retry_header_does_not_nominate_twice(stack: Stack) -> None:
    stack.slack.add_user("U0DAN", "dan")
    rec = Recorder(stack)
    assert (await stack.actor.slash(ALICE, "nominate <@U0DAN> runs the Porto meetup")).status_code == 200
    await stack.settle()
    url, body, headers = rec.sent[-1]
    async with httpx.AsyncClient() as http:
        again = await http.post(url, content=body, headers={**headers, "X-Slack-Retry-Num": "1"})
    assert again.status_code == 200
    await stack.settle()
    reviews = [m for m in stack.slack.messages_in(MOD_CHANNEL) if "nominates" in m.get("text", "")]
    assert len(reviews) == 1


async def test_hostile_discourse_deliveries_change_nothing(stack: Stack) -> None:
    actor = stack.forum_actor
    payload = post_payload(9001, "alice", 77, "Hello, I am Alice, the new ambassador!")
    body, headers = actor.build("post_created", payload)
    before = await snapshot(stack)
    waiting = await stack.outbox_waiting()

    def without(name: str) -> dict[str, str]:
        return {k: v for k, v in headers.items() if k != name}

    cases: list[tuple[str, bytes, dict[str, str], int]] = [
        ("forged signature", body, {**headers, "X-Discourse-Event-Signature": "sha256=" + "0" * 64}, 401),
        (
            "signature of another body",
            body,
            {**headers, "X-Discourse-Event-Signature": actor.signature(b"{}")},
            401,
        ),
        ("not hex", body, {**headers, "X-Discourse-Event-Signature": "sha256=zz"}, 401),
        ("missing signature", body, without("X-Discourse-Event-Signature"), 401),
        ("empty signature", body, {**headers, "X-Discourse-Event-Signature": ""}, 401),
    ]
    form = b"payload=" + body
    cases.append(
        (
            "form-encoded instead of JSON",
            form,
            {
                **headers,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Discourse-Event-Signature": actor.signature(form),
            },
            400,
        )
    )
    truncated = body[: len(body) // 2]
    cases.append(
        (
            "truncated JSON",
            truncated,
            {**headers, "X-Discourse-Event-Signature": actor.signature(truncated)},
            400,
        )
    )
    huge = b'{"post": {"raw": "' + b"x" * 2_000_000 + b'"}}'
    cases.append(("oversized", huge, {**headers, "X-Discourse-Event-Signature": actor.signature(huge)}, 413))
    cases.append(("oversized, unsigned", huge, without("X-Discourse-Event-Signature"), 413))
    async with httpx.AsyncClient() as http:
        for name, raw, hdrs, status in cases:
            resp = await http.post(actor.webhook_url, content=raw, headers=hdrs)
            assert resp.status_code == status, (name, resp.status_code, resp.text[:200])
            assert "Traceback" not in resp.text and resp.headers["content-type"].startswith(
                "application/json"
            )
    await stack.settle()
    assert await snapshot(stack) == before
    assert await stack.outbox_waiting() == waiting
    # The same delivery, properly signed, is accepted (so the refusals above were for the reasons given).
    ok = await actor.send_raw(body, headers)
    assert ok.status_code == 200
