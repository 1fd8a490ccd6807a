"""`ambassador-bot import ambassadors FILE.csv` and `sync discourse --adopt`, run as the operator
runs them (a subprocess on a config file) against the running bot's database and the Slack and
forum stand-ins: what is printed, what the records hold afterwards, what the forum is given."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from bot.program.roster.parse import NOT_A_ROSTER
from bot.sandbox.harness.procs import write_config
from bot.sandbox.harness.stack import ALICE, BADGE_ID, BOB, GROUP, MOD, MOD_CHANNEL, Stack
from bot.sandbox.slack.methods.workspace import Tier, set_lookup_tier
from storage.forum import BadgeGrant
from storage.models import Ambassador, AuditEntry, OnboardingStep, OutboxMessage

TODAY = datetime.now(UTC).date()
START = f"{TODAY - relativedelta(months=3):%Y-%m-%d}"


async def cli(stack: Stack, tmp_path: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run `ambassador-bot --config … <args>`: (exit code, stdout, stderr). A subprocess, not
    subprocess.run: the stand-ins answer on this test's event loop."""
    config = tmp_path / "config.toml"
    slack_url = stack.settings.slack.api_url.removesuffix("/api/")
    write_config(config, stack.settings.database.url, 0, slack_url, stack.settings.discourse.url)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "--config",
        str(config),
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), timeout=300)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def count(stack: Stack, model: type, *where: object) -> int:
    async with stack.runtime.uow() as uow:
        stmt = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int((await uow.session.execute(stmt)).scalar_one())


async def approve(stack: Stack, user: str, forum_username: str, name: str) -> None:
    review = await stack.apply(user=user, forum_username=forum_username, name=name)
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()


def big_roster(stack: Stack) -> tuple[str, list[str]]:
    """500 lines of data: alice as approved (unchanged), 489 new ambassadors (30 given by email,
    one with a unicode name, 50 alumni) and 10 bad lines; the refusals the CLI must print."""
    today, term_end = f"{TODAY:%Y-%m-%d}", f"{TODAY + relativedelta(years=2):%Y-%m-%d}"
    rows = ["slack_id,email,name,forum_username,term_start,term_end,status,expertise,location,timezone"]
    rows.append(f"{ALICE},,Alice Example,alice,{today},{term_end},active,,,")
    for i in range(489):
        uid, email = f"U0IMP{i:04d}", f"amb{i}@example.org"
        stack.slack.add_user(uid, f"amb{i}", email=email)
        name = "Zoë Ångström-山田" if i == 7 else f"Ambassador {i}"
        ident = f",{email.upper()}" if i < 30 else f"{uid},"
        status, end = ("alumni", "2025-06-01") if 100 <= i < 150 else ("active", "")
        start = "2023-06-01" if status == "alumni" else START
        rows.append(f'{ident},{name},amb{i},{start},{end},{status},"Python, k8s","Lyon, France",Europe/Paris')
    bad = [
        (",nobody@example.org,Nobody,nobody,2026-01-01,,,,,", "unknown Slack user nobody@example.org"),
        ("U0GHOST,,Ghost,ghost,2026-01-01,,,,,", "unknown Slack user U0GHOST"),
        ("U0BAD1,,Bad Date,bad1,2026-02-30,,,,,", "term_start '2026-02-30' is not a date of the calendar"),
        ("U0IMP0031,,Again,again,2026-01-01,,,,,", "duplicate: slack_id U0IMP0031 is already on line 34"),
        ("U0BAD2,,Twin,AMB40,2026-01-01,,,,,", "duplicate: forum_username amb40 is already on line 43"),
        ("U0BAD3,,Odd,odd,2026-01-01,,retired,,,", "unknown status 'retired' (active or alumni)"),
        (
            "U0BAD4,,Back,back,2026-01-01,2025-01-01,,,,",
            "term_end 2025-01-01 is not after term_start 2026-01-01",
        ),
        (
            "U0BAD5,,Tz,tz,2026-01-01,,,,,Mars/Base",
            "unknown timezone 'Mars/Base' (a name like Europe/Berlin)",
        ),
        ("U0BAD6,,,noname,2026-01-01,,,,,", "no name"),
        (",not-an-email,Mail,mail,2026-01-01,,,,,", "email 'not-an-email' is not an email address"),
    ]
    refusals = []
    for row, reason in bad:
        rows.append(row)
        refusals.append(f"line {len(rows)}: {reason}")
    return "\n".join(rows) + "\n", refusals


