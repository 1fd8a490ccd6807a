"""Every moderator-only action, tried by someone who is not a moderator, over real signed HTTP.

The matrix below is checked against the code's own registries (the HELP list of `/ambassador`
subcommands and every button and form the Slack app registers), so a new moderator action that
nobody put in the matrix fails `test_the_matrix_covers_every_action`. For each action, an active
ambassador and a stranger try it: the answer is a clear refusal (no 5xx, no traceback), nothing
changes (every table but the audit log, the outbox, and what Slack and the forum were asked to do),
and the refusal is in the audit log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from bot.program.backup import BackupService
from bot.program.commands import HELP
from bot.program.ports import SystemClock
from bot.sandbox.harness.stack import ALICE, BOB, MOD, MOD_CHANNEL, Stack, start_stack
from handlers.slack import register
from storage.models import AuditEntry
from tests.e2e.lifecycle import buttons, make_ambassador, say
from tests.e2e.test_events import MEETUP
from tests.e2e.test_requests import HARDWARE, SWAG, review_messages, send_request

EVE, DAN = "U0EVE", "U0DAN"  # a stranger (never applied) and someone nominated
PUBLIC, SELF, REVIEWER, MODERATOR = (
    "anyone",
    "the person concerned",
    "ambassadors and moderators",
    "moderators",
)

# Every button (action_id) and form (callback_id) the Slack app registers, and who may use it.
ACCESS: dict[str, str] = {
    "application_submit": PUBLIC,
    "application_approve": MODERATOR,
    "application_reject": MODERATOR,
    "application_reject_reason": MODERATOR,
    "onboarding_ack_guidelines": SELF,
    "onboarding_step_done": SELF,
    "onboarding_moderator_tick": MODERATOR,
    "nomination_invite": MODERATOR,
    "nomination_decline": MODERATOR,
    "nomination_apply": SELF,
    "profile_submit": SELF,
    "retire_confirm": SELF,
    "retire_cancel": SELF,
    "event_rsvp_going": PUBLIC,
    "event_rsvp_maybe": PUBLIC,
    "event_rsvp_no": PUBLIC,
    "office_hours_book": PUBLIC,
    "office_hours_cancel": SELF,
    "renewal_start": SELF,
    "renewal_submit": SELF,
    "event_form_submit": MODERATOR,
    "group_request_submit": PUBLIC,
    "group_approve": REVIEWER,
    "group_approve_submit": REVIEWER,
    "group_reject": REVIEWER,
    "group_changes": REVIEWER,
    "group_reason_submit": REVIEWER,
    "group_ask_ambassadors": REVIEWER,
    "group_conflict_resolved": REVIEWER,
    "group_object": REVIEWER,
    "group_step": REVIEWER,  # the handover step's own roles (mentor, community manager, ...)
    "group_step_submit": REVIEWER,
    "request_submit": PUBLIC,
    "request_approve": MODERATOR,
    "request_close": MODERATOR,
    "request_reject": MODERATOR,
    "request_ask": MODERATOR,
    "request_answer": SELF,
    "request_note": MODERATOR,  # the reject / ask form (the requester's answer form is SELF)
}


class _Recorder:
    """Stands in for the Bolt app: records every listener `handlers.slack.register` wires."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def __getattr__(self, method: str) -> Callable[..., Callable[[Any], Any]]:
        def listener(*args: Any, **_: Any) -> Callable[[Any], Any]:
            if method in ("action", "view") and args:
                self.ids.update(_expand(args[0]))
            return lambda fn: fn

        return listener


def _expand(matcher: Any) -> set[str]:
    """An action id, or the ids a pattern like ^(a|b)$ or ^x_(c|d)$ stands for."""
    if isinstance(matcher, str):
        return {matcher}
    pattern = matcher.pattern.strip("^$")
    m = re.fullmatch(r"(.*)\(([^()]*)\)(.*)", pattern)
    if m is None:
        return {pattern}
    return {f"{m.group(1)}{alt}{m.group(3)}" for alt in m.group(2).split("|")}


