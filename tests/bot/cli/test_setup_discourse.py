"""`ambassador-bot setup discourse` against the Discourse stand-in (issue 16, point 3): it finds or
creates the badge, the private group and the webhook through the admin API, a second run creates
and changes nothing, `--dry-run` changes nothing, `--write` puts the values into the config file,
and bad input is one line that changes nothing."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.program.badges.setup import BOT_EVENTS
from bot.sandbox.discourse import DiscourseStandIn
from bot.sandbox.http import free_port

KEY = "forum-admin-key"
PUBLIC = "https://bot.example.org"
HOOK_URL = f"{PUBLIC}/discourse/webhooks"
SECRET = "configured-webhook-secret"


def write_config(
    tmp_path: Path,
    forum_url: str,
    *,
    key: str = KEY,
    secret: str = SECRET,
    user: str = "system",
    public_url: str | None = PUBLIC,
) -> Path:
    server = f'[server]\npublic_url = "{public_url}"\n\n' if public_url is not None else ""
    config = tmp_path / "config.toml"
    config.write_text(
        f"{server}[discourse]\n"
        "# The forum the bot works with.\n"
        f'url = "{forum_url}"\n'
        f'api_key = "{key}"  # Admin → API\n'
        f'api_username = "{user}"\n'
        f'webhook_secret = "{secret}"\n'
        "# ambassador_badge_id = 105\n"
        'ambassador_group = ""\n'
        "admin_requests_per_minute = 6000\n",
        encoding="utf-8",
    )
    return config


async def cli(config: Path, *args: str) -> Result:
    """The real command, in a worker thread (it runs its own event loop) while the stand-in
    answers on this one."""
    runner = CliRunner()
    return await asyncio.to_thread(
        runner.invoke, main, ["--config", str(config), "setup", "discourse", *args], catch_exceptions=False
    )


def writes(forum: DiscourseStandIn) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _params, _status in forum.calls if m in {"POST", "PUT", "DELETE"}]


async def test_first_run_creates_all_three_and_a_second_run_creates_nothing(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    config = write_config(tmp_path, forum.base_url)
    first = await cli(config)
    assert first.exit_code == 0, first.output
    assert "created       badge 'Ambassador'" in first.output
    assert "created       group 'ambassadors'" in first.output
    assert f"to {HOOK_URL}" in first.output
    badge = next(b for b in forum.badges.values() if b["name"] == "Ambassador")
    assert badge["enabled"] and badge["badge_type_id"] == 1
    group = forum.groups["ambassadors"]
    assert group.visibility_level == 2 and group.members_visibility_level == 2
    (hook,) = forum.web_hooks.values()
    assert hook["payload_url"] == HOOK_URL and hook["content_type"] == 1 and hook["active"]
    assert hook["secret"] == SECRET
    assert {forum._event_type_json(i)["name"] for i in hook["web_hook_event_type_ids"]} == set(BOT_EVENTS)
    assert f"ambassador_badge_id = {badge['id']}" in first.output
    assert SECRET not in first.output  # the configured secret was not changed, so not repeated

    before = len(writes(forum))
    second = await cli(config)
    assert second.exit_code == 0, second.output
    assert writes(forum)[before:] == []
    assert second.output.count("found") == 3
    assert len(forum.web_hooks) == 1 and len(forum.groups) == 1


async def test_dry_run_says_what_it_would_do_and_changes_nothing(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    forum.add_web_hook(HOOK_URL, ["post_created"], secret=SECRET, active=False)
    result = await cli(write_config(tmp_path, forum.base_url), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would create  badge 'Ambassador'" in result.output
    assert "would create  group 'ambassadors'" in result.output
    assert "would update  webhook 1" in result.output
    assert "- it is inactive" in result.output
    assert "- it does not send the events topic_created" in result.output
    assert writes(forum) == []


async def test_an_existing_wrong_webhook_is_updated_not_duplicated(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    forum.add_badge("Ambassador")
    forum.add_group("ambassadors")
    forum.add_web_hook(
        HOOK_URL, ["post_created", "post_edited"], secret="old-secret-on-forum", content_type=2
    )
    result = await cli(write_config(tmp_path, forum.base_url))
    assert result.exit_code == 0, result.output
    assert writes(forum) == [("PUT", "/admin/api/web_hooks/1.json")]
    hook = forum.web_hooks[1]
    assert hook["content_type"] == 1 and hook["secret"] == SECRET
    names = {forum._event_type_json(i)["name"] for i in hook["web_hook_event_type_ids"]}
    assert names == {*BOT_EVENTS, "post_edited"}


async def test_write_puts_the_values_in_the_config_and_keeps_its_comments(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    config = write_config(tmp_path, forum.base_url, secret="")
    result = await cli(config, "--write")
    assert result.exit_code == 0, result.output
    text = config.read_text(encoding="utf-8")
    assert "# The forum the bot works with." in text and "# Admin → API" in text
    values = tomllib.loads(text)["discourse"]
    (hook,) = forum.web_hooks.values()
    assert values["webhook_secret"] == hook["secret"] and len(hook["secret"]) >= 12
    assert values["ambassador_group"] == "ambassadors"
    assert forum.badges[values["ambassador_badge_id"]]["name"] == "Ambassador"
    assert hook["secret"] not in result.output  # written, not shown

    again = await cli(config, "--write")
    assert again.exit_code == 0 and "already has these values" in again.output
    assert config.read_text(encoding="utf-8") == text


async def test_a_key_without_admin_rights_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    forum = DiscourseStandIn(api_key=KEY, api_username="helper", admin_limit_per_minute=6000)
    forum.users["helper"]["admin"] = False
    async with forum.serve():
        result = await cli(write_config(tmp_path, forum.base_url, user="helper"))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: 'helper' is not an admin on {forum.base_url}: setup needs an admin's API key "
        "(Admin → API → New key, for an admin user or All users with api_username an admin)"
    )
    assert writes(forum) == [] and forum.web_hooks == {}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong key", "refused the API key for 'system' (403): check discourse.api_key"),
        ("unreachable", "cannot use the forum at http://127.0.0.1:"),
        ("no public url", "no public URL for the webhook: set [server] public_url or give --public-url"),
        ("bad public url", "'ftp://bot' is not a public URL: give one such as https://bot.example.org"),
        ("bad group", "'bad name!' cannot be a forum group name: use letters, digits, '_', '.' and '-'"),
        ("huge group", f"{'x' * 60!r} cannot be a forum group name"),
        ("empty badge", "--badge-name cannot be empty: give the badge's name, e.g. Ambassador"),
        ("broken public url", "'http://[::1' is not a public URL"),
    ],
)
async def test_bad_input_is_one_line_and_changes_nothing(
    case: str, expected: str, forum: DiscourseStandIn, tmp_path: Path
) -> None:
    url = forum.base_url if case != "unreachable" else f"http://127.0.0.1:{free_port()}"
    config = write_config(
        tmp_path,
        url,
        key="not-the-key" if case == "wrong key" else KEY,
        public_url=None if case == "no public url" else PUBLIC,
    )
    extra = {
        "bad public url": ("--public-url", "ftp://bot"),
        "bad group": ("--group", "bad name!"),
        "huge group": ("--group", "x" * 10_000),
        "empty badge": ("--badge-name", "  "),
        "broken public url": ("--public-url", "http://[::1"),
    }.get(case, ())
    result = await cli(config, *extra)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0], result.output
    assert "Traceback" not in result.output and KEY not in result.output
    assert writes(forum) == []


async def test_a_unicode_badge_name_is_created_once_and_then_found(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    config = write_config(tmp_path, forum.base_url)
    name = "Botschafter·in ✨"
    assert (await cli(config, "--badge-name", name)).exit_code == 0
    second = await cli(config, "--badge-name", name.upper())
    assert second.exit_code == 0, second.output
    assert f"found         badge {name!r}" in second.output
    assert [b["name"] for b in forum.badges.values()] == [name]


async def test_a_disabled_badge_is_enabled_and_the_configured_one_is_used(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    badge_id = forum.add_badge("Community Ambassador", enabled=False)
    config = write_config(tmp_path, forum.base_url)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "# ambassador_badge_id = 105", f"ambassador_badge_id = {badge_id}"
        ),
        encoding="utf-8",
    )
    result = await cli(config)
    assert result.exit_code == 0, result.output
    assert f"enabled       badge 'Community Ambassador' (id {badge_id})" in result.output
    assert forum.badges[badge_id]["enabled"] and len(forum.badges) == 1
    assert ("PUT", f"/admin/badges/{badge_id}.json") in writes(forum)
    assert "ambassador_badge_id" not in result.output  # already configured


async def test_dry_run_without_a_secret_says_one_would_be_set(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    result = await cli(write_config(tmp_path, forum.base_url, secret=""), "--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        "A webhook secret would be set in discourse.webhook_secret (--write puts it there)." in result.output
    )
    assert writes(forum) == []
