"""The Home tab's buttons can be pressed in the sandbox, as in Slack: `buttons` lists them once the
person opened the tab, `click` sends Slack's view click, and the redrawn tab is shown."""

from __future__ import annotations

import re

from bot.sandbox.terminal.run import open_sandbox
from tests.sandbox.test_terminal import assert_shown, welcome_part


def _number(listed: str, text: str, where: str) -> str:
    """The number `buttons` gives the button ``[text]`` shown ``in <where>``."""
    found = re.search(rf"^  (\d+)\. \[{re.escape(text)}\] in {re.escape(where)}:", listed, re.M)
    assert found, f"no [{text}] in {where} listed:\n{listed}"
    return found.group(1)


async def test_an_rsvp_in_the_home_tab_is_recorded_and_the_tab_redrawn() -> None:
    out: list[str] = []
    async with open_sandbox(None, 0, out.append) as sb:
        for line in [*welcome_part(), "advance 1w", "show home"]:
            assert await sb.do(line)
        del out[:]
        await sb.do("buttons")
        listed = "\n".join(out)
        del out[:]
        await sb.do("click Going 1")
        clicked = "\n".join(out)
        failure = sb.failure
        del out[:]
        await sb.do("show home")
        reopened = "\n".join(out)
    assert re.search(r"^  1\. \[Going\] in your Home tab: \*.+\* — ", listed, re.M), listed
    assert_shown(listed, "[Maybe] in your Home tab", "[Not going] in your Home tab")
    assert failure is None, clicked
    assert_shown(clicked, "Thanks, you answered “Going”.", "[Home tab changed] Community Ambassadors")
    # the first upcoming event (the button pressed) has the answer; the others are unanswered
    answers = re.findall(r"^      (Your answer: \*\w+\*|Not answered yet\.)$", clicked, re.M)
    assert answers[0] == "Your answer: *Going*" and answers.count(answers[0]) == 1, clicked
    assert len(answers) > 1 and set(answers[1:]) == {"Not answered yet."}
    assert_shown(reopened, "Your answer: *Going*")  # the bot keeps the answer, not only the drawing


async def test_a_moderator_approves_from_the_review_queue_of_the_home_tab() -> None:
    before_approval = welcome_part()[: welcome_part().index("as carol") + 1]
    out: list[str] = []
    async with open_sandbox(None, 0, out.append) as sb:
        for line in [*before_approval, "show home"]:
            assert await sb.do(line)
        queue = "\n".join(out[out.index("  [Home tab of carol] Community Ambassadors") :])
        del out[:]
        await sb.do("buttons")
        listed = "\n".join(out)
        del out[:]
        await sb.do(f"click {_number(listed, 'Approve', 'your Home tab')}")
        clicked = "\n".join(out)
        badges = sb.forum.badges_of("alice")
    assert_shown(queue, "*1 pending application*", "*Application #1* from @alice")
    assert_shown(
        listed, "[Reject] in your Home tab: *Application #1* from @alice", "[Approve] in #moderators"
    )
    assert_shown(
        clicked,
        "[DM to alice] 🎉 Welcome to Community Ambassadors",
        "[Home tab changed] Community Ambassadors",
        "*0 pending applications*",
    )
    assert "Ambassador" in badges


async def test_a_home_tab_button_is_not_offered_to_someone_else() -> None:
    lines = welcome_part()
    opened = [*lines[: lines.index("click I have read the guidelines")], "show home"]
    out: list[str] = []
    async with open_sandbox(None, 0, out.append) as sb:
        for line in opened:
            assert await sb.do(line)
        assert_shown("\n".join(out), "buttons: [I have read the guidelines]")
        await sb.do("as carol")
        del out[:]
        await sb.do("buttons")
        carols = "\n".join(out)
        del out[:]
        await sb.do("click I have read the guidelines")
        refused = "\n".join(out)
        failure = sb.failure
        await sb.do("as alice")
        del out[:]
        await sb.do("buttons")
        alices = "\n".join(out)
    assert "Home tab" not in carols
    assert_shown(refused, "no button 'I have read the guidelines' in what carol can see")
    assert failure is not None
    assert_shown(
        alices, "[I have read the guidelines] in your Home tab", "[I have read the guidelines] in DM to alice"
    )
