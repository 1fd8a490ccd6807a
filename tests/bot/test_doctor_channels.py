"""`doctor` checks that the bot is in every channel it posts to (issue 13, item 7).

Without the ``chat:write.public`` scope (the manifest does not ask for it) a bot can read a
public channel with conversations.info but every post there answers ``not_in_channel``
(https://api.slack.com/methods/chat.postMessage); a private channel it was not invited to is not
even visible (``channel_not_found``, https://api.slack.com/methods/conversations.info)."""

from __future__ import annotations

from bot.doctor import run_doctor
from bot.sandbox.harness.stack import AMB_CHANNEL, MOD_CHANNEL, start_stack

EVENT = {
    "key": "meetup",
    "title": "Monthly meetup",
    "rrule": "FREQ=MONTHLY;BYDAY=1TH",
    "start": "2026-01-01T17:00",
    "timezone": "Europe/London",
    "slack_channel": "C0EVENTS",
}


async def test_doctor_names_each_channel_the_bot_must_be_invited_to(db_url: str) -> None:
    async with start_stack(
        db_url,
        events=[EVENT],
        requests={"review_channel": "G0REVIEW"},
        groups={"conflict_channel": AMB_CHANNEL},
    ) as stack:
        stack.slack.leave(MOD_CHANNEL)  # public: visible, but the bot was never invited
        stack.slack.add_channel("C0EVENTS", "meetups")  # the bot was never invited
        stack.slack.add_channel("G0REVIEW", "request-review", private=True)
        lines: list[str] = []
        ok = await run_doctor(stack.settings, lines.append)
        report = "\n".join(lines)
        assert not ok
        assert "/invite @ambassador in #moderators" in report
        assert "/invite @ambassador in #meetups" in report
        assert "G0REVIEW" in report and "/invite @ambassador" in report.split("G0REVIEW", 1)[1]
        assert "#ambassadors" in report and "FAIL  bot is not in #ambassadors" not in report

        for channel in (MOD_CHANNEL, "C0EVENTS", "G0REVIEW"):
            stack.slack.join(channel)
        lines.clear()
        assert await run_doctor(stack.settings, lines.append), "\n".join(lines)
