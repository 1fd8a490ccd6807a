"""`ambassador-bot sandbox`: the real bot on loopback, with stand-ins for Slack and Discourse,
driven from a terminal (or a scenario file) as any named user."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from bot.config import Settings, settings_from_mapping
from bot.runtime import Runtime
from bot.sandbox.discourse import DiscourseActor, DiscourseStandIn, post_payload, user_badge_payload
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackActor, SlackStandIn
from bot.sandbox.world import build_standins
from bot.server import create_app

SIGNING_SECRET = "sandbox-signing-secret"  # noqa: S105 - sandbox-only credentials
BOT_TOKEN = "xoxb-sandbox"  # noqa: S105
FORUM_KEY = "sandbox-forum-key"
WEBHOOK_SECRET = "sandbox-webhook-secret"  # noqa: S105

# name -> (Slack user id, forum username, moderator?)
PEOPLE: dict[str, tuple[str, str, bool]] = {
    "alice": ("U0ALICE", "alice", False),
    "bob": ("U0BOB", "bob", False),
    "carol": ("U0CAROL", "carol", True),
}
CHANNELS = {"C0MODS": "moderators", "C0AMBS": "ambassadors", "C0GENERAL": "general"}
BADGE_ID, GROUP = 101, "ambassadors"
INTRO_TOPIC, GENERAL_TOPIC = 20, 21

HELP = """\
Sandbox commands (you act as one person at a time):
  as <name>                  become alice, bob or carol (carol is a moderator)
  /ambassador <text>         type the slash command, e.g. /ambassador apply
  fill <field>=<value>       fill a field of the open form, e.g. fill name=Alice Example
  submit                     submit the open form (interactive mode asks for each field)
  cancel                     close the open form
  click <button>             press a button you can see, e.g. click Approve
  forum intro <text>         post your introduction in the forum's intro topic
  forum pm <text>            send the bot a private message on the forum, e.g. forum pm status
  forum post <text>          post in a forum topic, e.g. forum post @system help
  forum grant <badge>        a forum moderator grants you a badge by hand
  forum ping                 send a signed Discourse ping webhook to the bot
  show <channel>|dms|forum   show a channel's messages, your DMs, or the forum's state
  sweep                      run the reminder sweep now (it also runs by itself every 30 s)
  wait                       let the bot finish delivering (done after every step anyway)
  help, quit
