"""The end-to-end flows run over both Slack transports: HTTP (signed POSTs to /slack/events) and
Socket Mode (envelopes over the stand-in's WebSocket).

The Socket Mode variant runs on SQLite only, and only in the files whose tests send Slack input
through the actor (commands, clicks, form submissions, events): the storage backend does not
change what the transport does, and this keeps the suite's time in bounds (see the README's
"Socket Mode" paragraph). `E2E_SLACK_TRANSPORT=http|socket|both` (default both) picks for a run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from bot.sandbox.harness.stack import Stack, start_stack

# Files whose flows go through the SlackActor (and so through the transport). Not here:
# test_http_edges (signatures and HTTP framing, which only exist over HTTP), and files that drive
# only the forum, the calendar feeds or the metrics endpoint.
SOCKET_FILES = frozenset(
    {
        "test_apply_approve.py",
        "test_app_home.py",
        "test_nominations.py",
        "test_onboarding.py",
        "test_profiles_directory.py",
        "test_requests.py",
        "test_user_groups.py",
        "test_events.py",
        "test_linking.py",
        "test_retire.py",
        "test_terms.py",
        "test_listener_refused.py",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "slack_transport" not in metafunc.fixturenames:
        return
    chosen = os.environ.get("E2E_SLACK_TRANSPORT", "both")
    socket_ok = metafunc.definition.path.name in SOCKET_FILES
    transports = [t for t in ("http", "socket") if chosen in ("both", t) and (t == "http" or socket_ok)]
    metafunc.parametrize("slack_transport", transports or ["http"])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Socket Mode on PostgreSQL adds time and no coverage of the transport: deselected."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        both = params.get("slack_transport") == "socket" and params.get("backend") == "postgres"
        (drop if both else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
async def stack(db_url: str, slack_transport: str) -> AsyncIterator[Stack]:
    async with start_stack(db_url, socket_mode=slack_transport == "socket") as s:
        yield s
