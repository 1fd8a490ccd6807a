"""Directory profiles (modal), `find`, and `ambassador-bot export directory`."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select, update

from bot.cli import main
from bot.sandbox.harness.stack import ALICE, BOB, MOD, Stack
from storage.groups import UserGroup
from storage.models import Ambassador, AuditEntry
from storage.profiles import Profile
from tests.e2e.lifecycle import make_ambassador, say


def initial_values(view: dict[str, Any]) -> dict[str, str]:
    return {
        b["block_id"]: b["element"].get("initial_value", "")
        for b in view["blocks"]
        if b.get("type") == "input"
    }


PROFILE = {
    "bio": "Platform engineer, meetup organiser.",
    "expertise": "Kubernetes, Go,  kubernetes , Community events",
    "interests": "open hardware, cycling",
    "help_with": "Getting a first talk accepted",
    "contact": "DM me here or @alice on the forum",
    "timezone": "europe/berlin",
    "city": "Berlin",
    "country": "Germany",
}


async def open_profile(stack: Stack, user: str) -> dict[str, Any]:
    resp = await stack.actor.slash(user, "profile")
    assert resp.status_code == 200
    view = await stack.wait_for_view(user)
    assert view["callback_id"] == "profile_submit"
    return view


async def save_profile(
    stack: Stack, user: str, *, public: tuple[str, ...] = (), **changes: str
) -> dict[str, Any]:
    """Fill in and save the profile form; with `public`, listed on the public directory showing
    those fields."""
    view = await open_profile(stack, user)
    values = {**PROFILE, **changes}
    answers: dict[str, Any] = {k: {k: v} for k, v in values.items() if v}
    if public:
        answers["public_listed"] = {"public_listed": ["yes"]}
        answers["public_fields"] = {"public_fields": list(public)}
    resp = await stack.actor.submit_view(user, view["id"], answers)
    await stack.settle()
    body: dict[str, Any] = resp.json() if resp.text.strip() else {}
    return body


async def test_profile_form_is_prefilled_validated_saved_and_ticks_the_step(stack: Stack) -> None:
    await make_ambassador(stack)
    view = await open_profile(stack, ALICE)
    # Before a profile exists, the form starts from the application.
    prefill = initial_values(view)
    assert prefill["expertise"] == "Kubernetes, community events"
    assert (prefill["city"], prefill["country"], prefill["timezone"]) == (
        "Lisbon",
        "Portugal",
        "Europe/Lisbon",
    )

    answer = await save_profile(stack, ALICE, timezone="Mars/Olympus")
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"timezone"}
    answer = await save_profile(stack, ALICE, expertise=", ".join(f"tag{i}" for i in range(25)))
    assert "at most 20" in answer["errors"]["expertise"]

    answer = await save_profile(stack, ALICE)
    assert answer["response_action"] == "update" and "Saved" in str(answer["view"])
    assert "“profile” is done" in str(answer["view"])
    assert "✅ Fill in your directory profile" in await say(stack, ALICE, "onboarding")

    again = initial_values(await open_profile(stack, ALICE))
    assert again["expertise"] == "Kubernetes, Go, Community events"  # tags cleaned, duplicates dropped
    assert again["timezone"] == "Europe/Berlin"
    async with stack.runtime.uow() as uow:
        profile = (await uow.session.execute(select(Profile))).scalar_one()
        audit = [
            a
            for a in (await uow.session.execute(select(AuditEntry))).scalars()
            if a.action == "profile.updated"
        ]
    assert " e:kubernetes " in profile.search_text and " l:berlin " in profile.search_text
    assert audit[-1].after is not None and audit[-1].after["city"] == "Berlin"


async def test_find_searches_active_ambassadors_best_first(stack: Stack) -> None:
    await make_ambassador(stack)
    await make_ambassador(stack, BOB, name="Bob Builder", forum_username="bob", location="Porto, Portugal")
    await save_profile(stack, ALICE)
    await save_profile(
        stack, BOB, expertise="Python", interests="kubernetes", city="Berlin", contact="bob@example.org"
    )
    # A visitor (not an ambassador) with a perfect profile never shows up.
    await save_profile(stack, MOD, expertise="Kubernetes", city="Berlin")

    text = await say(stack, ALICE, "find kubernetes berlin")
    assert "Alice Example" in text and "Bob Builder" in text and "carol" not in text.lower()
    assert text.index("Alice Example") < text.index("Bob Builder")  # 3+2 beats 2+2
    assert "DM me here" in text and "Europe/Berlin" in text
    assert "Bob Builder" in await say(stack, ALICE, "find pyth")  # prefixes match
    assert "Alice Example" in await say(stack, BOB, "find München zürich Berlin")  # accents and case
    assert "No active ambassador matches" in await say(stack, ALICE, "find zzz")

    assert "Usage:" in await say(stack, ALICE, "find")
    assert "at least one word" in await say(stack, ALICE, "find a ? !")
    long = await say(stack, ALICE, "find " + " ".join(["kubernetes"] * 20 + ["ü" * 3000]))
    assert "Alice Example" in long


async def test_find_says_how_many_more_matched(stack: Stack) -> None:
    await make_ambassador(stack)
    now = stack.runtime.clock.now()
    async with stack.runtime.uow() as uow:  # twelve more active ambassadors, straight into the tables
        for i in range(12):
            person = await uow.people.get_or_create_slack(f"U0X{i:02d}", f"Xavier {i:02d}")
            uow.session.add(
                Ambassador(
                    person_id=person.id, status="active", term_start=now, term_end=now + timedelta(days=9)
                )
            )
    for i in range(12):
        await stack.runtime.services.profiles.save(
            f"U0X{i:02d}", {"expertise": "Kubernetes", "contact": "here"}
        )
    answer = await stack.actor.slash(ALICE, "find kubernetes")
    body = answer.json()
    sections = [b for b in body["blocks"] if b["type"] == "section"]
    assert len(sections) == 11  # the heading and ten people
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert "…and 2 more" in str(body["blocks"][-1])


async def test_export_directory_writes_one_section_per_listed_ambassador(
    stack: Stack, tmp_path: Path
) -> None:
    await make_ambassador(stack)
    await make_ambassador(stack, BOB, name="Bob *Builder*", forum_username="bob", location="Porto, Portugal")
    await save_profile(stack, BOB)  # not listed on the public directory: not exported
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{stack.settings.database.url}"\n', encoding="utf-8")
    out = tmp_path / "directory.md"
    export = ["--config", str(config), "export", "directory", "--output", str(out)]
    result = await asyncio.to_thread(CliRunner().invoke, main, export)
    assert result.exit_code == 0 and "0 ambassadors" in result.output, result.output
    assert "Bob" not in out.read_text(encoding="utf-8")

    everything = ("name", "location", "expertise", "help_with", "contact", "home_group")
    await save_profile(stack, ALICE, public=everything)
    await save_profile(stack, BOB, public=("name", "location"), city="Porto", country="Portugal")
    result = await asyncio.to_thread(CliRunner().invoke, main, export)
    assert result.exit_code == 0, result.output
    assert "2 ambassadors" in result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("# Get help and support")
    assert "## Alice Example" in page and "## Bob \\*Builder\\*" in page  # user text can't style the page
    alice = page.split("## Alice Example", 1)[1].split("##", 1)[0]
    assert "**Location:** Berlin, Germany" in alice
    assert "**Expertise:** Kubernetes, Go, Community events" in alice
    assert "**Can help with:** Getting a first talk accepted" in alice
    assert "**How to reach:** DM me here or @alice on the forum" in alice
    bob = page.split("Builder\\*", 1)[1]
    assert "Porto, Portugal" in bob and "Kubernetes" not in bob  # only the fields he chose
    # Without --output the page goes to stdout; --format html is the web page itself.
    printed = await asyncio.to_thread(
        CliRunner().invoke, main, ["--config", str(config), "export", "directory"]
    )
    assert printed.exit_code == 0 and "## Alice Example" in printed.output
    html = await asyncio.to_thread(
        CliRunner().invoke, main, ["--config", str(config), "export", "directory", "--format", "html"]
    )
    assert html.exit_code == 0 and html.output.startswith("<!doctype html>")
    assert html.output.count('<li class="ambassador">') == 2 and "Bob *Builder*" in html.output


async def test_a_profile_saved_before_approval_says_when_it_is_listed_and_ticks_the_step_at_approval(
    stack: Stack,
) -> None:
    answer = await save_profile(stack, ALICE)
    said = str(answer["view"])
    assert "will be listed in `/ambassador find` once you are an ambassador" in said
    assert "can now find you" not in said
    assert "No active ambassador matches" in await say(stack, BOB, "find kubernetes")

    await make_ambassador(stack)
    checklist = await say(stack, ALICE, "onboarding")
    assert "✅ Fill in your directory profile" in checklist
    welcome = str(stack.slack.dms_to(ALICE)[-1]["blocks"])
    assert "✅ Fill in your directory profile" in welcome
    assert "Alice Example" in await say(stack, BOB, "find kubernetes")
    answer = await save_profile(stack, ALICE, city="Porto")
    assert "People can now find you with `/ambassador find`" in str(answer["view"])


async def test_approval_without_a_profile_leaves_the_profile_step_open(stack: Stack) -> None:
    await make_ambassador(stack)
    assert "⬜ Fill in your directory profile" in await say(stack, ALICE, "onboarding")


async def add_group(stack: Stack, title: str, status: str) -> int:
    """A user group as the group workflow leaves it (that workflow is tested in test_user_groups)."""
    async with stack.runtime.uow() as uow:
        group = UserGroup(title=title, requested_name=title, requester_slack_id=MOD, status=status)
        uow.session.add(group)
        await uow.session.flush()
        group_id = group.id
        await uow.session.commit()
    return group_id


def home_group_field(view: dict[str, Any]) -> dict[str, Any] | None:
    return next((b for b in view["blocks"] if b.get("block_id") == "home_group_id"), None)


async def test_an_ambassador_records_their_home_user_group_shown_in_groups(stack: Stack) -> None:
    await make_ambassador(stack)
    assert home_group_field(await open_profile(stack, ALICE)) is None  # no groups: no field

    lisbon = await add_group(stack, "Python Lisbon", "official")
    porto = await add_group(stack, "Python Porto", "approved")
    pending = await add_group(stack, "Python Faro", "pending")
    field = home_group_field(await open_profile(stack, ALICE))
    assert field is not None and field["optional"] is True
    offered = [o["value"] for o in field["element"]["options"]]
    assert offered == ["none", str(lisbon), str(porto)]  # approved and official groups only
    assert field["element"]["initial_option"]["value"] == "none"

    await save_profile(stack, ALICE, home_group_id=str(lisbon))
    listing = await say(stack, BOB, "groups")
    assert f"ambassadors: <@{ALICE}>" in listing.split("Python Porto")[0].split("Python Lisbon")[1]
    field = home_group_field(await open_profile(stack, ALICE))
    assert field is not None and field["element"]["initial_option"]["value"] == str(lisbon)

    # A group that stopped being choosable while the form was open is refused beside the field.
    view = await open_profile(stack, ALICE)
    async with stack.runtime.uow() as uow:
        await uow.session.execute(update(UserGroup).where(UserGroup.id == pending).values(status="official"))
        await uow.session.execute(update(UserGroup).where(UserGroup.id == porto).values(status="rejected"))
        await uow.session.commit()
    values = {k: {k: v} for k, v in PROFILE.items()} | {"home_group_id": {"home_group_id": str(porto)}}
    resp = await stack.actor.submit_view(ALICE, view["id"], values)
    assert resp.status_code == 200 and "home_group_id" in resp.json().get("errors", {})
    assert "Python Porto" not in await say(stack, BOB, "groups status official")
    # Changing and removing it work.
    await save_profile(stack, ALICE, home_group_id=str(pending))
    listing = await say(stack, BOB, "groups")
    assert f"ambassadors: <@{ALICE}>" in listing.split("Python Faro")[1].split("Python Lisbon")[0]
    await save_profile(stack, ALICE, home_group_id="none")
    assert f"<@{ALICE}>" not in await say(stack, BOB, "groups")
    async with stack.runtime.uow() as uow:
        profile = (await uow.session.execute(select(Profile))).scalar_one()
    assert profile.home_group_id is None


async def test_retiring_a_group_clears_it_as_a_home_group_audited(stack: Stack) -> None:
    await make_ambassador(stack)
    await make_ambassador(stack, BOB, name="Bob Builder", forum_username="bob")
    lisbon = await add_group(stack, "Python Lisbon", "official")
    porto = await add_group(stack, "Python Porto", "approved")
    await save_profile(stack, ALICE, home_group_id=str(lisbon))
    await save_profile(stack, BOB, home_group_id=str(porto))

    # Only a moderator retires, and nothing changes otherwise.
    assert "Only moderators can retire" in await say(stack, ALICE, f"group retire #{lisbon} Stopped")
    answer = await say(stack, MOD, f"group retire #{lisbon} No meetup since 2024")
    assert answer == (
        f"Retired *Python Lisbon* (#{lisbon}): it is no longer a home group. Cleared it from 1 profile."
    )
    async with stack.runtime.uow() as uow:
        homes = dict((await uow.session.execute(select(Profile.person_id, Profile.home_group_id))).all())
        entries = (await uow.session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
    assert len(homes) == 2 and set(homes.values()) == {None, porto}  # Alice's cleared, Bob's kept
    actions = [(e.action, e.actor) for e in entries]
    assert ("group.retired", MOD) in actions and ("profile.home_group_cleared", MOD) in actions
    [cleared] = [e for e in entries if e.action == "profile.home_group_cleared"]
    assert cleared.before == {"home_group_id": lisbon}

    # It is no longer offered, listed with ambassadors, nor retired twice.
    field = home_group_field(await open_profile(stack, ALICE))
    assert field is not None and [o["value"] for o in field["element"]["options"]] == ["none", str(porto)]
    assert f"<@{ALICE}>" not in await say(stack, BOB, "groups")
    assert "Python Lisbon" in await say(stack, BOB, "groups status retired")
    assert "is retired" in await say(stack, MOD, f"group retire #{lisbon} Again")
    assert "Cleared it from 1 profile." in await say(stack, MOD, f"group retire #{porto}")
    async with stack.runtime.uow() as uow:
        assert set((await uow.session.execute(select(Profile.home_group_id))).scalars()) == {None}
