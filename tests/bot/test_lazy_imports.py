"""Heavy libraries load when first used, not when the bot starts: importing the server and the
CLI, and starting a runtime on a database whose schema is current (with the forum configured),
load neither Alembic (with Mako), nor matplotlib, nor icalendar, nor jinja2, nor pydiscourse
(with requests) before the first forum call. Each check runs in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storage import migrate
from storage.db import make_engine

HEAVY = ("alembic", "mako", "matplotlib", "icalendar", "jinja2", "pydiscourse", "requests")

START = """
import asyncio, sys
from bot.config import settings_from_mapping
from bot.runtime import build_runtime

async def main():
    forum = {"url": "http://127.0.0.1:9", "api_key": "k" * 16, "webhook_secret": "w" * 16}
    settings = settings_from_mapping(
        {
            "database": {"url": sys.argv[1]},
            "slack": {"bot_token": "xoxb-1", "signing_secret": "s"},
            "discourse": forum,
        },
        env={},
    )
    rt = await build_runtime(settings, auto_migrate=True)
    assert rt.discourse is not None  # the forum gateway is built, its client is not
    await rt.close()

asyncio.run(main())
print(",".join(m for m in sys.argv[2].split(",") if m in sys.modules))
"""


def _loaded(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_importing_the_server_and_the_cli_loads_no_heavy_library() -> None:
    code = "import sys, bot.server, bot.cli\n" + (
        "print(','.join(m for m in sys.argv[1].split(',') if m in sys.modules))"
    )
    assert _loaded(code, ",".join(HEAVY)) == ""


async def test_a_runtime_on_a_current_schema_loads_no_heavy_library(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
    finally:
        await engine.dispose()
    assert _loaded(START, url, ",".join(HEAVY)) == ""


async def test_a_runtime_on_an_empty_database_still_migrates_it(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    assert _loaded(START, url, "alembic") == "alembic"  # it had to migrate, so Alembic was loaded
    engine = make_engine(url)
    try:
        assert await migrate.current_revision(engine) == migrate.head_revision()
    finally:
        await engine.dispose()


def test_the_example_config_loads_without_jinja2_and_a_custom_template_is_still_checked() -> None:
    """The example's recognition templates are the defaults, which are known to parse; a config
    with a template of its own is parsed with jinja2 when it loads, so a broken one is refused at
    start, not at the first recognition message."""
    example = Path(__file__).resolve().parents[2] / "bot" / "resources" / "config.example.toml"
    code = (
        "import sys\nfrom bot.config import load_settings\nload_settings(sys.argv[1], env={})\n"
        "print('jinja2' in sys.modules)"
    )
    assert _loaded(code, str(example)) == "False"

    from bot.config import ConfigError, settings_from_mapping
    from bot.config.groups import DEFAULT_RECOGNITION, DEFAULT_RECOGNITION_TITLE, template_environment

    for default in (DEFAULT_RECOGNITION, DEFAULT_RECOGNITION_TITLE):
        template_environment().parse(default)  # what lets the defaults skip the check
    try:
        settings_from_mapping({"groups": {"recognition_template": "Hello {{ leader "}}, env={})
    except ConfigError as err:
        assert "not a valid Jinja2 template" in str(err)
    else:
        raise AssertionError("a broken recognition template was accepted")
