"""`help` and mistyped commands (issue 17): the moderators' section only for moderators, and a
mistyped command answered with the nearest one instead of the whole list."""

from __future__ import annotations

from bot.sandbox.harness.stack import BOB, MOD, Stack
from tests.e2e.lifecycle import say


async def test_help_shows_the_moderators_section_only_to_moderators(stack: Stack) -> None:
    for typed in ("help", ""):
        theirs = await say(stack, BOB, typed)
        assert "`/ambassador renew`" in theirs and "`/ambassador events`" in theirs
        assert "For moderators" not in theirs and "/ambassador audit @user" not in theirs
        assert "/ambassador export" not in theirs
    mods = await say(stack, MOD, "help")
    assert "`/ambassador renew`" in mods
    assert "*For moderators*" in mods and "`/ambassador audit @user`" in mods


async def test_a_mistyped_command_gets_the_nearest_one_and_a_pointer_to_help(stack: Stack) -> None:
    resp = await stack.actor.slash(BOB, "renw")
    body = resp.json()
    assert body["response_type"] == "ephemeral" and "blocks" not in body
    assert body["text"] == (
        "I don't know the command `renw`. Did you mean `/ambassador renew`? "
        "`/ambassador help` lists what I can do."
    )
    # The moderator sees the same one line: no list of commands either.
    assert "Did you mean `/ambassador office-hours`?" in await say(stack, MOD, "ofice-hours tomorrow")
    nothing_near = await say(stack, BOB, "xyzzy")
    assert nothing_near == "I don't know the command `xyzzy`. `/ambassador help` lists what I can do."
    # What was typed is escaped and cut, never echoed raw.
    odd = await say(stack, BOB, "<!channel>" + "x" * 100)
    assert "<!channel>" not in odd and "&lt;!channel&gt;" in odd and len(odd) < 200


async def test_a_command_far_too_long_says_so_in_one_line(stack: Stack) -> None:
    answer = await say(stack, BOB, "find " + "kubernetes " * 500)
    assert answer.startswith("That command is too long (") and "`/ambassador help`" in answer
    assert "\n" not in answer