def registered_ids() -> set[str]:
    recorder = _Recorder()
    register(recorder, "/ambassador")  # type: ignore[arg-type]
    return recorder.ids


def next_meetup() -> str:
    """The first Thursday of next month (an occurrence of MEETUP, in the future)."""
    today = datetime.now(UTC).date()
    first = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return (first + timedelta(days=(3 - first.weekday()) % 7)).isoformat()


# Every moderator-only line of `/ambassador help`, and the commands that try it.
SLASH: dict[str, list[str]] = {
    "event add | edit <key> | cancel <key> <date> [reason] | skip <key> <date>": [
        "event add",
        "event edit meetup",
        f"event cancel meetup {next_meetup()} Holiday",
        f"event skip meetup {next_meetup()}",
    ],
    "onboarding @user": [f"onboarding <@{BOB}>"],
    "onboarding stuck": ["onboarding stuck"],
    "onboarding done @user <step>": [f"onboarding done <@{ALICE}> announced"],
    "link @user <forum-username>": [f"link <@{BOB}> bob"],
    "badge grant @user <badge> [reason <forum link>]": [f"badge grant <@{ALICE}> Ambassador"],
    "badge revoke @user <badge>": [f"badge revoke <@{ALICE}> Ambassador"],
    "audit @user": [f"audit <@{ALICE}>"],
    "requests open": ["requests open"],
    "report": ["report"],
    "export ambassadors|applications|requests|groups|audit [csv|json]": [
        f"export {k} {f}"
        for k in ("ambassadors", "applications", "requests", "groups", "audit")
        for f in ("csv", "json")
    ],
}


def test_the_matrix_covers_every_action() -> None:
    assert set(SLASH) == {e.usage for e in HELP if e.moderator_only}
    assert registered_ids() == set(ACCESS), "classify the new button or form in ACCESS (and test it)"
    tried = {a.action_id for a in ACTIONS} | {v.callback_id for v in FORMS}
    assert tried == {k for k, who in ACCESS.items() if who == MODERATOR}


REFUSAL = re.compile(r"only moderators|only .*moderators|not allowed|can't|cannot", re.IGNORECASE)
SIDE_EFFECTS = (
    "chat.postMessage",
    "chat.update",
    "chat.delete",
    "views.publish",
    "files.completeUploadExternal",
    "conversations.invite",
)


@dataclass(frozen=True)
class World:
    bob_review: dict[str, Any]
    nomination_review: dict[str, Any]
    hw_review: dict[str, Any]
    swag_review: dict[str, Any]
    checklist: dict[str, Any]  # a moderator's view of Alice's onboarding (an ephemeral answer)


async def build_world(stack: Stack) -> World:
    stack.slack.add_user(EVE, "eve")
    stack.slack.add_user(DAN, "dan")
    await make_ambassador(stack, ALICE)
    bob_review = await stack.apply(BOB, name="Bob Example", forum_username="bob")
    assert "nominat" in (await say(stack, ALICE, f"nominate <@{DAN}> runs the Porto meetup")).lower()
    await stack.settle()
    [nomination] = [m for m in stack.slack.messages_in(MOD_CHANNEL) if "nominates" in m.get("text", "")]
    await send_request(stack, ALICE, "hardware", HARDWARE)
    await send_request(stack, ALICE, "swag", SWAG)
    hw, swag = review_messages(stack)[-2:]
    await stack.actor.click(MOD, MOD_CHANNEL, swag["ts"], "request_approve")
    await stack.settle()
    swag = stack.slack.find_message(MOD_CHANNEL, swag["ts"]) or swag
    assert buttons(swag) == ["request_close"], buttons(swag)
    checklist = (await stack.actor.slash(MOD, f"onboarding <@{ALICE}>", MOD_CHANNEL)).json()
    checklist["ts"] = "1800000000.000001"  # as Slack keeps the ephemeral answer to click in
    stack.slack.ephemerals.append(
        {**checklist, "channel": MOD_CHANNEL, "user": MOD, "message_ts": checklist["ts"]}
    )
    return World(bob_review, nomination, hw, swag, checklist)


