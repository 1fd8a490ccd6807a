"""`GET /metrics` behind a bearer token (`server.metrics_token`, or env METRICS_TOKEN)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.config import settings_from_mapping
from bot.sandbox.harness.stack import Stack, start_stack

TOKEN = "metrics-scrape-token-4f1c9a"


@pytest.fixture
async def guarded(db_url: str) -> AsyncIterator[Stack]:
    async with start_stack(db_url, server={"metrics_token": TOKEN}) as s:
        yield s


async def scrape(stack: Stack, headers: dict[str, str | bytes] | None = None) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(f"{stack.bot_url}/metrics", headers=headers)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong-token",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer \u00e9t\u00e9".encode("utf-8"),  # non-ASCII bytes in the header
        b"Bearer \xff\xfe",
    ],
)
async def test_a_missing_or_wrong_token_is_401_without_detail(
    guarded: Stack, authorization: str | bytes | None
) -> None:
    resp = await scrape(guarded, None if authorization is None else {"authorization": authorization})
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == "Bearer"
    assert resp.content == b""  # nothing about why, nothing of the metrics


async def test_the_right_token_gets_the_metrics(guarded: Stack) -> None:
    for scheme in ("Bearer", "bearer"):  # the scheme is case-insensitive (RFC 7235 §2.1)
        resp = await scrape(guarded, {"authorization": f"{scheme} {TOKEN}"})
        assert resp.status_code == 200, resp.text
        assert "ambassador" in resp.text and "# TYPE" in resp.text


async def test_without_a_token_configured_metrics_stay_open(stack: Stack) -> None:
    assert stack.settings.server.metrics_token == ""
    resp = await scrape(stack)
    assert resp.status_code == 200 and "# TYPE" in resp.text


def test_the_token_can_come_from_the_environment() -> None:
    settings = settings_from_mapping(
        {"server": {"metrics_token": "from-the-file"}}, env={"METRICS_TOKEN": TOKEN}
    )
    assert settings.server.metrics_token == TOKEN