async def test_a_500_line_file_with_good_and_bad_lines_imported_twice(stack: Stack, tmp_path: Path) -> None:
    await approve(stack, ALICE, "alice", "Alice Example")
    text, refusals = big_roster(stack)
    roster = tmp_path / "roster.csv"
    roster.write_text(text, encoding="utf-8")

    # All or nothing: a refused line means nothing is written, and every refusal is named.
    code, out, err = await cli(stack, tmp_path, "import", "ambassadors", str(roster), "--no-grant")
    lines = out.splitlines()
    assert code == 1, err
    assert [line for line in lines if not line.split(": ")[1].startswith("created")][:10] == refusals
    assert "500 lines: 489 created, 0 updated, 1 unchanged, 10 refused" in lines
    assert (
        lines[-1]
        == "Nothing was written: 10 lines refused. Fix them, or give --skip-bad to import the other lines."
    )
    assert await count(stack, Ambassador) == 1 and "Traceback" not in err

    code, out, err = await cli(
        stack, tmp_path, "import", "ambassadors", str(roster), "--no-grant", "--skip-bad"
    )
    assert code == 0, err
    assert "500 lines: 489 created, 0 updated, 1 unchanged, 10 refused" in out.splitlines()
    assert "line 10: created Zoë Ångström-山田 (U0IMP0007)" in out
    assert out.splitlines()[-1] == "Imported (10 refused lines skipped)."
    async with stack.runtime.uow() as uow:
        zoe = await uow.people.by_slack_id("U0IMP0007")
        by_mail = await uow.people.by_slack_id("U0IMP0003")  # given by its email only
        assert zoe is not None and zoe.display_name == "Zoë Ångström-山田" and zoe.forum_linked_at is not None
        assert by_mail is not None and by_mail.forum_username == "amb3"
        profile = await uow.profiles.for_person(zoe.id)
        assert profile is not None and (profile.city, profile.country, profile.expertise) == (
            "Lyon",
            "France",
            "Python, k8s",
        )
        found = await stack.runtime.services.profiles.find("k8s")
    assert await count(stack, Ambassador, Ambassador.status == "active") == 1 + 439
    assert await count(stack, Ambassador, Ambassador.status == "alumni") == 50
    assert found.total == 439  # the directory finds the active ones by their expertise
    # Every active newcomer's checklist is there, ticked by the importing operator.
    steps = len(stack.settings.program.onboarding)
    assert await count(stack, OnboardingStep, OnboardingStep.completed_by == "cli") == 439 * steps
    assert (
        await count(stack, AuditEntry, AuditEntry.action == "ambassador.imported", AuditEntry.actor == "cli")
        == 489
    )
    assert await count(stack, OutboxMessage, OutboxMessage.key.like("roster:%")) == 0  # --no-grant

    # A second run changes nothing: only the refusals are shown again.
    code, out, _err = await cli(
        stack, tmp_path, "import", "ambassadors", str(roster), "--no-grant", "--skip-bad"
    )
    assert code == 0
    assert out.splitlines() == [
        *refusals,
        "500 lines: 0 created, 0 updated, 490 unchanged, 10 refused",
        "Nothing to change (10 refused lines skipped).",
    ]
    assert await count(stack, AuditEntry, AuditEntry.action.like("ambassador.import%")) == 489


async def test_imported_ambassadors_get_the_badge_and_group_they_lack(stack: Stack, tmp_path: Path) -> None:
    stack.forum.add_user_badge("bob", BADGE_ID)  # bob holds the badge on the forum already
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"name,slack_id,forum_username,term_start\nAlice,{ALICE},alice,{START}\nBob,{BOB},bob,{START}\n",
        encoding="utf-8",
    )
    args = ("import", "ambassadors", str(roster), "--as", MOD, "--onboarding", "open")
    code, out, err = await cli(stack, tmp_path, *args)
    assert code == 0, err
    assert out.splitlines() == [
        f"line 2: created Alice ({ALICE})",
        f"line 3: created Bob ({BOB})",
        "2 lines: 2 created, 0 updated, 0 unchanged, 0 refused",
        "Imported; 3 forum changes queued for the running bot to deliver.",
    ]
    stack.runtime.worker.kick()
    await stack.settle()
    assert stack.forum.badges_of("alice") == ["Ambassador"] and stack.forum.badges_of("bob") == ["Ambassador"]
    assert {"alice", "bob"} <= stack.forum.members_of(GROUP)
    async with stack.runtime.uow() as uow:
        sources = {g.source for g in (await uow.session.execute(select(BadgeGrant))).scalars()}
        checklist = await stack.runtime.services.onboarding.checklist(ALICE)
        entry = (await uow.audit.latest(1, subject_id=str((await uow.people.by_slack_id(BOB)).id)))[0]  # type: ignore[union-attr]
    assert sources == {"bot", "forum"}  # alice's granted by the bot, bob's recorded as the forum's
    assert checklist.done == 0  # --onboarding open
    assert (entry.actor, entry.platform, entry.action) == (MOD, "cli", "ambassador.imported")
    # Nothing twice: a second run finds both unchanged and queues nothing.
    outbox = await count(stack, OutboxMessage, OutboxMessage.key.like("roster:%"))
    code, out, _err = await cli(stack, tmp_path, *args)
    assert code == 0 and out.splitlines() == [
        "2 lines: 0 created, 0 updated, 2 unchanged, 0 refused",
        "Nothing to change.",
    ]
    assert outbox == 3 and await count(stack, OutboxMessage, OutboxMessage.key.like("roster:%")) == outbox


