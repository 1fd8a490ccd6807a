"""`export person` and `forget`: one person's data out, then gone; everyone else untouched."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.cli import main
from bot.program.backup import BackupService
from bot.program.ports import SystemClock
from bot.sandbox.harness.stack import ALICE, BOB, MOD, Stack
from storage.models import AuditEntry, OutboxMessage
from storage.nominations import Nomination
from tests.e2e.lifecycle import make_ambassador, say
from tests.e2e.test_profiles_directory import save_profile
from tests.e2e.test_requests import EXPENSE, send_request

ALICE_NAME, ALICE_FORUM, ALICE_BIO = "Alice Wonderperson", "alice", "Zebra-striped quantum gardener"
BOB_NAME = "Bob Keepme"
DAN = "U0DAN"


async def cli(stack: Stack, tmp_path: Path, *args: str, stdin: str | None = None) -> Result:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{stack.settings.database.url}"\n', encoding="utf-8")
    return await asyncio.to_thread(
        CliRunner().invoke, main, ["--config", str(config), *args], input=stdin, catch_exceptions=False
    )


async def everything(stack: Stack) -> str:
    """Every row of every table as one text (what a backup holds)."""
    data = await BackupService(stack.runtime.uow, SystemClock()).dump()
    return json.dumps(data["tables"], ensure_ascii=False)


async def alice_and_bob(stack: Stack) -> None:
    """Alice: approved ambassador (forum linked), profile, an expense, a nomination of Dan;
    Bob: approved ambassador too (the one who must stay untouched)."""
    await make_ambassador(stack, ALICE, name=ALICE_NAME, forum_username=ALICE_FORUM)
    await save_profile(stack, ALICE, bio=ALICE_BIO, contact="alice@example.org", public=("name", "contact"))
    await send_request(stack, ALICE, "expense", EXPENSE)
    await make_ambassador(stack, BOB, name=BOB_NAME, forum_username="bob")
    await save_profile(
        stack, BOB, bio="Bob's bio stays", contact="DM me on Slack", public=("name", "contact")
    )
    stack.slack.add_user(DAN, "dan")
    answer = await say(stack, ALICE, f"nominate <@{DAN}> great at talks, says {ALICE_NAME}")
    assert "nominat" in answer.lower(), answer
    await stack.settle()


async def test_export_person_holds_everything_about_them(stack: Stack, tmp_path: Path) -> None:
    await alice_and_bob(stack)
    out = tmp_path / "alice.json"
    result = await cli(stack, tmp_path, "export", "person", ALICE, "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["person"][0]["display_name"] == ALICE_NAME
    assert data["person"][0]["forum_username"] == ALICE_FORUM
    assert [t["status"] for t in data["ambassador_terms"]] == ["active"]
    assert data["applications"][0]["name"] == ALICE_NAME
    assert data["profile"][0]["bio"] == ALICE_BIO
    assert data["requests"][0]["kind"] == "expense" and data["requests"][0]["amount"] == "125.5000"
    assert data["nominations_by_them"][0]["nominee_slack_id"] == DAN
    assert "application.approved" in {a["action"] for a in data["audit"]}
    # By forum username too, printed; and the same person.
    by_forum = await cli(stack, tmp_path, "export", "person", ALICE_FORUM)
    assert by_forum.exit_code == 0 and json.loads(by_forum.stdout)["person_id"] == data["person_id"]
    # Nothing about Bob in Alice's export except that she nominated him.
    assert BOB_NAME not in out.read_text(encoding="utf-8")

    unknown = await cli(stack, tmp_path, "export", "person", "U0NOBODY")
    assert unknown.exit_code != 0 and "No one is known as 'U0NOBODY'" in unknown.output


async def test_forget_removes_them_everywhere_and_leaves_others(stack: Stack, tmp_path: Path) -> None:
    await alice_and_bob(stack)
    # A badge for Alice still waiting (the forum is down): forgetting her cancels it.
    stack.forum.add_badge("Speaker", badge_id=106)
    stack.forum.fail_next("POST", "/user_badges", times=100, status=503)
    assert "Granting" in await say(stack, MOD, f"badge grant <@{ALICE}> Speaker")
    await asyncio.sleep(0.3)
    waiting_for_alice = [
        m
        for m in await stack.outbox_rows()
        if m.status in ("pending", "in_flight") and m.payload.get("username") == "alice"
    ]
    assert waiting_for_alice
    before_bob = await cli(stack, tmp_path, "export", "person", BOB)
    bob_before = json.loads(before_bob.stdout)

    # Without --yes: shows what will change and asks; "no" changes nothing.
    declined = await cli(stack, tmp_path, "forget", ALICE, stdin="n\n")
    assert declined.exit_code != 0 and "Nothing was changed" in declined.output
    assert "delete     profiles: 1" in declined.output and "anonymise  requests: 1" in declined.output
    assert ALICE_BIO in await everything(stack)

    done = await cli(stack, tmp_path, "forget", ALICE, stdin="y\n")
    assert done.exit_code == 0, done.output
    assert "Forgot person #" in done.output

    text = await everything(stack)
    for personal in (ALICE_NAME, ALICE_BIO, "alice@example.org", ALICE, "Pizza for the Lisbon meetup"):
        at = text.find(personal)
        assert at < 0, f"{personal}: {text[at - 300 : at + 100]}"
    assert '"alice"' not in text.lower()  # the forum username, as a value anywhere
    # Finance record kept: the expense with its amount, under the tombstone.
    assert "125.5000" in text and "forgotten#" in text

    # Not findable, not exportable; others untouched.
    assert ALICE_NAME not in await say(stack, MOD, "find gardener")
    gone = await cli(stack, tmp_path, "export", "person", ALICE)
    assert gone.exit_code != 0 and "No one is known" in gone.output
    for kind in ("ambassadors", "applications", "requests", "audit"):
        exported = await cli(stack, tmp_path, "export", kind, "--format", "json")
        assert exported.exit_code == 0 and ALICE_NAME not in exported.stdout and ALICE not in exported.stdout
    directory = await cli(stack, tmp_path, "export", "directory")
    assert ALICE_NAME not in directory.stdout and BOB_NAME in directory.stdout
    bob_after = json.loads((await cli(stack, tmp_path, "export", "person", BOB)).stdout)
    assert bob_after["profile"] == bob_before["profile"] and bob_after["person"] == bob_before["person"]
    assert bob_after["applications"] == bob_before["applications"]
    # Alice's nomination of Dan is about Dan: it stays, without her id or name.
    async with stack.runtime.uow() as uow:
        [nomination] = (await uow.session.execute(select(Nomination))).scalars().all()
    assert nomination.nominee_slack_id == DAN and nomination.nominator_slack_id.startswith("forgotten#")
    assert ALICE_NAME not in nomination.reason and "great at talks" in nomination.reason
    async with stack.runtime.uow() as uow:
        waiting = list(
            (
                await uow.session.execute(
                    select(OutboxMessage).where(OutboxMessage.status.in_(("pending", "in_flight")))
                )
            ).scalars()
        )
        forgotten = [
            a
            for a in (await uow.session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
            if a.action == "person.forgotten"
        ]
    assert not [m for m in waiting if "forgotten#" in json.dumps(m.payload)]
    assert any(m.status == "cancelled" for m in await stack.outbox_rows())
    [row] = forgotten
    assert row.actor == "cli" and row.subject_type == "person"
    assert row.after is not None and row.after["note"].endswith("forgotten by CLI operator")

    # Twice is harmless: by Slack id nobody is found; by number it says so.
    again = await cli(stack, tmp_path, "forget", ALICE, "--yes")
    assert again.exit_code != 0 and "No one is known" in again.output
    pid = row.subject_id
    by_number = await cli(stack, tmp_path, "forget", f"#{pid}", "--yes")
    assert by_number.exit_code == 0 and "already forgotten" in by_number.output
    assert (await everything(stack)).count("person.forgotten") == 1
