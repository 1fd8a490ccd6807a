"""No secret leaks: a full scenario with DEBUG logging (plain and JSON lines), then every place a
secret could end up is searched for the Slack token, the signing secret, the forum API key, the
webhook secret and the one-time link code."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from bot.cli.base import secrets_in as _secrets
from bot.doctor import run_doctor
from bot.logs import setup_logging
from bot.program.backup import BackupService
from bot.program.ports import SystemClock
from bot.sandbox.discourse import post_payload
from bot.sandbox.harness.stack import (
    ALICE,
    BOB,
    BOT_TOKEN,
    FORUM_KEY,
    MOD,
    SIGNING_SECRET,
    WEBHOOK_SECRET,
    Stack,
)
from tests.e2e.lifecycle import make_ambassador, say
from tests.e2e.test_profiles_directory import save_profile


@contextmanager
def debug_logs() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """The bot's own logging set-up, plain and --log-json at once, at DEBUG, into two buffers."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    plain, jsonl = io.StringIO(), io.StringIO()
    made = []
    for json_lines, stream in ((False, plain), (True, jsonl)):
        setup_logging("debug", [BOT_TOKEN, SIGNING_SECRET, FORUM_KEY, WEBHOOK_SECRET], json_lines=json_lines)
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        made.append(handler)
    root.handlers[:] = [*made, *saved_handlers]
    try:
        yield plain, jsonl
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


async def cli(stack: Stack, tmp_path: Path, *args: str) -> str:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{stack.settings.database.url}"\n', encoding="utf-8")
    result = await asyncio.to_thread(CliRunner().invoke, main, ["--config", str(config), *args])
    return result.output


async def test_no_secret_or_link_code_appears_anywhere(stack: Stack, tmp_path: Path) -> None:
    assert set(_secrets(stack.settings)) == {BOT_TOKEN, SIGNING_SECRET, FORUM_KEY, WEBHOOK_SECRET}
    seen: list[str] = []  # everything a person, a log reader or a file reader could see
    with debug_logs() as (plain, jsonl):
        await make_ambassador(stack, ALICE)
        # Bob links his forum account with the one-time code the forum PM carries.
        seen.append(await say(stack, BOB, "link bob"))
        await stack.settle()
        pm = stack.forum.pms_to("bob")[-1]
        found = re.search(r"\*\*([A-Z0-9]{4}-[A-Z0-9]{4})\*\*", pm["raw"])
        assert found is not None
        code = found.group(1)
        seen.append(await say(stack, BOB, "link confirm ZZZZ-ZZZ9"))  # a wrong one first
        seen.append(await say(stack, BOB, f"link confirm {code}"))
        assert "now linked" in seen[-1]
        await save_profile(stack, ALICE)
        seen.append(await say(stack, ALICE, "find kubernetes"))
        seen.append(await say(stack, MOD, f"badge grant <@{ALICE}> Ambassador"))
        resp = await stack.forum_actor.send("post_created", post_payload(9100, "alice", 12, "Hi all!"))
        seen.append(resp.text)
        for kind in ("ambassadors csv", "audit json", "requests csv"):
            seen.append(await say(stack, MOD, f"export {kind}"))
        seen.append(await say(stack, MOD, f"audit <@{BOB}>"))
        # A delivery Slack refuses for good (bad auth) and one the forum refuses: visible failures.
        stack.slack.fail_next("chat.postMessage", times=20, status=200, error="invalid_auth")
        seen.append(await say(stack, MOD, f"onboarding done <@{ALICE}> announced"))
        await stack.settle()
        lines: list[str] = []
        await run_doctor(stack.settings, lines.append)
        seen += lines
        for args in (
            ("export", "directory"),
            ("export", "groups"),
            ("export", "ambassadors", "--format", "json"),
            ("export", "audit", "--format", "csv"),
            ("outbox", "failures"),
            ("backup", "-o", str(tmp_path / "backup.json")),
        ):
            seen.append(await cli(stack, tmp_path, *args))
        seen.append((tmp_path / "backup.json").read_text(encoding="utf-8"))
        logging.getLogger("ambassador_bot.test").debug("scenario done")
    logs = plain.getvalue() + jsonl.getvalue()
    assert "scenario done" in plain.getvalue() and '"message": "scenario done"' in jsonl.getvalue()
    assert "DEBUG" in logs  # DEBUG really was on

    data = await BackupService(stack.runtime.uow, SystemClock()).dump()
    for table in data["tables"]:
        if table["name"] == "link_codes":  # the hash of the code stays, but must not be the code
            at = table["columns"].index("code_hash")
            assert all(row[at] and code not in row[at] for row in table["rows"])
            for row in table["rows"]:
                row[at] = None
    places = {
        "logs": logs,
        "answers, CLI output, exports and the backup file": "\n".join(seen),
        "Slack messages and files": json.dumps(
            [c for c in stack.slack.calls if c[0] != "auth.test"], ensure_ascii=False, default=str
        )
        + json.dumps(stack.slack.responses, ensure_ascii=False, default=str)
        + "".join(
            bytes(f.get("content") or b"").decode("utf-8", "replace")
            if isinstance(f.get("content"), bytes)
            else ""
            for f in stack.slack.files
        ),
        "the database": json.dumps(data["tables"], ensure_ascii=False, default=str),
    }
    secrets = {
        "Slack bot token": BOT_TOKEN,
        "signing secret": SIGNING_SECRET,
        "forum API key": FORUM_KEY,
        "webhook secret": WEBHOOK_SECRET,
        "link code": code,
        "link code without its dash": code.replace("-", ""),
    }
    leaks = [
        f"{what} in {where}" for where, text in places.items() for what, s in secrets.items() if s in text
    ]

    def context(text: str, s: str) -> str:
        i = text.find(s)
        start = text.rfind("\n", 0, i)
        return text[start : start + 160]

    assert not leaks, [
        (leak, context(text, s))
        for where, text in places.items()
        for what, s in secrets.items()
        if s in text
        for leak in [f"{what} in {where}"]
    ]
