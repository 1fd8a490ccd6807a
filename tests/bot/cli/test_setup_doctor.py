"""`doctor` checks the forum's webhook to this bot: it exists, is active, posts JSON to
`<public_url>/discourse/webhooks` with our secret and sends the events the bot handles; each
problem is one line with its fix, and `setup discourse` is that fix."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from bot.doctor import Report
from bot.doctor_forum import check_webhook
from bot.platforms.discourse.gateway import DiscourseGateway
from bot.sandbox.discourse import DiscourseStandIn
from tests.bot.cli.test_setup_discourse import HOOK_URL, KEY, SECRET, cli, write_config

FIX = "→ run `ambassador-bot setup discourse`"


async def doctor_lines(config: Path) -> tuple[list[str], int]:
    settings = load_settings(config)
    d = settings.discourse
    lines: list[str] = []
    report = Report(lines.append)
    await check_webhook(DiscourseGateway(d.url, d.api_key, d.api_username, 6000), settings, report)
    return [line.strip() for chunk in lines for line in chunk.splitlines()], report.problems


async def test_no_webhook_is_a_warning_with_the_fix_and_setup_makes_it_ok(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    config = write_config(tmp_path, forum.base_url)
    lines, problems = await doctor_lines(config)
    assert lines == [f"warn  no forum webhook posts to {HOOK_URL}", FIX] and problems == 0

    assert (await cli(config)).exit_code == 0
    lines, problems = await doctor_lines(config)
    assert lines == [f"ok    webhook 1 to {HOOK_URL}: active, JSON, all 7 events the bot handles"]
    assert problems == 0


async def test_each_thing_wrong_with_the_webhook_is_one_failure_with_the_fix(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    forum.add_web_hook(
        HOOK_URL, ["post_created", "topic_created"], secret="x" * 20, active=False, content_type=2
    )
    lines, problems = await doctor_lines(write_config(tmp_path, forum.base_url))
    assert problems == 4
    assert lines == [
        f"FAIL  webhook 1 to {HOOK_URL}: it is inactive",
        FIX,
        f"FAIL  webhook 1 to {HOOK_URL}: it sends form-encoded bodies, not JSON",
        FIX,
        f"FAIL  webhook 1 to {HOOK_URL}: it does not send the events user_created, user_badge_granted, "
        "user_badge_revoked, user_added_to_group, user_removed_from_group",
        FIX,
        f"FAIL  webhook 1 to {HOOK_URL}: its secret is not discourse.webhook_secret",
        FIX,
    ]
    assert SECRET not in "\n".join(lines) and "x" * 20 not in "\n".join(lines)


async def test_a_webhook_to_another_address_of_the_bot_is_named(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    forum.add_web_hook("http://10.0.0.5:3000/discourse/webhooks", ["post_created"], secret=SECRET)
    lines, _problems = await doctor_lines(write_config(tmp_path, forum.base_url))
    assert lines[0] == (
        f"warn  no forum webhook posts to {HOOK_URL} (one posts to "
        "http://10.0.0.5:3000/discourse/webhooks; is server.public_url right?)"
    )


async def test_a_key_that_cannot_read_webhooks_is_a_warning(tmp_path: Path) -> None:
    forum = DiscourseStandIn(api_key=KEY, api_username="helper", admin_limit_per_minute=6000)
    forum.users["helper"]["admin"] = False
    async with forum.serve():
        lines, problems = await doctor_lines(write_config(tmp_path, forum.base_url, user="helper"))
    assert lines == [
        "warn  the forum's webhooks are not readable (403)",
        "→ use an admin's API key to check them",
    ]
    assert problems == 0


async def test_doctor_checks_the_directory_topic_when_one_is_set(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    from bot.doctor_forum import check_directory_topic

    topic = forum.add_topic("Ambassador directory", [("system", "The directory comes here.")], wiki=True)

    async def lines_for(topic_id: int) -> tuple[list[str], int]:
        config = write_config(tmp_path, forum.base_url)
        config.write_text(
            config.read_text(encoding="utf-8") + f"directory_topic_id = {topic_id}\n", encoding="utf-8"
        )
        settings = load_settings(config)
        d = settings.discourse
        lines: list[str] = []
        report = Report(lines.append)
        gateway = DiscourseGateway(d.url, d.api_key, d.api_username, 6000)
        await check_directory_topic(gateway, settings, report)
        return [line.strip() for chunk in lines for line in chunk.splitlines()], report.problems

    lines, problems = await lines_for(topic)
    assert problems == 0
    assert lines == [
        f"ok    directory topic {topic}: the bot keeps its first post (a wiki post) "
        "in step with the public directory"
    ]
    lines, problems = await lines_for(topic + 999)
    assert problems == 1
    assert lines[0].startswith(f"FAIL  directory topic {topic + 999}: ")
    assert "Traceback" not in "\n".join(lines)
    assert lines[1] == "→ create the topic (its first post a wiki post) or fix discourse.directory_topic_id"