async def snapshot(stack: Stack) -> str:
    """Every table but the audit log (where the refusal goes), as one text."""
    data = await BackupService(stack.runtime.uow, SystemClock()).dump()
    return json.dumps([t for t in data["tables"] if t["name"] != "audit_log"], sort_keys=True, default=str)


def changed_tables(before: str, after: str) -> str:
    """Which rows differ between two snapshots, column by column (for the failure report)."""
    old = {t["name"]: t for t in json.loads(before)}
    new = {t["name"]: t for t in json.loads(after)}
    out = []
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name) or {}, new.get(name) or {}
        if a == b:
            continue
        cols = b.get("columns") or a.get("columns") or []
        rows_a, rows_b = a.get("rows") or [], b.get("rows") or []
        for i in range(max(len(rows_a), len(rows_b))):
            ra = rows_a[i] if i < len(rows_a) else None
            rb = rows_b[i] if i < len(rows_b) else None
            if ra == rb:
                continue
            if ra is None or rb is None:
                out.append(f"{name} row {i}: {json.dumps(ra)[:300]} -> {json.dumps(rb)[:300]}")
                continue
            diff = {c: (x, y) for c, x, y in zip(cols, ra, rb, strict=False) if x != y}
            out.append(f"{name} row {i} (id {ra[0]}): {json.dumps(diff, default=str)[:400]}")
    return "; ".join(out)


