from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, settings_from_mapping

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_is_valid_and_complete() -> None:
    s = load_settings(ROOT / "config.example.toml", env={})
    assert s.slack.command == "/ambassador"
    assert s.database.url.startswith("sqlite+aiosqlite")
    assert [step.key for step in s.program.onboarding] == ["intro", "guidelines", "profile", "announced"]
    assert s.program.term_days == 730


def test_environment_secrets_win_over_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[slack]\nbot_token = "xoxb-file"\n[discourse]\napi_key = "from-file"\n')
    s = load_settings(cfg, env={"SLACK_BOT_TOKEN": "xoxb-env", "DISCOURSE_API_KEY": "from-env"})
    assert s.slack.bot_token == "xoxb-env"
    assert s.discourse.api_key == "from-env"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[slack]\nmoderators = ["bob"]\n', "slack.moderators: 'bob' is not a Slack user id"),
        ("[slak]\n", "slak: unknown key"),
        ('[database]\nurl = "mysql://x"\n', "database.url: must start with"),
        ("[server]\nport = 70000\n", "server.port:"),
        ('[discourse]\nwebhook_secret = "short"\n', "discourse.webhook_secret: must be at least 12"),
        ("[program]\nterm_days = 0\n", "program.term_days:"),
        ('[slack]\ncommand = "ambassador"\n', "slack.command: must look like /ambassador"),
        (
            '[[program.onboarding]]\nkey = "a"\ntitle = "A"\n'
            '[[program.onboarding]]\nkey = "a"\ntitle = "B"\n',
            "repeated: a",
        ),
        ("this is = = not toml", "not valid TOML"),
    ],
)
def test_bad_values_give_one_line_naming_the_key(tmp_path: Path, toml: str, message: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, env={})
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_api_url_gets_trailing_slash() -> None:
    s = settings_from_mapping({"slack": {"api_url": "http://127.0.0.1:9/api"}}, env={})
    assert s.slack.api_url == "http://127.0.0.1:9/api/"
