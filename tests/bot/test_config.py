from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, settings_from_mapping

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_is_valid_and_complete() -> None:
    s = load_settings(ROOT / "config.example.toml", env={})
    assert s.slack.command == "/ambassador"
    assert s.database.url.startswith("sqlite+aiosqlite")
    assert [step.key for step in s.program.onboarding] == ["intro", "guidelines", "profile", "announced"]
    assert s.program.term_end(datetime(2026, 12, 1, 10, tzinfo=UTC)) == datetime(2028, 12, 1, 10, tzinfo=UTC)


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
        ('[program]\nterm = "two years"\n', "program.term: 'two years' is not an ISO 8601 duration"),
        ('[program]\nterm = "P1.5Y"\n', "program.term: 'P1.5Y': a term is whole years"),
        ('[program]\nterm = "PT12H"\n', "program.term: 'PT12H': a term is whole years"),
        ('[program]\nterm = "P11Y"\n', "at most ten years"),
        ('[program]\nterm = "P0D"\n', "at most ten years"),
        ('[program]\nterm = "P2Y"\nterm_years = 2\n', "give the term length once, not as term and"),
        ('[slack]\ncommand = "ambassador"\n', "slack.command: must look like /ambassador"),
        (
            '[[program.onboarding]]\nkey = "a"\ntitle = "A"\n'
            '[[program.onboarding]]\nkey = "a"\ntitle = "B"\n',
            "program: onboarding step keys must be unique; repeated: a",
        ),
        ("this is = = not toml", "not valid TOML"),
        # the checks the sections share (bot/config/base.py) say the same in every section
        (
            '[groups]\ncommunity_managers = ["bob"]\n',
            "groups.community_managers: 'bob' is not a Slack user id",
        ),
        (
            '[[groups.handover]]\nkey = "a"\ntitle = "A"\n[[groups.handover]]\nkey = "a"\ntitle = "B"\n',
            "groups: handover step keys must be unique; repeated: a",
        ),
        (
            '[[events]]\nkey = "m"\ntitle = "M"\nrrule = "FREQ=MONTHLY"\nstart = "2026-01-01T17:00"\n'
            'timezone = "UTC"\n'
            '[[events]]\nkey = "m"\ntitle = "N"\nrrule = "FREQ=MONTHLY"\nstart = "2026-01-01T17:00"\n'
            'timezone = "UTC"\n',
            "config: event keys must be unique; repeated: m",
        ),
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


START = datetime(2026, 12, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("program", "start", "end"),
    [
        ({}, START, datetime(2028, 12, 1, 10, tzinfo=UTC)),  # two calendar years, not 730 days
        ({"term": "P2Y"}, datetime(2028, 2, 29, tzinfo=UTC), datetime(2030, 2, 28, tzinfo=UTC)),
        ({"term_years": 1}, datetime(2028, 2, 29, tzinfo=UTC), datetime(2029, 2, 28, tzinfo=UTC)),
        ({"term": "P4Y"}, datetime(2028, 2, 29, tzinfo=UTC), datetime(2032, 2, 29, tzinfo=UTC)),
        ({"term": "P18M"}, datetime(2026, 8, 31, tzinfo=UTC), datetime(2028, 2, 29, tzinfo=UTC)),
        ({"term": "P90D"}, START, datetime(2027, 3, 1, 10, tzinfo=UTC)),
        # The older key keeps its meaning: exactly that many days.
        ({"term_days": 730}, START, datetime(2028, 11, 30, 10, tzinfo=UTC)),
    ],
)
def test_a_term_is_a_calendar_period(program: dict[str, object], start: datetime, end: datetime) -> None:
    s = settings_from_mapping({"program": program}, env={})
    assert s.program.term_end(start) == end


def test_a_copy_of_the_settings_keeps_the_one_term_setting_given() -> None:
    s = settings_from_mapping({"program": {"term_days": 730}}, env={})
    copy = s.replace(slack={"bot_token": "xoxb-other"})
    assert copy.program.term_end(START) == datetime(2028, 11, 30, 10, tzinfo=UTC)
