"""Shared fixtures: a throwaway database per test (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set) and a running bot wired to the Slack and Discourse stand-ins."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from bot.sandbox.harness.stack import Stack, pg_database, start_stack

BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("TEST_DATABASE_URL") else [])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS)


@pytest.fixture
async def db_url(backend: str, tmp_path: object) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/bot.db"
        return
    async with pg_database(os.environ["TEST_DATABASE_URL"]) as url:
        yield url


@pytest.fixture
async def stack(db_url: str) -> AsyncIterator[Stack]:
    async with start_stack(db_url) as s:
        yield s
