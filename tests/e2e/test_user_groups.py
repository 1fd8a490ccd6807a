"""User groups (issue #6), end to end over real HTTP against the Slack and Discourse stand-ins:
request → screening → review (mentor, conflicts, changes) → organisers → handover → recognition."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.program.errors import Conflict
from bot.sandbox.harness.stack import ALICE, AMB_CHANNEL, BOB, MOD, MOD_CHANNEL, Stack, start_stack
from storage.groups import GroupOrganiser, UserGroup
from tests.e2e.lifecycle import all_text, audit_actions, buttons, make_ambassador, say

DAN, CM, EVE = "U0DAN", "U0CM", "U0EVE"
WHAT_IS = "https://example.org/what-is-a-user-group"
FORUM_GROUP, FORUM_GROUP_ID = "openstack-auckland", 77
GROUPS: dict[str, Any] = {"what_is_a_user_group_url": WHAT_IS, "community_managers": [CM]}


async def _stack(db_url: str, **groups: Any) -> AsyncIterator[Stack]:
    async with start_stack(db_url, groups={**GROUPS, **groups}) as s:
        for uid, name in ((DAN, "dan"), (CM, "cmanager"), (EVE, "eve")):
            s.slack.add_user(uid, name)
        s.forum.add_user("frank", user_id=210)
        s.forum.add_group(FORUM_GROUP, group_id=FORUM_GROUP_ID)
        yield s


@pytest.fixture
async def gstack(db_url: str) -> AsyncIterator[Stack]:
    async for s in _stack(db_url):
        yield s


AUCKLAND = {
    "name": "Stackers of Auckland",
    "city": "Auckland",
    "country": "New Zealand",
    "website": "https://stackers.example.org",
    "description": "Monthly OpenStack talks and hands-on labs for operators and developers in Auckland.",
}


def reviews(stack: Stack) -> list[dict[str, Any]]:
    return [
        m for m in stack.slack.messages_in(MOD_CHANNEL) if m.get("text", "").startswith("User group request")
    ]


def view_text(view: dict[str, Any]) -> str:
    return "\n".join(str((b.get("text") or {}).get("text", "")) for b in view.get("blocks", []))


async def request_group(
    stack: Stack, user: str = BOB, organisers: tuple[str, ...] = (), **answers: str
) -> dict[str, Any]:
    """`/ambassador group request`, fill in the form, send it; returns the modal shown after."""
    form = {**AUCKLAND, **answers}
    resp = await stack.actor.slash(user, "group request")
    assert resp.status_code == 200
    view = await stack.wait_for_view(user)
    assert view["callback_id"] == "group_request_submit"
    values: dict[str, dict[str, Any]] = {k: {k: v} for k, v in form.items() if v}
    if organisers:
        values["organisers_slack"] = {"organisers_slack": list(organisers)}
    resp = await stack.actor.submit_view(user, view["id"], values)
    assert resp.status_code == 200, resp.text
    await stack.settle()
    return stack.slack.last_view_for(user) or {}


async def open_approve(stack: Stack, reviewer: str, review: dict[str, Any]) -> dict[str, Any]:
    await stack.actor.click(reviewer, MOD_CHANNEL, review["ts"], "group_approve")
    return await stack.wait_for_view(reviewer)


async def approve(
    stack: Stack, review: dict[str, Any], mentor: str = ALICE, reviewer: str = MOD, forum_group: str = ""
) -> dict[str, Any]:
    view = await open_approve(stack, reviewer, review)
    assert view["callback_id"] == "group_approve_submit", view_text(view)
    values: dict[str, dict[str, Any]] = {"mentor": {"mentor": mentor}}
    if forum_group:
        values["forum_group"] = {"forum_group": forum_group}
    resp = await stack.actor.submit_view(reviewer, view["id"], values)
    assert resp.status_code == 200
    await stack.settle()
    return stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {}


async def groups_in_db(stack: Stack) -> list[UserGroup]:
    async with stack.runtime.uow() as uow:
        return list((await uow.session.execute(select(UserGroup).order_by(UserGroup.id))).scalars())


async def organisers_in_db(stack: Stack, group_id: int) -> list[tuple[str | None, str | None]]:
    async with stack.runtime.uow() as uow:
        stmt = select(GroupOrganiser).where(GroupOrganiser.group_id == group_id).order_by(GroupOrganiser.id)
        return [(o.slack_user_id, o.forum_username) for o in (await uow.session.execute(stmt)).scalars()]


def handover_message(stack: Stack) -> dict[str, Any]:
    [msg] = [
        m
        for m in stack.slack.messages_in(MOD_CHANNEL)
        if m.get("text", "").startswith("Official group handover")
    ]
    return msg


async def click_step(stack: Stack, user: str, key: str) -> str:
    msg = handover_message(stack)
    await stack.actor.click(user, MOD_CHANNEL, msg["ts"], "group_step", block_id=f"step_{key}")
    await stack.settle()
    return str(stack.slack.responses[-1].get("text", ""))


def recognitions(stack: Stack, user: str) -> list[dict[str, Any]]:
    return [m for m in stack.slack.dms_to(user) if "Congratulations" in m.get("text", "")]


# -- 1. request and screening ------------------------------------------------------------------


async def test_spam_request_is_rejected_at_once_with_a_link_to_what_a_user_group_is(gstack: Stack) -> None:
    stack = gstack
    shown = await request_group(
        stack,
        name="Casino Nights Auckland",
        description="Best casino bonus codes, join our betting club today!",
    )
    assert "not accepted" in view_text(shown) and "“casino”" in view_text(shown)
    [dm] = stack.slack.dms_to(BOB)
    assert "was not accepted" in dm["text"] and "casino" in dm["text"] and WHAT_IS in all_text(dm)
    # The reviewers see it, decided, with nothing left to click.
    [review] = reviews(stack)
    assert "rejected" in review["text"] and buttons(review) == []
    assert "Rejected by the bot" in all_text(review)
    assert [g.status for g in await groups_in_db(stack)] == ["rejected"]
    assert "not accepted" in await say(stack, BOB, "group status")
    assert "group.rejected" in await audit_actions(stack)
    # Bob may send a proper request afterwards: a rejected one is not "open".
    await request_group(stack)
    assert [g.status for g in await groups_in_db(stack)] == ["rejected", "pending"]


async def test_pet_name_moves_into_braces_and_flags_reach_the_reviewers(gstack: Stack) -> None:
    stack = gstack
    shown = await request_group(stack, organisers=(DAN,), organisers_forum="frank")
    assert "OpenStack Auckland {Stackers}" in view_text(shown)
    [review] = reviews(stack)
    assert "OpenStack Auckland {Stackers}" in review["text"]
    assert "Requested as “Stackers of Auckland”" in all_text(review)
    assert buttons(review) == ["group_approve", "group_reject", "group_changes"]
    assert await organisers_in_db(stack, 1) == [(BOB, None), (DAN, None), (None, "frank")]

    # A general-IT group with no place: flagged with the reasons, not rejected.
    await request_group(
        stack, user=DAN, name="Tech Meetup Crew", city="", description="A tech meetup about programming."
    )
    review = reviews(stack)[-1]
    text = all_text(review)
    assert "general IT group" in text and "no city or region" in text
    assert "OpenStack New Zealand {Tech Meetup Crew}" in review["text"]
    assert buttons(review)[:3] == ["group_approve", "group_reject", "group_changes"]

    # Unicode names and places keep their letters; the community name is found without spaces.
    await request_group(
        stack, user=EVE, name="Open Stack Stackers de Zürich", city="Zürich", country="Schweiz"
    )
    assert "OpenStack Zürich {Stackers}" in reviews(stack)[-1]["text"]
    # What people type can't ping the channel or fake a link in the review message.
    await request_group(
        stack, user=MOD, name="<!channel> Stackers", city="Oslo", description="<https://x.example|hi>"
    )
    review = reviews(stack)[-1]
    assert "<!channel>" not in all_text(review) and "&lt;!channel&gt;" in all_text(review)
    assert "<https://x.example|hi>" not in all_text(review)


async def test_request_form_refuses_bad_input_clearly(gstack: Stack) -> None:
    stack = gstack
    await stack.actor.slash(BOB, "group request")
    view = await stack.wait_for_view(BOB)
    values = {
        "name": {"name": "Ünïcødé 🎉 <!channel> Stackers"},
        "city": {"city": "Auckland"},
        "website": {"website": "not a link"},
        "coordinates": {"coordinates": "north-ish"},
        "organisers_forum": {"organisers_forum": "ok_name, bad name!"},
        "description": {"description": "x" * 3001},
    }
    await stack.actor.submit_view(BOB, view["id"], values)
    errors = stack.actor.last_view_errors or {}
    assert set(errors) == {"website", "coordinates", "organisers_forum", "description"}
    assert "https://" in errors["website"] and "latitude" in errors["coordinates"]
    assert "3000" in errors["description"]
    assert await groups_in_db(stack) == []
    # A second request while one waits is refused in the form itself.
    await request_group(stack)
    await stack.actor.slash(BOB, "group request")
    view = await stack.wait_for_view(BOB)
    assert "waiting for review" in view_text(view)
    assert len(await groups_in_db(stack)) == 1


async def test_commands_answer_bad_arguments_privately(gstack: Stack) -> None:
    stack = gstack
    assert "Usage:" in await say(stack, BOB, "group")
    assert "Usage:" in await say(stack, BOB, "group frobnicate ünïcødé")
    assert "Name the group and the person" in await say(stack, BOB, "group organiser add")
    assert "No user group matches" in await say(stack, MOD, f"group organiser add Nowhere Land <@{DAN}>")
    assert "no user group #999" in await say(stack, MOD, f"group organiser add #999 <@{DAN}>")
    assert "Unknown status" in await say(stack, BOB, "groups status 🎉" + "x" * 300)
    assert "Say where" in await say(stack, BOB, "groups near")
    assert "none" in await say(stack, BOB, "groups")
    assert "no user group requests" in await say(stack, BOB, "group status")
    assert "/ambassador group request" in await say(stack, BOB, "help")


# -- 2. review ---------------------------------------------------------------------------------


async def test_approval_with_a_mentor_and_the_forum_group_owners(gstack: Stack) -> None:
    stack = gstack
    await make_ambassador(stack, ALICE)  # the only possible mentor
    await request_group(stack, organisers=(DAN,), organisers_forum="frank")
    [review] = reviews(stack)

    # Not a reviewer (Dan is neither an ambassador nor a moderator): refused, nothing changes.
    refused = await open_approve(stack, DAN, review)
    assert "Only ambassadors and moderators" in view_text(refused)

    view = await open_approve(stack, MOD, review)
    [mentor] = [b for b in view["blocks"] if b.get("block_id") == "mentor"]
    assert [o["value"] for o in mentor["element"]["options"]] == [ALICE]
    assert "Alice Example" in mentor["element"]["initial_option"]["text"]["text"]
    await stack.actor.submit_view(
        MOD, view["id"], {"mentor": {"mentor": ALICE}, "forum_group": {"forum_group": FORUM_GROUP}}
    )
    await stack.settle()

    updated = stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {}
    assert buttons(updated) == [] and f"mentor <@{ALICE}>" in all_text(updated)
    approved_dm = stack.slack.dms_to(BOB)[-1]
    assert "was approved" in approved_dm["text"] and f"<@{ALICE}>" in approved_dm["text"]
    assert "chose you as its mentor" in stack.slack.dms_to(ALICE)[-1]["text"]
    assert "Official group handover" in handover_message(stack)["text"]
    # On the forum, the organiser known there became an owner of the group's forum group.
    owner_calls = stack.forum.calls_to("PUT", f"/admin/groups/{FORUM_GROUP_ID}/owners")
    assert [c[2].get("group[usernames]") for c in owner_calls] == ["frank"]
    assert stack.forum.groups[FORUM_GROUP].owners == {"frank"}
    [group] = await groups_in_db(stack)
    assert (group.status, group.mentor_slack_id, group.decided_by) == ("approved", ALICE, MOD)
    actions = await audit_actions(stack)
    assert "group.approve.refused" in actions and "group.approved" in actions
    assert "approved" in await say(stack, BOB, "group status")

    # A late second approval (another reviewer's stale message) is told it was decided.
    with pytest.raises(Conflict, match="already approved"):
        await stack.runtime.services.groups.approval_form(MOD, 1)

    # An ambassador may review, but not their own request.
    await request_group(stack, user=ALICE, name="OpenStack Hamilton", city="Hamilton")
    assert "your own request" in view_text(await open_approve(stack, ALICE, reviews(stack)[-1]))


async def test_overlapping_request_is_flagged_and_held_until_the_ambassadors_resolve_it(
    gstack: Stack,
) -> None:
    stack = gstack
    await make_ambassador(stack, ALICE)
    await request_group(stack)
    await approve(stack, reviews(stack)[0])

    # Dan asks for another group in the same city.
    await request_group(stack, user=DAN, name="Cloud Kiwis", city="auckland")
    review = reviews(stack)[-1]
    assert "Overlaps with #1 OpenStack Auckland {Stackers}" in all_text(review) and "same city" in all_text(
        review
    )
    assert buttons(review) == ["group_approve", "group_reject", "group_changes", "group_ask_ambassadors"]
    # Held: approval is refused until the overlap is resolved.
    held = await open_approve(stack, MOD, review)
    assert "Ask ambassadors to resolve" in view_text(held)

    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "group_ask_ambassadors")
    await stack.settle()
    [ask] = [m for m in stack.slack.messages_in(AMB_CHANNEL) if "please resolve" in m.get("text", "")]
    assert "OpenStack Auckland {Cloud Kiwis}" in ask["text"] and buttons(ask) == ["group_conflict_resolved"]
    review = stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {}
    assert "with the ambassadors" in all_text(review) and "group_ask_ambassadors" not in buttons(review)
    assert "mark the overlap resolved" in view_text(await open_approve(stack, MOD, review))
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "group_reject")
    assert "mark the overlap resolved" in view_text(await stack.wait_for_view(MOD))

    # Only ambassadors and moderators may mark it resolved.
    await stack.actor.click(BOB, AMB_CHANNEL, ask["ts"], "group_conflict_resolved")
    await stack.settle()
    assert "Only ambassadors and moderators" in stack.slack.responses[-1]["text"]
    assert [g.conflict for g in await groups_in_db(stack)] == ["", "open"]

    await stack.actor.click(ALICE, AMB_CHANNEL, ask["ts"], "group_conflict_resolved")
    await stack.settle()
    assert "resolved" in stack.slack.responses[-1]["text"]
    ask = stack.slack.find_message(AMB_CHANNEL, ask["ts"]) or {}
    assert buttons(ask) == [] and f"Resolved by <@{ALICE}>" in all_text(ask)
    assert f"resolved by <@{ALICE}>" in all_text(stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {})

    # Now it can be approved (Alice already mentors one group: she is still the only choice).
    updated = await approve(stack, review)
    assert "approved" in updated["text"]
    assert [g.status for g in await groups_in_db(stack)] == ["approved", "approved"]


async def test_overlap_by_distance_and_by_region_without_a_city(gstack: Stack) -> None:
    stack = gstack
    await request_group(stack, coordinates="-36.8485, 174.7633")
    # 20 km away, another name for the place: overlaps by distance.
    await request_group(
        stack, user=DAN, name="North Shore Stackers", city="Takapuna", coordinates="-36.79, 174.77"
    )
    assert "km apart" in all_text(reviews(stack)[-1]) and "#1" in all_text(reviews(stack)[-1])
    # Wellington is far: no overlap.
    await request_group(
        stack, user=EVE, name="OpenStack Wellington", city="Wellington", coordinates="-41.29, 174.78"
    )
    assert "Overlaps" not in all_text(reviews(stack)[-1])
    text = await say(stack, MOD, "groups near -36.85, 174.76")
    assert "Auckland" in text and "Takapuna" in text and "Wellington" not in text


async def test_reject_and_needs_changes_reach_the_requester(gstack: Stack) -> None:
    stack = gstack
    await request_group(stack, website="", description="OpenStack.")
    [review] = reviews(stack)
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "group_changes")
    view = await stack.wait_for_view(MOD)
    [reason] = [b for b in view["blocks"] if b.get("block_id") == "reason"]
    assert "a website" in reason["element"]["initial_value"]  # the missing details, prefilled
    await stack.actor.submit_view(
        MOD, view["id"], {"reason": {"reason": "Please add your meetup page and a longer description."}}
    )
    await stack.settle()
    dm = stack.slack.dms_to(BOB)[-1]
    assert "asked for changes" in dm["text"] and "meetup page" in dm["text"]
    assert "changes requested" in (stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {})["text"]

    # Bob opens his request again: the form comes back filled in, with what to fix.
    await stack.actor.slash(BOB, "group request")
    view = await stack.wait_for_view(BOB)
    assert "meetup page" in view_text(view)
    [name] = [b for b in view["blocks"] if b.get("block_id") == "name"]
    assert name["element"]["initial_value"] == "Stackers of Auckland"
    values = {k: {k: v} for k, v in AUCKLAND.items()}
    values["links"] = {"links": "https://meetup.example.org/stackers"}
    await stack.actor.submit_view(BOB, view["id"], values)
    await stack.settle()
    second = reviews(stack)[-1]
    assert second["ts"] != review["ts"] and "(update 1)" in all_text(second)
    assert [g.status for g in await groups_in_db(stack)] == ["pending"]

    # Reject: the standard text links to what a user group is.
    await stack.actor.click(MOD, MOD_CHANNEL, second["ts"], "group_reject")
    view = await stack.wait_for_view(MOD)
    assert WHAT_IS in str(view["blocks"])
    await stack.actor.submit_view(
        MOD, view["id"], {"reason": {"reason": "There is already an official group here."}}
    )
    await stack.settle()
    dm = stack.slack.dms_to(BOB)[-1]
    assert (
        "not accepted" in dm["text"] and "already an official group" in dm["text"] and WHAT_IS in all_text(dm)
    )
    assert [g.status for g in await groups_in_db(stack)] == ["rejected"]


# -- 3. organisers -----------------------------------------------------------------------------


async def test_organiser_added_by_a_non_organiser_is_refused(gstack: Stack) -> None:
    stack = gstack
    await make_ambassador(stack, ALICE)
    await request_group(stack)
    await approve(stack, reviews(stack)[0], forum_group=FORUM_GROUP)

    answer = await say(stack, DAN, f"group organiser add OpenStack Auckland <@{EVE}|eve>")
    assert "Only an organiser of OpenStack Auckland {Stackers} or a moderator" in answer
    # Even an ambassador (Alice, the mentor) is not an organiser.
    assert "Only an organiser" in await say(stack, ALICE, f"group organiser add #1 <@{EVE}>")
    assert await organisers_in_db(stack, 1) == [(BOB, None)]
    assert "group.organiser_add.refused" in await audit_actions(stack)

    # An organiser may; so may a moderator (a forum user becomes an owner of the forum group).
    answer = await say(stack, BOB, f"group organiser add stackers <@{DAN}|dan>")
    assert f"<@{DAN}> is now an organiser" in answer
    answer = await say(stack, MOD, "group organiser add OpenStack Auckland {Stackers} frank")
    assert "frank is now an organiser" in answer and "becomes an owner" in answer
    assert "already an organiser" in await say(stack, DAN, f"group organiser add #1 <@{DAN}>")
    await stack.settle()
    assert await organisers_in_db(stack, 1) == [(BOB, None), (DAN, None), (None, "frank")]
    assert stack.forum.groups[FORUM_GROUP].owners == {"frank"}
    assert "added you as an organiser" in stack.slack.dms_to(DAN)[-1]["text"]
    listing = await say(stack, EVE, "groups")
    assert "OpenStack Auckland {Stackers}" in listing and f"<@{DAN}>" in listing and "forum: frank" in listing


# -- 4. the official group handover ------------------------------------------------------------


async def test_full_handover_ends_with_one_recognition_message_per_leader(gstack: Stack) -> None:
    stack = gstack
    await make_ambassador(stack, ALICE)
    await request_group(stack, organisers=(DAN,), organisers_forum="frank")
    await approve(stack, reviews(stack)[0])
    msg = handover_message(stack)
    assert "0 of 8" in msg["text"]

    # Each step knows who may complete it.
    assert "can only be ticked by an ambassador" in await click_step(stack, BOB, "requirements_ambassador")
    assert "community manager" in await click_step(stack, MOD, "requirements_manager")
    assert "Done:" in await click_step(stack, ALICE, "requirements_ambassador")
    assert "Done:" in await click_step(stack, CM, "requirements_manager")
    assert "Done:" in await click_step(stack, ALICE, "logo_requested")  # the mentor

    # The logo: an organiser gives the link in a modal.
    await stack.actor.click(BOB, MOD_CHANNEL, msg["ts"], "group_step", block_id="step_logo_received")
    view = await stack.wait_for_view(BOB)
    await stack.actor.submit_view(BOB, view["id"], {"value": {"value": "a logo"}})
    assert "https://" in (stack.actor.last_view_errors or {}).get("value", "")
    await stack.actor.submit_view(BOB, view["id"], {"value": {"value": "https://files.example.org/logo.svg"}})
    await stack.settle()
    assert "https://files.example.org/logo.svg" in str(handover_message(stack)["blocks"])

    assert "Done:" in await click_step(stack, MOD, "portal_updated")
    assert "Done:" in await click_step(stack, CM, "logo_pack_sent")
    assert "Done:" in await click_step(stack, ALICE, "address_asked")
    assert recognitions(stack, BOB) == [] and stack.forum.pms_to("frank") == []

    # The last step, clicked twice at once (a double click): one completion, one recognition each.
    msg = handover_message(stack)
    await asyncio.gather(
        stack.actor.click(CM, MOD_CHANNEL, msg["ts"], "group_step", block_id="step_swag_mailed"),
        stack.actor.click(CM, MOD_CHANNEL, msg["ts"], "group_step", block_id="step_swag_mailed"),
    )
    await stack.settle()
    texts = [r.get("text", "") for r in stack.slack.responses[-2:]]
    assert (
        sum("is official" in t for t in texts) == 1
        and sum("already done" in t or "a moment ago" in t for t in texts) == 1
    )
    # …and a later click on a step that is done changes nothing either.
    with pytest.raises(Conflict, match="already done"):
        await stack.runtime.services.groups.complete_step(CM, 1, "swag_mailed")
    await stack.settle()

    for leader in (BOB, DAN):
        [dm] = recognitions(stack, leader)
        assert (
            f"Congratulations, <@{leader}>! OpenStack Auckland {{Stackers}} is now an official OpenStack"
            in dm["text"]
        )
    [pm] = stack.forum.pms_to("frank")
    assert "Congratulations, frank! OpenStack Auckland {Stackers}" in pm["raw"]
    assert recognitions(stack, ALICE) == [] and recognitions(stack, MOD) == []
    final = handover_message(stack)
    assert "8 of 8" in final["text"] and "official" in final["text"]
    assert not any(b.get("accessory") for b in final["blocks"])
    assert any("is now an official user group" in m["text"] for m in stack.slack.messages_in(MOD_CHANNEL))
    [group] = await groups_in_db(stack)
    assert group.status == "official" and group.official_at is not None
    assert "official" in await say(stack, BOB, "groups status official")


# -- 5. automatic approval (off by default) ----------------------------------------------------


async def test_automatic_approval_is_off_by_default_and_an_objection_stops_it(db_url: str) -> None:
    async for stack in _stack(db_url, auto_approve_hours=24):
        await make_ambassador(stack, ALICE)
        await request_group(stack)
        await request_group(stack, user=DAN, name="OpenStack Christchurch", city="Christchurch")
        first, second = reviews(stack)
        assert "group_object" in buttons(first) and "automatically after 24 hours" in all_text(first)
        await stack.actor.click(ALICE, MOD_CHANNEL, second["ts"], "group_object")
        await stack.settle()
        assert "won't be approved automatically" in stack.slack.responses[-1]["text"]

        groups = stack.runtime.services.groups
        assert await groups.auto_approve_due(datetime.now(UTC) + timedelta(hours=1)) == []
        assert await groups.auto_approve_due(datetime.now(UTC) + timedelta(hours=25)) == [1]
        await stack.settle()
        assert [(g.status, g.mentor_slack_id, g.decided_by) for g in await groups_in_db(stack)] == [
            ("approved", ALICE, "bot"),
            ("pending", None, None),
        ]
        assert "was approved" in stack.slack.dms_to(BOB)[-1]["text"]

    async for stack in _stack(db_url):
        await request_group(stack)
        assert "group_object" not in buttons(reviews(stack)[0])
        assert await stack.runtime.services.groups.auto_approve_due() == []


# -- 6. lists and exports ----------------------------------------------------------------------


async def test_lists_and_csv_export(gstack: Stack, tmp_path: Path) -> None:
    stack = gstack
    await make_ambassador(stack, ALICE)
    await request_group(stack, organisers_forum="frank")
    await approve(stack, reviews(stack)[0])
    await request_group(stack, user=DAN, name="OpenStack Wellington", city="Wellington")

    listing = await say(stack, EVE, "groups")
    assert "OpenStack Auckland {Stackers}" in listing and "Wellington" not in listing
    assert f"mentor <@{ALICE}>" in listing
    pending = await say(stack, EVE, "groups status pending")
    assert "OpenStack Wellington" in pending and "Auckland" not in pending
    assert "Wellington" in await say(stack, EVE, "groups near wellington")
    assert "none" in await say(stack, EVE, "groups near Tokyo")

    rows = list(csv.DictReader(io.StringIO(await stack.runtime.services.groups.export_csv())))
    assert [(r["title"], r["status"], r["mentor_slack_id"]) for r in rows] == [
        ("OpenStack Auckland {Stackers}", "approved", ALICE),
        ("OpenStack Wellington", "pending", ""),
    ]
    assert rows[0]["mentor_name"] == "Alice Example"
    assert rows[0]["organisers"] == f"slack:{BOB}; forum:frank" and rows[0]["handover_done"] == "0/8"

    # The same export from the command line, into a file or to stdout.
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{stack.settings.database.url}"\n', encoding="utf-8")
    out = tmp_path / "groups.csv"
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["--config", str(config), "export", "groups", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 2 user groups" in result.output
    assert [r["title"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))] == [
        "OpenStack Auckland {Stackers}",
        "OpenStack Wellington",
    ]
    printed = await asyncio.to_thread(CliRunner().invoke, main, ["--config", str(config), "export", "groups"])
    assert printed.exit_code == 0 and printed.output.startswith("id,title,requested_name,status")
