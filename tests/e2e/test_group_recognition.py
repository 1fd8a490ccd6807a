"""The end of the official group handover: the report says which leaders the recognition message
reached and which it did not, not merely how many it was meant for."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sandbox.harness.stack import ALICE, BOB, MOD, MOD_CHANNEL, Stack
from tests.e2e.lifecycle import make_ambassador
from tests.e2e.test_user_groups import (
    CM,
    DAN,
    approve,
    click_step,
    gstack,  # noqa: F401 (the fixture)
    recognitions,
    request_group,
    reviews,
)

BEFORE_LAST = (
    (ALICE, "requirements_ambassador", None),
    (CM, "requirements_manager", None),
    (ALICE, "logo_requested", None),
    (BOB, "logo_received", "https://files.example.org/logo.svg"),
    (MOD, "portal_updated", None),
    (CM, "logo_pack_sent", None),
    (ALICE, "address_asked", None),
)


async def _to_the_last_step(stack: Stack) -> None:
    await make_ambassador(stack, ALICE)
    await request_group(stack, organisers=(DAN,), organisers_forum="frank")
    await approve(stack, reviews(stack)[0])
    for who, key, value in BEFORE_LAST:
        await stack.runtime.services.groups.complete_step(who, 1, key, value)
    await stack.settle()


def _reports(stack: Stack) -> list[str]:
    texts = [m["text"] for m in stack.slack.messages_in(MOD_CHANNEL)]
    return [t for t in texts if "The recognition message for" in t]


async def test_the_report_says_which_leaders_got_the_recognition_and_which_did_not(gstack: Stack) -> None:  # noqa: F811
    stack = gstack
    await _to_the_last_step(stack)

    # Of the three leaders (two on Slack, frank on the forum), two deliveries fail for good.
    stack.slack.fail_next("chat.postMessage", status=200, error="channel_not_found")
    stack.forum.fail_next("POST", "/posts", status=403)
    reply = await click_step(stack, CM, "swag_mailed")
    await stack.settle()

    assert "is official" in reply
    [reached] = [u for u in (BOB, DAN) if recognitions(stack, u)]
    [missed] = [u for u in (BOB, DAN) if u != reached]
    assert stack.forum.pms_to("frank") == []
    notices = [m["text"] for m in stack.slack.messages_in(MOD_CHANNEL)]
    assert not any("went to 3 leaders" in t for t in notices)
    [report] = _reports(stack)
    assert "delivered to 1 of 3 leaders" in report and f"<@{reached}>" in report
    not_delivered = report.split("Not delivered", 1)[1]
    assert f"<@{missed}>" in not_delivered and "frank" in not_delivered

    # The failed deliveries are retried (`ambassador-bot outbox retry`) and now get through:
    # a second report says so; the leader who had it does not get it twice.
    async with stack.runtime.uow() as uow:
        assert await uow.outbox.retry_failed(datetime.now(UTC)) == 2
    stack.runtime.worker.kick()
    await stack.settle()
    assert len(recognitions(stack, BOB)) == len(recognitions(stack, DAN)) == 1
    assert len(stack.forum.pms_to("frank")) == 1
    assert len(_reports(stack)) == 2 and "delivered to all 3 leaders" in _reports(stack)[-1]


async def test_when_every_leader_got_it_the_report_says_so(gstack: Stack) -> None:  # noqa: F811
    stack = gstack
    await _to_the_last_step(stack)
    await click_step(stack, CM, "swag_mailed")
    await stack.settle()
    [report] = _reports(stack)
    assert "delivered to all 3 leaders" in report
    assert f"<@{BOB}>" in report and f"<@{DAN}>" in report and "frank (forum)" in report
    official = [m["text"] for m in stack.slack.messages_in(MOD_CHANNEL) if "is now an official" in m["text"]]
    assert official == [
        "🎉 *OpenStack Auckland {Stackers}* is now an official user group. The recognition message is "
        "on its way to 3 leaders; the delivery report follows here."
    ]
