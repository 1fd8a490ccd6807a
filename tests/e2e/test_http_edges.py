"""Hostile and broken input at the HTTP edge, platform rate limits, and failures doctor reports."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.doctor import run_doctor
from bot.sandbox.discourse import DiscourseActor
from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, Stack, start_stack
from storage.models import Application, OutboxMessage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


async def _count_applications(stack: Stack) -> int:
    async with stack.runtime.uow() as uow:
        return len(list((await uow.session.execute(select(Application))).scalars()))


async def test_slack_requests_with_bad_signatures_get_401_and_change_nothing(stack: Stack) -> None:
    assert (await stack.actor.slash(ALICE, "apply", secret_override="not-the-secret")).status_code == 401
    stale = int(time.time()) - 6 * 60  # outside Slack's 5-minute window
    assert (await stack.actor.slash(ALICE, "apply", timestamp_override=stale)).status_code == 401
    async with httpx.AsyncClient() as http:
        # The real signed request from Slack's docs/SDK vector: valid signature, but for another
        # secret and from 2018, so it must be refused.
        v = json.loads((FIXTURES / "signature_vector_slack_sdk.json").read_text())
        resp = await http.post(f"{stack.bot_url}/slack/events", content=v["body"], headers=v["headers"])
        assert resp.status_code == 401
        resp = await http.post(
            f"{stack.bot_url}/slack/events",
            content=b"command=%2Fambassador&text=apply",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert resp.status_code == 401
    assert stack.slack.calls_to("views.open") == []
    assert await _count_applications(stack) == 0


async def test_discourse_webhook_signatures_use_the_real_vector(db_url: str) -> None:
    ping = json.loads((FIXTURES / "ping.request.json").read_text())
    secret = ping["secret_used_for_signature"]
    async with (
        start_stack(db_url, discourse={"webhook_secret": secret}) as stack,
        httpx.AsyncClient() as http,
    ):
        url = f"{stack.bot_url}/discourse/webhooks"
        body = ping["raw_body_compact"].encode()
        headers = {k: str(v) for k, v in ping["headers"].items() if v is not None and k != "Content-Length"}
        ok = await http.post(url, content=body, headers=headers)
        assert ok.status_code == 200 and ok.json()["ok"] is True
        tampered = await http.post(url, content=body.replace(b"OK", b"KO"), headers=headers)
        assert tampered.status_code == 401
        unsigned = {k: v for k, v in headers.items() if k != "X-Discourse-Event-Signature"}
        assert (await http.post(url, content=body, headers=unsigned)).status_code == 401
        # Correctly signed but not JSON, or not an object: 400, not 500.
        actor = DiscourseActor(stack.bot_url, secret)
        for raw in (b"{not json", b"[1, 2]", "\u00ff".encode("latin-1")):
            resp = await actor.send_raw(raw, {**headers, "X-Discourse-Event-Signature": actor.signature(raw)})
            assert resp.status_code == 400, raw
        huge = b'{"post": {"raw": "' + b"x" * 2_000_000 + b'"}}'
        resp = await actor.send_raw(huge, {**headers, "X-Discourse-Event-Signature": actor.signature(huge)})
        assert resp.status_code == 413


async def test_health_reports_the_database(stack: Stack) -> None:
    async with httpx.AsyncClient() as http:
        resp = await http.get(f"{stack.bot_url}/healthz")
    assert resp.status_code == 200 and resp.json() == {"status": "ok", "database": "ok"}


async def test_slack_429_is_retried_after_retry_after_and_posts_once(stack: Stack) -> None:
    stack.slack.fail_next("chat.postMessage", times=2, status=429, retry_after=1)
    started = time.monotonic()
    review = await stack.apply()
    assert time.monotonic() - started >= 1.0  # waited as told, did not hammer
    assert len(stack.review_messages()) == 1 and review["text"]
    assert stack.runtime.worker.rate_limited >= 1
    rows = await stack.outbox_rows()
    assert [r.status for r in rows] == ["delivered"]


async def test_discourse_429_is_retried_and_the_badge_granted_once(stack: Stack) -> None:
    stack.forum.fail_next("POST", "/user_badges", times=1, status=429, retry_after=1)
    review = await stack.apply()
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()
    assert stack.forum.badges_of("alice") == ["Ambassador"]
    statuses = [c[3] for c in stack.forum.calls_to("POST", "/user_badges")]
    assert statuses == [429, 200]


async def test_a_refused_delivery_fails_visibly_and_doctor_reports_it(stack: Stack) -> None:
    # The applicant gives a forum username that does not exist on the forum.
    review = await stack.apply(forum_username="nobody_here")
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()
    async with stack.runtime.uow() as uow:
        rows = {r.kind: r for r in (await uow.session.execute(select(OutboxMessage))).scalars()}
    assert rows["discourse.grant_badge"].status == "failed"
    assert "404" in (rows["discourse.grant_badge"].last_error or "")
    assert rows["slack.dm"].status == "delivered"  # the rest still went out
    lines: list[str] = []
    ok = await run_doctor(stack.settings, lines.append)
    report = "\n".join(lines)
    assert "discourse.grant_badge (failed" in report and "outbox retry" in report
    assert ok  # a failed delivery is a warning; config, database, Slack and forum are fine
    assert "FAIL" not in report


async def test_doctor_names_a_wrong_token_and_a_missing_badge(db_url: str) -> None:
    async with start_stack(db_url) as stack:
        settings = stack.settings.replace(
            slack={"bot_token": "xoxb-wrong"}, discourse={"ambassador_badge_id": 999}
        )
        lines: list[str] = []
        assert not await run_doctor(settings, lines.append)
    report = "\n".join(lines)
    assert "auth.test refused: invalid_auth" in report
    assert "badge 999 does not exist" in report
    assert "xoxb-wrong" not in report


async def test_slack_event_retries_are_acknowledged_once_and_unknown_events_are_not_404(stack: Stack) -> None:
    from storage.models import ProcessedEvent

    event = {"type": "team_join", "user": {"id": "U0NEW", "name": "newbie"}, "event_ts": "1.2"}
    first = await stack.actor.event(event, event_id="Ev0TESTRETRY")
    retry = await stack.actor.event(event, event_id="Ev0TESTRETRY", retry_num=1, retry_reason="http_timeout")
    other = await stack.actor.event({"type": "reaction_added", "user": ALICE, "reaction": "tada"})
    assert (first.status_code, retry.status_code, other.status_code) == (200, 200, 200)
    async with stack.runtime.uow() as uow:
        keys = [e.key for e in (await uow.session.execute(select(ProcessedEvent))).scalars()]
    assert keys.count("Ev0TESTRETRY") == 1 and len(keys) == 2


async def test_liveness_readiness_and_prometheus_metrics(stack: Stack) -> None:
    await stack.apply()
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{stack.bot_url}/livez")).json() == {"status": "alive"}
        ready = await http.get(f"{stack.bot_url}/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ready"}
        await http.get(f"{stack.bot_url}/no/such/path/with/a/unique/id/123")
        text = (await http.get(f"{stack.bot_url}/metrics")).text
    assert 'ambassador_http_requests_total{route="/slack/events",status="200"}' in text
    assert 'ambassador_http_request_duration_seconds_bucket{le="0.005",route="/slack/events"}' in text
    assert 'ambassador_outbox_rows{status="delivered"} 1.0' in text
    assert "ambassador_outbox_oldest_waiting_seconds 0.0" in text
    assert 'route="other"' in text and "unique/id" not in text  # no unbounded labels
