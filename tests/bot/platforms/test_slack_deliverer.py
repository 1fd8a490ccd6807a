"""The Slack deliverer renders with what the composition root hands it, never with handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.deliverer import SlackDeliverer
from bot.program import outbox
from bot.program.failures import Permanent
from bot.sandbox.slack import SlackStandIn

TOKEN = "xoxb-deliverer-test"


class Echo:
    """Renderers that show what they were asked to render."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def render(self, template: str, data: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        if template == "unknown":
            raise KeyError(template)
        self.asked.append((template, dict(data)))
        text = f"{template}: {data.get('who', '')}"
        return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]

    def render_view(self, template: str, data: Mapping[str, Any]) -> dict[str, Any]:
        self.asked.append((template, dict(data)))
        section = {"type": "section", "text": {"type": "mrkdwn", "text": f"home of {data.get('who', '')}"}}
        return {"type": "home", "blocks": [section]}


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn(bot_token=TOKEN, signing_secret="deliverer-test-secret")
    standin.add_user("U1", "alice")
    standin.add_channel("C1", "general", bot_member=True)
    async with standin.serve():
        yield standin


def deliverer(slack: SlackStandIn, renderers: Echo) -> SlackDeliverer:
    client = AsyncWebClient(token=TOKEN, base_url=f"{slack.base_url}/api/")
    return SlackDeliverer(client, renderers, posts_per_second=1000.0)


async def test_a_post_and_a_home_tab_are_rendered_by_the_renderers_handed_in(slack: SlackStandIn) -> None:
    echo = Echo()
    d = deliverer(slack, echo)
    payload = {"channel": "C1", "template": "notice", "data": {"who": "alice"}}
    result = await d.deliver(outbox.SLACK_POST, "k1", payload, False)
    assert result["channel"] == "C1"
    assert [m["text"] for m in slack.messages_in("C1")] == ["notice: alice"]
    await d.deliver(outbox.SLACK_HOME, "k2", {"user": "U1", "template": "home", "data": {"who": "U1"}}, False)
    assert slack.home_tabs["U1"]["blocks"][0]["text"]["text"] == "home of U1"
    assert echo.asked == [("notice", {"who": "alice"}), ("home", {"who": "U1"})]


async def test_a_template_the_renderers_do_not_know_is_permanent(slack: SlackStandIn) -> None:
    d = deliverer(slack, Echo())
    with pytest.raises(Permanent):
        await d.deliver(outbox.SLACK_POST, "k3", {"channel": "C1", "template": "unknown", "data": {}}, False)
    assert slack.messages_in("C1") == []
