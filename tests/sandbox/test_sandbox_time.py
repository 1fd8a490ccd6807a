"""Time passes in the sandbox (``advance``, ``now``) and what the bot decides by the clock follows
it; the Home tab and uploaded files are shown."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot.config import load_settings
from bot.sandbox.terminal.run import DEMO_START, open_sandbox
from tests.sandbox.test_terminal import assert_shown, welcome_part

# The demo up to the welcome: Alice applied, Carol approved, Alice acknowledged the guidelines.
WELCOMED = welcome_part()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_advance_runs_what_came_due_in_order_and_now_tells_the_time() -> None:
    out: list[str] = []
    async with open_sandbox(None, 0, out.append, start=DEMO_START) as sb:
        for line in WELCOMED:
            await sb.do(line)
        del out[:]
        await sb.do("advance 1w")
        assert sb.failure is None
        await sb.do("now")
    text = "\n".join(out)
    assert_shown(
        text,
        "[clock] 7 days pass: Thu 2027-01-28 16:3",
        # the monthly meetup (first Thursday, 17:00 London): 7 days, 1 day and 1 hour ahead
        "[Thu 2027-01-28 17:00] [#ambassadors] Reminder: *Monthly ambassador meetup* starts Thu 04 Feb 2027",
        "[Wed 2027-02-03 17:00] [#ambassadors] Reminder: *Monthly ambassador meetup*",
        "[Thu 2027-02-04 16:00] [#ambassadors] Reminder: *Monthly ambassador meetup*",
        # office hours (Tuesdays and Thursdays, 15:00 Los Angeles), an hour ahead
        "[Tue 2027-02-02 22:00] [#ambassadors] Reminder: *Advocates' office hours*",
        "[Mon 2027-02-01 09:00] [#moderators] Weekly digest for the moderators:",
        # a week into her term, onboarding is not done: the nudge
        "[DM to alice] Hi Alice Example! A gentle reminder: these onboarding steps are still open:",
        "[clock] Thu 2027-02-04 16:3",
    )
    stamps = re.findall(r"^  \[(\w{3} \d{4}-\d\d-\d\d \d\d:\d\d)\] ", text, flags=re.M)
    assert len(stamps) >= 6 and stamps == sorted(stamps, key=lambda s: s[4:]), stamps


async def test_bad_durations_get_one_line_each_and_change_nothing() -> None:
    out: list[str] = []
    async with open_sandbox(None, 0, out.append, start=DEMO_START) as sb:
        before, calls = sb.clock.now(), len(sb.slack.calls)
        answers = {}
        for line in ("advance", "advance -3d", "advance 3x", "advance 999y", "advance 3d2"):
            del out[:]
            await sb.do(line)
            answers[line] = (list(out), sb.failure)
        assert sb.clock.now() - before < timedelta(minutes=5)
        assert len(sb.slack.calls) == calls
    for line, (shown, failure) in answers.items():
        assert len(shown) == 1 and failure == shown[0].strip(), (line, shown)
    assert "usage: advance <duration>" in answers["advance"][0][0]
    assert "time only moves forward" in answers["advance -3d"][0][0]
    assert "'3x' is not a duration" in answers["advance 3x"][0][0]
    assert "at most 10 years" in answers["advance 999y"][0][0]


async def test_report_counts_the_new_ambassador_of_this_quarter_and_its_chart_is_saved(
    tmp_path: Path,
) -> None:
    # The sandbox's clock is in 2027: an ambassador stamped with the computer's time would not be
    # "new this quarter".
    out: list[str] = []
    async with open_sandbox(None, 0, out.append, start=DEMO_START, files_dir=tmp_path) as sb:
        for line in [*WELCOMED, "as carol", "/ambassador report"]:
            await sb.do(line)
    text = "\n".join(out)
    assert_shown(text, "[DM to carol] Program report, 2027-Q1", "*New this quarter:* 1")
    shown = re.search(r"\[file to carol\] (program-report-\S+\.png) \((\d+) KB\) → (\S+)", text)
    assert shown is not None, text
    saved = Path(shown.group(3))
    assert saved.parent == tmp_path and saved.name.endswith(shown.group(1))
    assert saved.read_bytes().startswith(PNG_SIGNATURE)
    assert round(saved.stat().st_size / 1024) == int(shown.group(2))


async def test_home_tab_is_drawn_when_opened_and_again_only_when_it_changes() -> None:
    out: list[str] = []
    approved = WELCOMED[: WELCOMED.index("click I have read the guidelines")]
    async with open_sandbox(None, 0, out.append) as sb:
        for line in approved:
            await sb.do(line)
        del out[:]
        await sb.do("show home")
        opened = list(out)
        del out[:]
        await sb.do("click I have read the guidelines")
        clicked = list(out)
        del out[:]
        await sb.do("/ambassador status")
        status = "\n".join(out)
        await sb.do("as bob")
        del out[:]
        await sb.do("show home")
        bobs = "\n".join(out)
    assert opened[0] == "  [Home tab of alice] Community Ambassadors"
    assert_shown("\n".join(opened), "Onboarding: 0 of 4 done", "buttons: [I have read the guidelines]")
    assert_shown("\n".join(clicked), "[Home tab changed] Community Ambassadors", "Onboarding: 1 of 4 done")
    assert "Home tab" not in status
    assert_shown(bobs, "[Home tab of bob]", "You are not an ambassador yet.")
    assert "Onboarding" not in bobs


async def test_a_group_request_nobody_objects_to_is_approved_when_its_hours_have_passed(
    tmp_path: Path,
) -> None:
    config = tmp_path / "groups.toml"
    config.write_text(
        '[groups]\nauto_approve_hours = 24\ncommunity_managers = ["U0CAROL"]\n'
        'what_is_a_user_group_url = "https://example.org/what-is-a-user-group"\n',
        encoding="utf-8",
    )
    request = [
        "as bob",
        "/ambassador group request",
        "fill name=Stackers of Auckland",
        "fill city=Auckland",
        "fill country=New Zealand",
        "fill website=https://stackers.example.org",
        "fill description=Monthly OpenStack talks and hands-on labs for operators and developers.",
        "submit",
    ]
    out: list[str] = []
    program = load_settings(config, env={})
    async with open_sandbox(None, 0, out.append, start=DEMO_START, program=program) as sb:
        for line in [*WELCOMED[: WELCOMED.index("show home")], *request]:
            await sb.do(line)
        assert sb.failure is None, out[-5:]
        del out[:]
        await sb.do("advance 12h")
        half_way = "\n".join(out)
        del out[:]
        await sb.do("advance 1d")
    text = "\n".join(out)
    assert "approved" not in half_way.lower()
    approval = re.search(r"^  \[(Fri 2027-01-29 \d\d:\d\d)\] \[DM to bob\] .*was approved", text, flags=re.M)
    assert approval is not None, text