"""

Echo = Callable[[str], None]


@dataclass
class Sandbox:
    settings: Settings
    slack: SlackStandIn
    forum: DiscourseStandIn
    actor: SlackActor
    forum_actor: DiscourseActor
    runtime: Runtime
    echo: Echo
    me: str = "alice"
    form: dict[str, str] = field(default_factory=dict)
    _slack_seen: int = 0
    _forum_seen: int = 0
    _responses_seen: int = 0
    _failures_seen: set[int] = field(default_factory=set)

    # -- helpers -------------------------------------------------------------------------------

    @property
    def uid(self) -> str:
        return PEOPLE[self.me][0]

    def name_of(self, uid: str) -> str:
        for name, (u, _f, _m) in PEOPLE.items():
            if u == uid:
                return name
        return uid

    def channel_label(self, channel: str) -> str:
        if channel in CHANNELS:
            return "#" + CHANNELS[channel]
        if channel.startswith("D"):
            info = self.slack.channels.get(channel) or {}
            return f"DM to {self.name_of(str(info.get('user', channel[1:])))}"
        if channel.startswith(("U", "W")):
            return f"DM to {self.name_of(channel)}"
        return channel

    def _mentions(self, text: str) -> str:
        # Slack shows <!date^...|fallback> in the reader's timezone; the terminal shows the fallback.
        text = re.sub(r"<!date\^\d+\^[^|>]*\|([^>]*)>", r"\1", text)
        for name, (uid, _f, _m) in PEOPLE.items():
            text = text.replace(f"<@{uid}>", f"@{name}")
        for cid, cname in CHANNELS.items():
            text = text.replace(f"<#{cid}>", f"#{cname}")
        return text

    def _message_lines(self, text: str, blocks: Any) -> list[str]:
        shown = _block_texts(blocks)
        lines = [self._mentions(t) for t in shown] if shown else [self._mentions(text)]
        buttons = _buttons(blocks)
        if buttons:
            lines.append("buttons: " + ", ".join(f"[{b}]" for b in buttons))
        return lines

    def _print(self, label: str, lines: list[str]) -> None:
        first, *rest = [ln for chunk in lines for ln in str(chunk).splitlines()] or [""]
        self.echo(f"  [{label}] {first}")
        for ln in rest:
            self.echo(f"      {ln}")

    def _show_view(self, view: dict[str, Any], verb: str) -> None:
        title = ((view.get("title") or {}).get("text")) or "form"
        lines = [f"{verb}: {title}"]
        for block in view.get("blocks", []):
            if block.get("type") == "section":
                lines.append(self._mentions((block.get("text") or {}).get("text", "")))
            if block.get("type") == "input":
                label = (block.get("label") or {}).get("text", "")
                opt = " (optional)" if block.get("optional") else ""
                lines.append(f"  • {block.get('block_id')}: {label}{opt}")
        if any(b.get("type") == "input" for b in view.get("blocks", [])):
            lines.append("fill the fields with `fill <field>=<value>`, then `submit`")
        self._print(f"form for {self.me}", lines)

    def flush(self) -> None:
        """Print everything the bot did on Slack and on the forum since the last look."""
        calls = self.slack.calls[self._slack_seen :]
        self._slack_seen += len(calls)
        for method, params in calls:
            if method == "chat.postMessage":
                self._print(
                    self.channel_label(str(params.get("channel", ""))),
                    self._message_lines(str(params.get("text", "")), params.get("blocks")),
                )
            elif method == "chat.update":
                self._print(
                    self.channel_label(str(params.get("channel", ""))) + ", edited",
                    self._message_lines(str(params.get("text", "")), params.get("blocks")),
                )
            elif method == "chat.postEphemeral":
                self._print(
                    f"only {self.name_of(str(params.get('user', '')))} sees",
                    self._message_lines(str(params.get("text", "")), params.get("blocks")),
                )
            elif method in ("views.open", "views.update", "views.push"):
                view = _as_dict(params.get("view"))
                owner_view = self.slack.last_view_for(self.uid)
                if owner_view is not None:
                    view = owner_view
                self._show_view(view, "form opened" if method != "views.update" else "form changed")
        responses = self.slack.responses[self._responses_seen :]
        self._responses_seen += len(responses)
        for r in responses:
            body = r.get("body", r)
            self._print(
                f"only {self.me} sees", self._message_lines(str(body.get("text", "")), body.get("blocks"))
            )
        forum_calls = self.forum.calls[self._forum_seen :]
        self._forum_seen += len(forum_calls)
        for call in forum_calls:
            method, path, params, status = call[0], call[1], call[2], call[3]
            self._print("forum", [f"{method} {path} → {status}"])
            if method == "POST" and path.startswith("/posts") and status == 200:
                topic = params.get("topic_id")
                where = f"topic {topic}" if topic else "a new private message"
                self._print(f"bot posts on the forum, {where}", [str(params.get("raw", ""))])

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait for the outbox to deliver what is due now."""
        from sqlalchemy import func, select

        from storage.models import OutboxMessage

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self.runtime.uow() as uow:
                stmt = select(func.count()).where(
                    OutboxMessage.status.in_(("pending", "in_flight")),
                    OutboxMessage.next_attempt_at <= self.runtime.clock.now(),
                )
                waiting = int((await uow.session.execute(stmt)).scalar_one())
            if not waiting and not listeners_running():
                break
            self.runtime.worker.kick()
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.05)

    async def report_failures(self) -> None:
        """Deliveries the platforms refused for good, as a moderator would see them in doctor."""
        async with self.runtime.uow() as uow:
            failures = await uow.outbox.failures(20)
        for f in reversed(failures):
            if f.status == "failed" and f.id not in self._failures_seen:
                self._failures_seen.add(f.id)
                self._print(
                    "delivery failed", [f"{f.kind}: {f.last_error}", "(`ambassador-bot doctor` shows these)"]
                )

    # -- commands ------------------------------------------------------------------------------

    async def do(self, line: str, interactive: bool = False) -> bool:
        """Run one line. False means quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        cmd = self.settings.slack.command
        try:
            if word == cmd or line.startswith("/"):
                if word != cmd:
                    self.echo(f"  (the bot's command is {cmd})")
                    return True
                resp = await self.actor.slash(self.uid, rest)
                self._show_http(resp)
            elif word == "as":
                name = rest.strip().lower()
                if name not in PEOPLE:
                    self.echo(f"  who is {name!r}? choose one of: {', '.join(PEOPLE)}")
                    return True
                self.me, self.form = name, {}
                role = " (moderator)" if PEOPLE[name][2] else ""
                self.echo(f"  you are now {name}{role}")
            elif word == "fill":
                key, eq, value = rest.partition("=")
                if not eq:
                    self.echo("  usage: fill <field>=<value>")
                    return True
                self.form[key.strip()] = value.strip()
            elif word == "submit":
                await self._submit(interactive)
            elif word == "cancel":
                view = self.slack.last_view_for(self.uid)
                if view is not None:
                    await self.actor.close_view(self.uid, str(view["id"]))
                self.form = {}
                self.echo("  form closed")
            elif word == "click":
                await self._click(rest.strip())
            elif word == "forum":
                await self._forum(rest.strip())
            elif word == "show":
                self._show(rest.strip())
            elif word == "wait":
                pass
            elif word == "sweep":
                done = await self.runtime.services.reminders.sweep()
                self.echo(
                    f"  [scheduler] reminders due now: {len(done.sent)} sent, {len(done.skipped)} skipped"
                )
            elif word in ("help", "?"):
                self.echo(HELP)
            elif word in ("quit", "exit"):
                return False
            else:
                self.echo(f"  unknown sandbox command {word!r}; type help")
                return True
        except ValueError as err:
            self.echo(f"  {err}")
        await self.settle()
        self.flush()
        await self.report_failures()
        return True

    def _show_http(self, resp: Any) -> None:
        if resp.status_code != 200:
            self.echo(f"  [bot answered HTTP {resp.status_code}] {resp.text[:200]}")
            return
        if resp.content and resp.headers.get("content-type", "").startswith("application/json"):
            body = resp.json()
            if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
                self._print(
                    f"only {self.me} sees", self._message_lines(str(body.get("text", "")), body.get("blocks"))
                )
                # Slack shows the answer as an ephemeral message whose buttons can be pressed.
                self.slack.ephemerals.append(
                    {
                        "channel": "C0GENERAL",
                        "user": self.uid,
                        "text": body.get("text", ""),
                        "blocks": body.get("blocks") or [],
                        "message_ts": self.slack._next_ts(),
                        "source": "ack",
                    }
                )

    async def _submit(self, interactive: bool) -> None:
        view = self.slack.last_view_for(self.uid)
        if view is None:
            raise ValueError("no form is open for you")
        inputs = self.actor.form_view_inputs(str(view["id"]))
        if interactive:
            for inp in inputs:
                if inp.block_id not in self.form:
                    label = f"{inp.label}{' (optional)' if inp.optional else ''}: "
                    self.form[inp.block_id] = (await _ask(f"  {label}")).strip()
        values = {
            inp.block_id: {inp.action_id: self.form[inp.block_id]}
            for inp in inputs
            if inp.block_id in self.form
        }
        resp = await self.actor.submit_view(self.uid, str(view["id"]), values)
        if resp.status_code != 200:
            self.echo(f"  [bot answered HTTP {resp.status_code}]")
            return
        body = resp.json() if resp.content else {}
        if body.get("response_action") == "errors":
            for key, msg in body.get("errors", {}).items():
                self.echo(f"  [form] {key}: {msg}")
                self.form.pop(key, None)
            self.echo("  fix those fields and submit again")
            return
        self.form = {}
        if body.get("response_action") == "update":
            self._show_view(body.get("view") or {}, "form changed")

    def _visible_messages(self) -> list[tuple[str, dict[str, Any]]]:
        seen: list[tuple[str, dict[str, Any]]] = []
        for channel, msgs in self.slack.messages.items():
            info = self.slack.channels.get(channel) or {}
            if info.get("is_im") and info.get("user") != self.uid:
                continue
            seen.extend((channel, m) for m in msgs)
        seen.sort(key=lambda cm: float(cm[1].get("ts", "0")))
        return seen

    async def _click(self, label: str) -> None:
        if not label:
            raise ValueError("usage: click <button text>")
        mine = [
            (str(e["channel"]), {**e, "ts": e["message_ts"]})
            for e in self.slack.ephemerals
            if e.get("user") == self.uid
        ]
        candidates = sorted(
            [*self._visible_messages(), *mine], key=lambda cm: float(str(cm[1].get("ts", "0")))
        )
        for channel, msg in reversed(candidates):
            for text, action_id in _button_ids(msg.get("blocks")):
                if label.lower() in (text.lower(), action_id.lower()):
                    resp = await self.actor.click(self.uid, channel, str(msg["ts"]), action_id)
                    if resp.status_code != 200:
                        self.echo(f"  [bot answered HTTP {resp.status_code}]")
                    return
        raise ValueError(f"no button {label!r} in the messages {self.me} can see")

    async def _forum(self, rest: str) -> None:
        """Things people do on the forum; the forum stand-in tells the bot by signed webhook."""
        word, _, text = rest.partition(" ")
        forum_name = PEOPLE[self.me][1]
        user = self.forum.users[forum_name]
        if word == "ping":
            resp = await self.forum_actor.send("ping", {})
            self.echo(f"  [forum → bot] ping webhook → HTTP {resp.status_code}")
            return
        if word in ("intro", "pm", "post") and not text.strip():
            raise ValueError(f"usage: forum {word} <text>")
        if word == "intro":
            await self._forum_post(INTRO_TOPIC, text, "regular", user)
            return
        if word == "pm":
            topic_id = max(self.forum.topics, default=100) + 1
            self.forum.topics[topic_id] = {
                "id": topic_id,
                "title": f"Message from {forum_name}",
                "slug": "message",
                "archetype": "private_message",
                "category_id": None,
                "user_id": user["id"],
                "target_recipients": ["system"],
                "posts_count": 0,
                "created_at": "2026-01-01T00:00:00Z",
            }
            await self._forum_post(topic_id, text, "private_message", user)
            return
        if word == "post":
            await self._forum_post(GENERAL_TOPIC, text, "regular", user)
            return
        if word == "grant":
            badge = next(
                (b for b in self.forum.badges.values() if str(b["name"]).lower() == text.strip().lower()),
                None,
            )
            if badge is None:
                raise ValueError(
                    f"forum badges: {', '.join(str(b['name']) for b in self.forum.badges.values())}"
                )
            ub_id = max((int(ub["id"]) for ub in self.forum.user_badges), default=0) + 1
            self.forum.user_badges.append(
                {
                    "id": ub_id,
                    "user_id": user["id"],
                    "badge_id": badge["id"],
                    "granted_at": "2026-01-01T00:00:00Z",
                    "created_at": "2026-01-01T00:00:00Z",
                    "granted_by_id": -1,
                    "post_id": None,
                    "reason": None,
                }
            )
            payload = user_badge_payload(ub_id, int(badge["id"]), int(user["id"]), -1)
            resp = await self.forum_actor.send("user_badge_granted", payload)
            self.echo(
                f"  [forum → bot] a forum moderator granted {badge['name']} to {forum_name} → {_result(resp)}"
            )
            return
        raise ValueError(
            "forum: ping | intro <text> | pm <text> | post <text mentioning @system> | grant <badge>"
        )

    async def _forum_post(self, topic_id: int, text: str, archetype: str, user: dict[str, Any]) -> None:
        post_id = max((int(p["id"]) for p in self.forum.posts), default=1000) + 1000 + len(self.forum.posts)
        topic = self.forum.topics.get(topic_id)
        if topic is not None:
            topic["posts_count"] = int(topic["posts_count"]) + 1
        number = int(topic["posts_count"]) if topic else 1
        self.forum.posts.append(
            {
                "id": post_id,
                "topic_id": topic_id,
                "username": user["username"],
                "raw": text,
                "cooked": text,
                "post_number": number,
            }
        )
        payload = post_payload(
            post_id,
            str(user["username"]),
            topic_id,
            text,
            post_number=number,
            user_id=int(user["id"]),
            archetype=archetype,
        )
        resp = await self.forum_actor.send("post_created", payload)
        self.echo(f"  [forum → bot] {user['username']} posted in topic {topic_id} → {_result(resp)}")

    def _show(self, what: str) -> None:
        if what == "dms":
            for channel, msg in self._visible_messages():
                if channel.startswith("D"):
                    self._print(
                        self.channel_label(channel),
                        self._message_lines(str(msg.get("text", "")), msg.get("blocks")),
                    )
            return
        if what == "forum":
            for name in ("alice", "bob", "carol"):
                badges = ", ".join(self.forum.badges_of(name)) or "no badges"
                self.echo(f"  {name}: {badges}")
            self.echo(f"  group {GROUP}: {', '.join(sorted(self.forum.members_of(GROUP))) or 'empty'}")
            return
        name = what.lstrip("#")
        cid = next((c for c, n in CHANNELS.items() if n == name), None)
        if cid is None:
            raise ValueError(f"channels: {', '.join('#' + n for n in CHANNELS.values())}; or dms, forum")
        for msg in self.slack.messages_in(cid):
            self._print("#" + name, self._message_lines(str(msg.get("text", "")), msg.get("blocks")))


def listeners_running() -> bool:
    """Bolt acknowledges first and runs listeners in tasks of this loop (the bot is in-process)."""
    for task in asyncio.all_tasks():
        name = getattr(task.get_coro(), "__qualname__", "")
        if not task.done() and "run_ack_function_asynchronously" in name:
            return True
    return False


def _block_texts(blocks: Any) -> list[str]:
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return []
    out: list[str] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind in ("section", "header") and isinstance(block.get("text"), dict):
            out.append(str(block["text"].get("text", "")))
        if kind == "section" and block.get("fields"):
            out.extend(str(f.get("text", "")).replace("\n", ": ", 1) for f in block["fields"])
        if kind == "context":
            out.extend(str(e.get("text", "")) for e in block.get("elements", []) if isinstance(e, dict))
    return out


def _result(resp: Any) -> str:
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}"
    note = body.get("note") or body.get("error") or body.get("result") or ""
    return f"HTTP {resp.status_code} {note}".strip()


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _button_ids(blocks: Any) -> list[tuple[str, str]]:
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return []
    out: list[tuple[str, str]] = []
    for block in blocks or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        if block.get("accessory"):
            elements = [*elements, block["accessory"]]
        for el in elements:
            if el.get("type") == "button":
                out.append(((el.get("text") or {}).get("text", ""), str(el.get("action_id", ""))))
    return out


def _buttons(blocks: Any) -> list[str]:
    return [text for text, _ in _button_ids(blocks)]


async def _ask(prompt: str) -> str:
    if sys.stdin.isatty():
        from prompt_toolkit import PromptSession

        session: PromptSession[str] = PromptSession()
        return await session.prompt_async(prompt)
    return await asyncio.to_thread(input, prompt)


def sandbox_settings(db_url: str, slack_url: str, forum_url: str) -> Settings:
    return settings_from_mapping(
        {
            "database": {"url": db_url},
            "slack": {
                "bot_token": BOT_TOKEN,
                "signing_secret": SIGNING_SECRET,
                "api_url": f"{slack_url}/api/",
                "moderator_channel": "C0MODS",
                "ambassador_channel": "C0AMBS",
                "moderators": [uid for uid, _f, mod in PEOPLE.values() if mod],
            },
            "discourse": {
                "url": forum_url,
                "api_key": FORUM_KEY,
                "api_username": "system",
                "webhook_secret": WEBHOOK_SECRET,
                "ambassador_badge_id": BADGE_ID,
                "ambassador_group": GROUP,
                "intro_topic_id": INTRO_TOPIC,
            },
            "program": {"guidelines_url": "https://example.org/ambassador-guidelines"},
            "events": [
                {
                    "key": "monthly-meetup",
                    "title": "Monthly ambassador meetup",
                    "rrule": "FREQ=MONTHLY;BYDAY=1TH",
                    "start": "2026-01-01T17:00",
                    "timezone": "Europe/London",
                    "host": "U0CAROL",
                    "link": "https://meet.example.org/ambassadors",
                    "reminders": ["7d", "1d", "1h"],
                },
                {
                    "key": "office-hours",
                    "title": "Advocates' office hours",
                    "kind": "office_hours",
                    "rrule": "FREQ=WEEKLY;BYDAY=TU,TH",
                    "start": "2026-01-06T15:00",
                    "timezone": "America/Los_Angeles",
                    "slot_minutes": 20,
                    "host": "U0CAROL",
                    "reminders": ["1h"],
                },
            ],
            "outbox": {
                "poll_seconds": 0.2,
                "lease_seconds": 10,
                "base_backoff_seconds": 1,
                "max_backoff_seconds": 10,
            },
        },
        env={},
    )


def make_standins() -> tuple[SlackStandIn, DiscourseStandIn]:
    slack, forum = build_standins(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        forum_key=FORUM_KEY,
        slack_users=((uid, name) for name, (uid, _f, _m) in PEOPLE.items()),
        channels=CHANNELS.items(),
        forum_users=((username, None) for _uid, username, _m in PEOPLE.values()),
        badges=(("Ambassador", BADGE_ID), ("Speaker", None)),
        group=(GROUP, None),
    )
    for topic_id, title in ((INTRO_TOPIC, "Introduce yourself"), (GENERAL_TOPIC, "General chat")):
        forum.topics[topic_id] = {
            "id": topic_id,
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "archetype": "regular",
            "category_id": 4,
            "user_id": -1,
            "target_recipients": [],
            "posts_count": 1,
            "created_at": "2026-01-01T00:00:00Z",
        }
    return slack, forum


@contextlib.asynccontextmanager
async def open_sandbox(db_url: str | None, port: int, echo: Echo) -> AsyncIterator[Sandbox]:
    slack, forum = make_standins()
    with tempfile.TemporaryDirectory(prefix="ambassador-sandbox-") as tmp:
        url = db_url or f"sqlite+aiosqlite:///{Path(tmp) / 'sandbox.db'}"
        async with slack.serve() as slack_url, forum.serve() as forum_url:
            port = port or free_port()
            settings = sandbox_settings(url, slack_url, forum_url).replace(
                server={"port": port, "public_url": f"http://127.0.0.1:{port}"}
            )
            app = create_app(settings, auto_migrate=True)
            async with serve_asgi(app, port=port) as bot_url:
                async with SlackActor(slack, bot_url, SIGNING_SECRET, settings.slack.command) as actor:
                    forum_actor = DiscourseActor(bot_url, WEBHOOK_SECRET)
                    sb = Sandbox(settings, slack, forum, actor, forum_actor, app.state.runtime, echo)
                    echo(
                        f"Sandbox: bot on {bot_url}, Slack stand-in on {slack_url}, "
                        f"forum stand-in on {forum_url}"
                    )
                    echo("People: alice and bob (members), carol (moderator). Type `help` for commands.")
                    yield sb


def demo_script() -> str:
    return resources.files("bot.sandbox").joinpath("demo.txt").read_text(encoding="utf-8")


async def _play(sb: Sandbox, lines: list[str], echo: Echo) -> bool:
    for line in lines:
        if line.strip():
            echo(f"{sb.me}> {line}" if not line.startswith("#") else line)
        if not await sb.do(line):
            return False
    return True


async def run_sandbox(
    script: str | None, db_url: str | None, port: int, verbose: bool, demo: bool = False
) -> int:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR, format="  (log) %(name)s: %(message)s"
    )

    def echo(text: str) -> None:
        print(text, flush=True)

    async with open_sandbox(db_url, port, echo) as sb:
        if script is not None:
            await _play(
                sb, (await asyncio.to_thread(Path(script).read_text, encoding="utf-8")).splitlines(), echo
            )
            return 0
        if demo:
            if not await _play(sb, demo_script().splitlines(), echo):
                return 0
            if not sys.stdin.isatty():
                return 0
            echo("\nThe demo is done; the sandbox is yours. Try `as bob` and `/ambassador apply`.")
        echo(HELP)
        while True:
            try:
                line = await _ask(f"{sb.me}> ")
            except (EOFError, KeyboardInterrupt):
                echo("")
                break
            if not await sb.do(line, interactive=True):
                break
    return 0