async def refusals(stack: Stack) -> list[AuditEntry]:
    async with stack.runtime.uow() as uow:
        rows = (await uow.session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        return [a for a in rows if a.action.endswith(".refused")]


def side_effects(stack: Stack) -> list[Any]:
    slack = [c for c in stack.slack.calls if c[0] in SIDE_EFFECTS]
    forum = [c for c in stack.forum.calls if c[0] != "GET"]
    return [len(slack), len(forum)]


async def what_they_saw(stack: Stack, resp: httpx.Response, user: str, since: tuple[int, int]) -> str:
    """The HTTP answer, plus what reached them after: response_url posts, ephemerals, modals."""
    await stack.listeners_done()
    calls, answers = since
    seen = [resp.text]
    for method, params in stack.slack.calls[calls:]:
        if method in ("chat.postEphemeral", "views.open", "views.update", "views.push"):
            seen.append(json.dumps(params, ensure_ascii=False))
    seen += [json.dumps(r, ensure_ascii=False) for r in stack.slack.responses[answers:]]
    return "\n".join(seen)


Attempt = Callable[[Stack, World, str], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Action:
    action_id: str
    message: Callable[[World], dict[str, Any]]


ACTIONS = (
    Action("application_approve", lambda w: w.bob_review),
    Action("application_reject", lambda w: w.bob_review),
    Action("nomination_invite", lambda w: w.nomination_review),
    Action("nomination_decline", lambda w: w.nomination_review),
    Action("request_approve", lambda w: w.hw_review),
    Action("request_reject", lambda w: w.hw_review),
    Action("request_ask", lambda w: w.hw_review),
    Action("request_close", lambda w: w.swag_review),
    Action("onboarding_moderator_tick", lambda w: w.checklist),
)


@dataclass(frozen=True)
class Form:
    """A moderator's form: the moderator opens it (setup), someone else submits it (forged)."""

    callback_id: str
    open_as_moderator: Callable[[Stack, World], Awaitable[None]]
    values: dict[str, str]


async def _open_reject(stack: Stack, w: World) -> None:
    await stack.actor.click(MOD, MOD_CHANNEL, w.bob_review["ts"], "application_reject")


async def _open_event(stack: Stack, w: World) -> None:
    await stack.actor.slash(MOD, "event add")


async def _open_note(stack: Stack, w: World) -> None:
    await stack.actor.click(MOD, MOD_CHANNEL, w.hw_review["ts"], "request_reject")


EVENT_VALUES = {
    "key": "hack-night",
    "title": "Hack night",
    "kind": "meetup",
    "rrule": "FREQ=MONTHLY;BYDAY=2TU",
    "start": "2027-01-12 18:00",
    "timezone": "Europe/Lisbon",
    "duration_minutes": "90",
}
FORMS = (
    Form("application_reject_reason", _open_reject, {"reason": "Not a fit, says a forged form"}),
    Form("event_form_submit", _open_event, EVENT_VALUES),
    Form("request_note", _open_note, {"note": "Forged rejection"}),
)


async def _form_values(
    stack: Stack, view: dict[str, Any], values: dict[str, str]
) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for inp in stack.actor.form_view_inputs(view["id"]):
        value = values.get(inp.block_id) or values.get(inp.action_id)
        if value is None and not inp.optional:
            value = next(iter(values.values()))
        if value is not None:
            out[inp.block_id] = {inp.action_id: value}
    return out


async def test_non_moderators_are_refused_everything_and_nothing_changes(db_url: str) -> None:
    # The reminder sweep is held off: what it decides on its own (a meetup reminder that came due
    # by the wall clock) is a change to the database that no refused attempt made.
    async with start_stack(db_url, events=[MEETUP], reminders={"sweep_seconds": 3600}) as stack:
        world = await build_world(stack)
        await stack.settle()
        attempts: list[tuple[str, Callable[[str], Awaitable[httpx.Response]]]] = []
        for texts in SLASH.values():
            for text in texts:
                attempts.append((f"/ambassador {text}", lambda u, t=text: stack.actor.slash(u, t)))
        for a in ACTIONS:
            msg = a.message(world)
            attempts.append(
                (a.action_id, lambda u, m=msg, i=a.action_id: stack.actor.click(u, MOD_CHANNEL, m["ts"], i))
            )
        failures: list[str] = []
        for who in (ALICE, EVE):  # an active ambassador, and a stranger
            for name, attempt in attempts:
                failures += await try_one(stack, who, name, attempt)
            for form in FORMS:
                stack.slack.clear_views(MOD)
                await form.open_as_moderator(stack, world)
                view = await stack.wait_for_view(MOD)
                assert view["callback_id"] == form.callback_id
                values = await _form_values(stack, view, form.values)

                async def submit(
                    u: str, v: dict[str, Any] = view, vals: dict[str, Any] = values
                ) -> httpx.Response:
                    return await stack.actor.submit_view(u, v["id"], vals)

                failures += await try_one(stack, who, form.callback_id, submit)
        assert not failures, "\n".join(failures)


async def try_one(
    stack: Stack, who: str, name: str, attempt: Callable[[str], Awaitable[httpx.Response]]
) -> list[str]:
    await stack.settle()
    before, effects, audited = await snapshot(stack), side_effects(stack), len(await refusals(stack))
    since = (len(stack.slack.calls), len(stack.slack.responses))
    resp = await attempt(who)
    seen = await what_they_saw(stack, resp, who, since)
    await stack.settle()
    problems = []
    if resp.status_code >= 500 or "Traceback" in seen:
        problems.append(f"{name} by {who}: HTTP {resp.status_code} {seen[:300]}")
    if not REFUSAL.search(seen):
        problems.append(f"{name} by {who}: no clear refusal in {seen[:400]!r}")
    after = await snapshot(stack)
    if after != before:
        problems.append(f"{name} by {who}: the database changed: {changed_tables(before, after)}")
    if side_effects(stack) != effects:
        problems.append(f"{name} by {who}: Slack or the forum was asked to change something")
    new = (await refusals(stack))[audited:]
    if not any(a.actor == who for a in new):
        problems.append(f"{name} by {who}: the refusal is not in the audit log")
    return problems
