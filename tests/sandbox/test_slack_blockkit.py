"""The Slack stand-in refuses what Slack refuses, over real HTTP with slack_sdk's own client.

Each case names where the rule comes from: slack_sdk's Block Kit models (what its
``validate_json()`` rejects) or the limit on Slack's reference pages
(https://api.slack.com/reference/block-kit/blocks, …/block-elements, …/composition-objects,
https://api.slack.com/reference/surfaces/views) and the method pages' error lists
(https://api.slack.com/methods/chat.postMessage: ``invalid_blocks``, ``not_in_channel``;
https://api.slack.com/methods/views.open: ``invalid_arguments``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError, SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.slack import SlackStandIn

TOKEN = "xoxb-test"


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def select_input(option_text: str) -> dict[str, Any]:
    option = {"text": plain(option_text), "value": "U1"}
    return {
        "type": "input",
        "block_id": "mentor",
        "label": plain("Mentor"),
        "element": {"type": "static_select", "action_id": "mentor", "options": [option]},
    }


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "title": plain("Approve"),
        "submit": plain("Send"),
        "blocks": list(blocks),
    }
    view.update(extra)
    return view


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn(bot_token=TOKEN)
    standin.add_user("U1", "alice")
    standin.add_channel("C1", "general", bot_member=True)
    standin.add_channel("C2", "moderators")  # public, the bot was never invited
    standin.add_channel("G3", "secret", private=True)
    async with standin.serve():
        yield standin


def client(standin: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=standin.base_url + "/api/")


async def refused_view(standin: SlackStandIn, view: dict[str, Any]) -> list[str]:
    with pytest.raises(SlackApiError) as err:
        await client(standin).views_open(trigger_id=standin.issue_trigger_id("U1"), view=view)
    assert err.value.response["error"] == "invalid_arguments"
    messages: list[str] = err.value.response["response_metadata"]["messages"]
    assert messages and all(m.startswith("[ERROR] ") and "[json-pointer:/view" in m for m in messages)
    return messages


async def refused_message(standin: SlackStandIn, blocks: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(SlackApiError) as err:
        await client(standin).chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    assert err.value.response["error"] == "invalid_blocks"
    messages: list[str] = err.value.response["response_metadata"]["messages"]
    return messages


async def test_an_option_of_77_characters_is_refused_where_75_opens(slack: SlackStandIn) -> None:
    # Option text: at most 75 characters (composition-objects#option; slack_sdk Option
    # label_max_length = 75). The mentor picker of issue 13 sent 75 + " ★".
    messages = await refused_view(slack, modal(select_input("x" * 75 + " ★")))
    assert messages == [
        "[ERROR] must be less than 76 characters [json-pointer:/view/blocks/0/element/options/0/text/text]"
    ]
    opened = await client(slack).views_open(
        trigger_id=slack.issue_trigger_id("U1"), view=modal(select_input("x" * 75))
    )
    assert opened["ok"]


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        # section text 3000 (blocks#section; slack_sdk SectionBlock text_max_length)
        (section("y" * 3001), "/blocks/0/text/text"),
        # header text 150 (blocks#header)
        ({"type": "header", "text": plain("h" * 151)}, "/blocks/0/text/text"),
        # button text 75 (block-elements#button)
        (
            {"type": "actions", "elements": [{"type": "button", "text": plain("b" * 76), "action_id": "a"}]},
            "/blocks/0/elements/0/text/text",
        ),
        # block_id 255 (blocks: "Maximum length for this field is 255 characters")
        ({**section("ok"), "block_id": "i" * 256}, "/blocks/0/block_id"),
        # action_id 255 (block-elements#button)
        (
            {"type": "actions", "elements": [{"type": "button", "text": plain("b"), "action_id": "a" * 256}]},
            "/blocks/0/elements/0/action_id",
        ),
    ],
)
async def test_limits_on_messages(slack: SlackStandIn, block: dict[str, Any], pointer: str) -> None:
    messages = await refused_message(slack, [block])
    assert any(pointer + "]" in m and m.startswith("[ERROR] must be less than") for m in messages), messages
    assert slack.messages_in("C1") == []


async def test_block_counts_50_per_message_and_100_per_view(slack: SlackStandIn) -> None:
    # blocks: "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs."
    messages = await refused_message(slack, [section("s")] * 51)
    assert messages == ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]
    web = client(slack)
    assert (await web.chat_postMessage(channel="C1", text="t", blocks=[section("s")] * 50))["ok"]
    too_many = await refused_view(slack, modal(*[section("s")] * 101))
    assert "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]" in too_many
    home = {"type": "home", "blocks": [section("s")] * 100}
    assert (await web.views_publish(user_id="U1", view=home))["ok"]


async def test_view_limits_title_24_and_private_metadata_3000(slack: SlackStandIn) -> None:
    # surfaces/views: title, submit and close "Max length 24 characters"; private_metadata 3000.
    messages = await refused_view(slack, modal(section("s"), title=plain("t" * 25)))
    assert messages == ["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"]
    messages = await refused_view(slack, modal(section("s"), private_metadata="m" * 3001))
    assert messages == ["[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]"]
    assert await refused_view(slack, modal(select_input("x"), submit=None)) == [
        "[ERROR] submit is required when an input block is present [json-pointer:/view/submit]"
    ]


async def test_a_payload_slack_sdk_rejects_is_refused(slack: SlackStandIn) -> None:
    # A button with both url and value is fine, but a section with neither text nor fields is
    # not: slack_sdk's SectionBlock says so in validate_json(); so does Slack.
    bad = {"type": "section", "block_id": "b"}
    with pytest.raises(SlackObjectFormationError):
        Block.parse(bad).validate_json()  # type: ignore[union-attr]
    assert await refused_message(slack, [bad])
    # A block type Slack does not have, and a key a model does not take.
    unknown = await refused_message(slack, [{"type": "sectoin", "text": plain("x")}])
    assert unknown == ["[ERROR] unsupported type: 'sectoin' [json-pointer:/blocks/0/type]"]
    typo = await refused_message(slack, [{**section("x"), "accesory": {}}])
    assert typo == ["[ERROR] unsupported field: accesory [json-pointer:/blocks/0/accesory]"]
    # Inside a select's options (slack_sdk keeps them as raw dicts: each is checked on its own).
    value_too_long = select_input("ok")
    value_too_long["element"]["options"][0]["value"] = "v" * 151
    assert await refused_view(slack, modal(value_too_long)) == [
        "[ERROR] must be less than 151 characters [json-pointer:/view/blocks/0/element/options/0/value]"
    ]
    assert slack.views == {}


async def test_a_channel_the_bot_is_not_in_answers_not_in_channel(slack: SlackStandIn) -> None:
    # chat.postMessage: "not_in_channel — Cannot post user messages to a channel they are not in"
    # (without the chat:write.public scope, which the manifest does not ask for).
    web = client(slack)
    with pytest.raises(SlackApiError) as err:
        await web.chat_postMessage(channel="C2", text="review")
    assert err.value.response["error"] == "not_in_channel"
    info = await web.conversations_info(channel="C2")  # it still sees the public channel
    assert info["channel"]["is_member"] is False
    with pytest.raises(SlackApiError) as err:  # a private channel it is not in is invisible
        await web.conversations_info(channel="G3")
    assert err.value.response["error"] == "channel_not_found"
    slack.join("C2")
    assert (await web.chat_postMessage(channel="C2", text="review"))["ok"]
    assert (await web.conversations_info(channel="C2"))["channel"]["is_member"] is True
    assert (await web.chat_postMessage(channel="U1", text="a DM needs no invite"))["ok"]