async def test_a_changed_line_is_an_update_naming_what_changes(stack: Stack, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"slack_id,name,forum_username,term_start\n{ALICE},Alice,alice,{START}\n", encoding="utf-8"
    )
    assert (await cli(stack, tmp_path, "import", "ambassadors", str(roster), "--no-grant"))[0] == 0
    roster.write_text(
        "slack_id,name,forum_username,term_start,term_end,timezone\n"
        f"{ALICE},Alice B.,alice,{START},2030-01-31,Asia/Tokyo\n",
        encoding="utf-8",
    )
    code, out, _err = await cli(
        stack, tmp_path, "import", "ambassadors", str(roster), "--no-grant", "--dry-run"
    )
    old_end = f"{datetime.fromisoformat(START) + relativedelta(years=2):%Y-%m-%d}"
    expected = (
        f"line 2: updated Alice B. ({ALICE}): name Alice → Alice B., "
        f"term_end {old_end} → 2030-01-31, timezone - → Asia/Tokyo"
    )
    assert code == 0 and out.splitlines() == [
        expected,
        "1 line: 0 created, 1 updated, 0 unchanged, 0 refused",
        "Dry run: nothing was written.",
    ]
    async with stack.runtime.uow() as uow:
        assert (await uow.people.by_slack_id(ALICE)).display_name == "Alice"  # type: ignore[union-attr]
    code, out, _err = await cli(stack, tmp_path, "import", "ambassadors", str(roster), "--no-grant")
    assert code == 0 and out.splitlines()[0] == expected
    async with stack.runtime.uow() as uow:
        person = await uow.people.by_slack_id(ALICE)
        amb = await uow.ambassadors.for_person(person.id)  # type: ignore[union-attr]
    assert person is not None and amb is not None
    assert (person.display_name, person.timezone, f"{amb.term_end:%Y-%m-%d}") == (
        "Alice B.",
        "Asia/Tokyo",
        "2030-01-31",
    )


async def test_email_look_ups_wait_out_slacks_rate_limit(stack: Stack, tmp_path: Path) -> None:
    # Tier 3 scaled down so the test waits seconds, not minutes: bursts of 5, then 2 a second.
    set_lookup_tier(stack.slack, Tier(per_minute=120, burst=5))
    rows = ["email,name,forum_username,term_start"]
    for i in range(12):
        stack.slack.add_user(f"U0RATE{i:02d}", f"rate{i}", email=f"rate{i}@example.org")
        rows.append(f"rate{i}@example.org,Rate {i},rate{i},{START}")
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = await cli(stack, tmp_path, "import", "ambassadors", str(roster), "--no-grant")
    assert code == 0, err
    assert "12 lines: 12 created, 0 updated, 0 unchanged, 0 refused" in out
    assert stack.slack.rate_limited > 0  # Slack said 429 and the import waited, refusing nobody
    assert len(stack.slack.calls_to("users.lookupByEmail")) == 12 + stack.slack.rate_limited
    # One look-up at a time, each waiting out its Retry-After: at most one 429 per look-up beyond
    # the burst. (Eight at once kept hitting the limit: 500 emails ran out of retries.)
    assert stack.slack.rate_limited <= 12 - 5


