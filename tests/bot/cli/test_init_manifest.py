"""Getting started from an installed bot (issue 16, points 2 and 6): `init` writes a commented
config.toml that loads, `manifest` prints the Slack app manifest for Socket Mode or HTTP, both from
the files shipped inside the package; `--version`; bad input is one line and changes nothing.

The manifest is checked against Slack's manifest reference (https://api.slack.com/reference/manifests):
`settings.socket_mode_enabled`, `settings.interactivity.request_url`,
`settings.event_subscriptions.request_url`, `features.slash_commands[].url`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from bot.cli import main
from bot.config import load_settings

ROOT = Path(__file__).resolve().parents[3]
SCOPES_NEEDED = {"commands", "chat:write", "im:write", "users:read", "users:read.email"}


def invoke(*args: str, cwd: Path | None = None) -> Result:
    with contextlib.chdir(cwd or Path.cwd()):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)


def printed_manifest(*args: str) -> dict[str, Any]:
    result = invoke("manifest", *args)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    assert isinstance(data, dict)
    return data


def test_socket_manifest_has_no_urls_and_turns_socket_mode_on() -> None:
    m = printed_manifest("--socket")
    settings = m["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"] == {"is_enabled": True}
    assert "request_url" not in settings["event_subscriptions"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    [command] = m["features"]["slash_commands"]
    assert command["command"] == "/ambassador" and "url" not in command
    assert SCOPES_NEEDED <= set(m["oauth_config"]["scopes"]["bot"])
    assert m["display_information"]["name"] and len(m["display_information"]["name"]) <= 35


@pytest.mark.parametrize(
    ("given", "events"),
    [
        ("https://bot.example.org", "https://bot.example.org/slack/events"),
        ("https://bot.example.org/", "https://bot.example.org/slack/events"),
        ("https://bot.example.org/slack/events", "https://bot.example.org/slack/events"),
        ("https://example.org:8443/ambassadors", "https://example.org:8443/ambassadors/slack/events"),
        ("http://localhost:3000", "http://localhost:3000/slack/events"),
    ],
)
def test_http_manifest_sends_everything_to_slack_events(given: str, events: str) -> None:
    m = printed_manifest("--url", given)
    settings = m["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["interactivity"] == {"is_enabled": True, "request_url": events}
    assert settings["event_subscriptions"]["request_url"] == events
    assert m["features"]["slash_commands"][0]["url"] == events
    assert SCOPES_NEEDED <= set(m["oauth_config"]["scopes"]["bot"])


def test_both_manifests_agree_on_everything_but_the_mode() -> None:
    socket, http = printed_manifest("--socket"), printed_manifest("--url", "https://bot.example.org")
    for m in (socket, http):
        m["settings"]["interactivity"].pop("request_url", None)
        m["settings"]["event_subscriptions"].pop("request_url", None)
        m["features"]["slash_commands"][0].pop("url", None)
        m["settings"].pop("socket_mode_enabled")
    assert socket == http


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--url", "http://bot.example.org"], "is not https://"),
        (["--url", "ftp://bot.example.org"], "is not an address like https://"),
        (["--url", "bot.example.org"], "is not an address like https://"),
        (["--url", "https://bot.example.org:99999"], "is not an address like https://"),
        (["--url", "https://bot.exämple.org"], "non-ASCII"),
        (["--url", "https://bot.example.org/a b"], "spaces"),
        (["--url", "https://user:secret@bot.example.org"], "without a user name"),
        (["--url", "https://" + "a" * 5000 + ".org"], "longer than 500 characters"),
        (["--socket", "--url", "https://bot.example.org"], "not both"),
        ([], "give --socket (Socket Mode) or --url URL (HTTP)"),
    ],
)
def test_bad_manifest_input_is_one_line(args: list[str], says: str) -> None:
    result = invoke("manifest", *args)
    assert result.exit_code == 1
    assert says in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "secret" not in result.output and "Traceback" not in result.output
    assert len(result.output) < 300  # a huge value is not repeated back


def test_init_without_a_terminal_writes_socket_mode_defaults_that_load(tmp_path: Path) -> None:
    result = invoke("init", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "No flags and no terminal to ask on: Socket Mode, no forum" in result.output
    written = tmp_path / "config.toml"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # it will hold secrets
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# Written by `ambassador-bot init`") and "SLACK_APP_TOKEN" in text
    settings = load_settings(written, env={})
    assert settings.slack.bot_token == "" and settings.slack.signing_secret == ""
    assert settings.discourse.url == "" and settings.server.public_url == "http://127.0.0.1:3000"
    steps = result.output[result.output.index("Next steps:") :]
    order = [
        "manifest --socket",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "slack.moderator_channel",
        "setup discourse",
        "import ambassadors",
        "doctor",
        "ambassador-bot run",
    ]
    assert [steps.index(word) for word in order] == sorted(steps.index(word) for word in order)


def test_init_for_http_and_a_forum_fills_in_the_addresses(tmp_path: Path) -> None:
    path = tmp_path / "prod.toml"
    flags = ["--url", "https://bot.example.org/", "--forum-url", "https://forum.example.org/"]
    result = invoke("init", *flags, "--path", str(path))
    assert result.exit_code == 0, result.output
    settings = load_settings(path, env={})
    assert settings.server.public_url == "https://bot.example.org"
    assert settings.discourse.url == "https://forum.example.org"
    assert settings.discourse.api_key == "" and settings.discourse.webhook_secret == ""
    text = path.read_text(encoding="utf-8")
    assert "https://bot.example.org/slack/events" in text  # the comment says where Slack calls
    assert "# Secret typed into the forum's webhook" in text  # the example's comments are kept
    assert "ambassador-bot manifest --url https://bot.example.org" in result.output
    assert f"ambassador-bot doctor --config {path}" in result.output
    assert "let Slack verify the request URL" in result.output


def test_init_writes_where_config_points_when_no_path(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    result = invoke("init", "--socket", "--config", str(path))
    assert result.exit_code == 0, result.output
    assert load_settings(path, env={}).server.public_url == "http://127.0.0.1:3000"


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\n", encoding="utf-8")
    path.chmod(0o644)
    result = invoke("init", "--socket", "--path", str(path))
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {path} already exists; nothing was changed (--force replaces it)"
    assert path.read_text(encoding="utf-8") == "# mine\n"

    result = invoke("init", "--socket", "--path", str(path), "--force")
    assert result.exit_code == 0, result.output
    assert load_settings(path, env={}).slack.command == "/ambassador"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # --force tightened the old file's rights


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--url", "http://bot.example.org"], "--url: 'http://bot.example.org' is not https://"),
        (["--forum-url", "forum.example.org"], "--forum-url: 'forum.example.org' is not an address"),
        (["--socket", "--url", "https://bot.example.org"], "not both"),
    ],
)
def test_bad_init_input_is_one_line_and_writes_nothing(args: list[str], says: str, tmp_path: Path) -> None:
    result = invoke("init", *args, cwd=tmp_path)
    assert result.exit_code == 1
    assert says in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert list(tmp_path.iterdir()) == []


def test_init_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = invoke("init", "--socket", "--path", str(tmp_path / "no" / "config.toml"))
    assert result.exit_code == 1
    assert "could not write" in result.output and len(result.output.strip().splitlines()) == 1


def test_init_asks_on_a_terminal(tmp_path: Path) -> None:
    """Run the installed command on a pseudo-terminal: it asks, re-asks after a bad answer."""
    pty = pytest.importorskip("pty")
    exe = Path(sys.executable).with_name("ambassador-bot")
    assert exe.exists(), f"{exe}: the project is not installed in this venv"
    answers = b"n\nhttp://bot.example.org\nhttps://bot.example.org\nhttps://forum.example.org\n"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, on the terminal (never back into pytest)
        try:
            os.chdir(tmp_path)
            os.execv(str(exe), [str(exe), "init"])
        finally:
            os._exit(127)
    os.write(fd, answers)
    seen = b""
    with contextlib.suppress(OSError):  # EIO once the child has exited
        while chunk := os.read(fd, 4096):
            seen += chunk
    _, status = os.waitpid(pid, 0)
    shown = seen.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, shown
    assert "Use Socket Mode" in shown and "is not https://" in shown  # asked again after that
    settings = load_settings(tmp_path / "config.toml", env={})
    assert settings.server.public_url == "https://bot.example.org"
    assert settings.discourse.url == "https://forum.example.org"


def test_version_is_the_installed_package_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output == f"ambassador-bot {metadata.version('ambassador-bot')}\n"


def test_the_shipped_config_example_is_the_top_level_one() -> None:
    """The guide wants config.example.toml at the top; `init` reads the file in the package. The
    top-level one is a link to it, so the two can never drift apart."""
    shipped = ROOT / "bot" / "resources" / "config.example.toml"
    top = ROOT / "config.example.toml"
    assert top.is_symlink() and top.resolve() == shipped.resolve()
    tomllib.loads(shipped.read_text(encoding="utf-8"))


def test_the_templates_are_package_data() -> None:
    """An installed bot (not this source tree) has the templates: they are in package-data."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = data["tool"]["setuptools"]["package-data"]["bot"]
    for name in ("config.example.toml", "slack-app-manifest.yml"):
        assert any(Path("resources", name).match(g) for g in globs), name


def test_the_installed_command_prints_the_manifest(tmp_path: Path) -> None:
    """Outside the source tree, as a user runs it."""
    exe = Path(sys.executable).with_name("ambassador-bot")
    assert exe.exists(), f"{exe}: the project is not installed in this venv"
    done = subprocess.run(
        [str(exe), "manifest", "--socket"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout)["settings"]["socket_mode_enabled"] is True