BAD_FILES = [
    (
        "latin1.csv",
        b"slack_id,name,forum_username,term_start\nU0ALICE,Ren\xe9,rene,2026-01-15\n",
        ["line 2: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8"],
    ),
    (
        "photo.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00",
        ["not a CSV file: it holds binary data (NUL bytes)"],
    ),
    ("roster.json", b'{"ambassadors": []}\n', [NOT_A_ROSTER]),
    (
        "columns.csv",
        b"name,forum_username\nJane,jane\n",
        ["missing column: slack_id or email (one of them is required)", "missing column: term_start"],
    ),
    (
        "huge.csv",
        b"slack_id,name,forum_username,term_start\n" + b"U0ALICE,A,a,2026-01-15\n" * 300_000,
        ["the file is larger than 5 MB"],
    ),
]


async def test_a_file_that_is_no_roster_is_one_line_per_problem_and_changes_nothing(
    stack: Stack, tmp_path: Path
) -> None:
    for name, data, problems in BAD_FILES:
        path = tmp_path / name
        path.write_bytes(data)
        code, out, err = await cli(stack, tmp_path, "import", "ambassadors", str(path))
        prefix = "" if name == "huge.csv" else f"{path}: "
        assert (code, out) == (1, ""), name
        assert err.splitlines() == [
            f"Error: {path}: {p}" if name == "huge.csv" else f"{prefix}{p}" for p in problems
        ]
    code, _out, err = await cli(stack, tmp_path, "import", "ambassadors", str(tmp_path / "missing.csv"))
    assert code == 2 and "does not exist" in err and "Traceback" not in err
    code, _out, err = await cli(stack, tmp_path, "import", "ambassadors", str(path), "--as", "bob")
    assert code == 2 and "'bob' is not a Slack user id (like U012ABCDEF)" in err
    assert await count(stack, Ambassador) == 0 and await count(stack, AuditEntry) == 0


async def test_slack_refusing_the_look_up_is_one_line(stack: Stack, tmp_path: Path) -> None:
    stack.slack.fail_next("users.lookupByEmail", times=20, status=200, error="missing_scope")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"email,name,forum_username,term_start\njane@example.org,Jane,jane,{START}\n", encoding="utf-8"
    )
    code, out, err = await cli(stack, tmp_path, "import", "ambassadors", str(roster))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "Error: Slack refused users.lookupByEmail: missing_scope "
        "(add users:read.email to the app's scopes and reinstall it)"
    ]


async def test_sync_adopts_badge_holders_unknown_here(stack: Stack, tmp_path: Path) -> None:
    stack.forum.add_user_badge("carol", BADGE_ID)  # granted on the forum, unknown to the bot
    code, out, _err = await cli(stack, tmp_path, "sync", "discourse", "--adopt", "--no-deliver", stdin="n\n")
    assert code == 0 and "1 badge holder unknown here: carol" in out and "Nobody adopted." in out
    assert await count(stack, Ambassador) == 0

    code, out, err = await cli(stack, tmp_path, "sync", "discourse", "--adopt", "--yes", "--as", MOD)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:5] == [
        "1 badge holder unknown here: carol",
        "Adopted 1 ambassador: carol",
        "They have no Slack account here yet; to give them one, import a CSV such as:",
        "  email,name,forum_username,term_start",
        f"  <their email>,carol,carol,{TODAY:%Y-%m-%d}",
    ]
    assert "Group additions queued: 1: carol" in out and "All fixes delivered." in out
    assert "carol" in stack.forum.members_of(GROUP)
    async with stack.runtime.uow() as uow:
        carol = await uow.people.by_forum_username("carol")
        assert carol is not None and carol.slack_user_id is None
        grants = [g.source for g in await uow.badges.for_person(carol.id)]
        entry = (await uow.audit.latest(5, subject_id=str(carol.id)))[-1]
    assert grants == ["forum"] and (entry.actor, entry.action) == (MOD, "ambassador.imported")

    # Nobody is left to adopt, and a CSV line gives carol her Slack account (U0MOD is carol).
    code, out, _err = await cli(stack, tmp_path, "sync", "discourse", "--adopt", "--yes")
    assert "Every holder of the ambassador badge is known here; nobody to adopt." in out
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"slack_id,name,forum_username,term_start\n{MOD},carol,carol,{TODAY:%Y-%m-%d}\n", encoding="utf-8"
    )
    code, out, _err = await cli(stack, tmp_path, "import", "ambassadors", str(roster))
    assert code == 0 and out.splitlines()[0] == f"line 2: updated carol ({MOD}): slack_id - → {MOD}"
    async with stack.runtime.uow() as uow:
        assert (await uow.people.by_slack_id(MOD)) is not None
