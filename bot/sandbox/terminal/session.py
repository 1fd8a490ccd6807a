"""The ``Sandbox``: one person at a time typing commands (``as``, ``/ambassador``, ``fill``,
``submit``, ``click``, ``forum``, ``show``, ``sweep`` …); after each, it waits for the bot to
deliver and prints what everyone could see."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox.discourse import DiscourseActor, DiscourseStandIn
from bot.sandbox.slack import SlackActor, SlackStandIn
from bot.sandbox.terminal.cast import PEOPLE
from bot.sandbox.terminal.clock import SandboxClock
from bot.sandbox.terminal.forms import FormCommands
from bot.sandbox.terminal.forum import ForumCommands
from bot.sandbox.terminal.screen import Echo
from bot.sandbox.terminal.timeline import Nights, TimeCommands

HELP = """\
Sandbox commands (you act as one person at a time):
  as <name>                  become alice, bob, carol (a moderator) or dave
  as dave                    dave has a forum account but none on Slack: only `forum …` works for him
  /ambassador <text>         type the slash command, e.g. /ambassador apply
  fill <field>=<value>       fill a field of the open form, e.g. fill name=Alice Example
                             (a choice by number or text: fill mentor=2; a person: fill host=@carol)
  submit                     submit the open form (interactive mode asks for each field)
  cancel                     close the open form
  click <button>             press a button you can see, e.g. click Approve
  click <button> <n>, click <n>  the n-th button of that name, or the n-th listed by `buttons`
  buttons                    list the buttons you can see, numbered (where, and which message)
  forum intro <text>         post your introduction in the forum's intro topic
  forum pm <text>            send the bot a private message on the forum, e.g. forum pm status
  forum post <text>          post in a forum topic, e.g. forum post @system help
  forum grant <badge>        a forum moderator grants you a badge by hand
  forum revoke <badge>       a forum moderator revokes your badge by hand, e.g. forum revoke Ambassador
  forum remove               a forum moderator removes you from the ambassadors group by hand
  forum ping                 send a signed Discourse ping webhook to the bot
  show <channel>|dms|forum   show a channel's messages, your DMs, or the forum's state
  show home                  open your Home tab in Slack (it is shown again when it changes)
                             then `buttons` lists its buttons too ("in your Home tab"), e.g. click Going 1
  sweep                      run the reminder sweep now (it also runs by itself every 30 s)
  advance <duration>         let time pass: 30m, 6h, 3d, 1w, 2y; everything due on the way
                             happens in order (reminders, lapses, nudges, digests, auto-approval)
  now                        show the sandbox's clock (UTC and your timezone)
  expect <text>              the next line's answer must contain <text> (also a refusal); in a
                             --script a line that fails stops the script unless expected
  wait                       let the bot finish delivering (done after every step anyway)
  help, quit
"""

Command = Callable[["Sandbox", str, bool], Awaitable[None]]


class Usage(Exception):
    """A command typed wrong: the sandbox says so and does nothing else (no wait, no flush)."""


@dataclass
class Sandbox(TimeCommands, ForumCommands, FormCommands):
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
    clock: SandboxClock = field(default_factory=SandboxClock)
    nights: Nights = field(default_factory=Nights)
    failure: str | None = None
    _expect: str | None = None
    _homes_shown: dict[str, str] = field(default_factory=dict)

    async def do(self, line: str, interactive: bool = False) -> bool:
        """Run one line. False means quit. ``failure`` says afterwards why the line failed (an
        unknown command, a usage error, a refusal, a bot answer other than HTTP 200, an
        ``expect`` not met), or is None."""
        line = line.strip()
        self.failure = None
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        if word in ("quit", "exit"):
            return False
        if word == "expect":
            self._expect = rest.strip() or None
            if self._expect is None:
                self.failure = "usage: expect <text the next line's answer contains>"
                self.echo(f"  {self.failure}")
            return True
        expected, self._expect = self._expect, None
        shown: list[str] = []
        echo = self.echo

        def capture(text: str) -> None:
            shown.append(text)
            echo(text)

        self.echo = capture
        try:
            refused = await self._refusals()
            problem = await self._run(line, word, rest, interactive)
            if problem is None and await self._refusals() > refused:
                problem = "the bot refused it"
        finally:
            self.echo = echo
        problem = problem or _problem_shown(shown)
        if expected is not None:
            met = expected.lower() in "\n".join(shown).lower()
            problem = None if met else f"expected {expected!r} in the answer"
        self.failure = problem
        return True

    async def _run(self, line: str, word: str, rest: str, interactive: bool) -> str | None:
        cmd = self.settings.slack.command
        if line.startswith("/") and word != cmd:
            self.echo(f"  (the bot's command is {cmd})")
            return f"the bot's command is {cmd}"
        command = _COMMANDS.get("/" if word == cmd else word)
        if command is None:
            self.echo(f"  unknown sandbox command {word!r}; type help")
            return f"unknown sandbox command {word!r}"
        problem = None
        try:
            await command(self, rest, interactive)
        except Usage as err:
            self.echo(f"  {err}")
            return str(err)
        except ValueError as err:
            self.echo(f"  {err}")
            problem = str(err)
        await self.settle()
        self.flush()
        await self.report_failures()
        return problem

    async def _refusals(self) -> int:
        """Refusals the bot has audited (bot/program/permissions.py: ``<action>.refused``)."""
        from sqlalchemy import func, select

        from storage.models import AuditEntry

        async with self.runtime.uow() as uow:
            stmt = select(func.count(AuditEntry.id)).where(AuditEntry.action.like("%.refused"))
            return int((await uow.session.execute(stmt)).scalar_one())

    # -- commands: each takes the rest of the line; a ValueError or Usage is shown to the person --

    async def _slash(self, rest: str, _interactive: bool) -> None:
        self._show_http(await self.actor.slash(self.uid, rest))

    async def _as(self, rest: str, _interactive: bool) -> None:
        name = rest.strip().lower()
        if name not in PEOPLE:
            raise Usage(f"who is {name!r}? choose one of: {', '.join(PEOPLE)}")
        self.me, self.form = name, {}
        role = " (moderator)" if PEOPLE[name][2] else ""
        self.echo(f"  you are now {name}{role}")

    async def _sweep(self, _rest: str, _interactive: bool) -> None:
        done = await self.runtime.services.reminders.sweep()
        self.echo(f"  [scheduler] reminders due now: {len(done.sent)} sent, {len(done.skipped)} skipped")

    async def _help(self, _rest: str, _interactive: bool) -> None:
        self.echo(HELP)

    async def _wait(self, _rest: str, _interactive: bool) -> None:
        pass  # `do` lets the bot deliver after every command

    async def _show_cmd(self, rest: str, _interactive: bool) -> None:
        if rest.strip() != "home":
            self._show(rest.strip())
            return
        # Slack sends app_home_opened each time the person opens the tab; the bot publishes it.
        resp = await self.actor.app_home_opened(self.uid)
        if resp.status_code != 200:
            self.echo(f"  [bot answered HTTP {resp.status_code}]")
            return
        await self.settle()
        self.show_home()

    async def _forum_cmd(self, rest: str, _interactive: bool) -> None:
        await self._forum(rest.strip())

    def _show_http(self, resp: Any) -> None:
        if resp.status_code != 200:
            self.echo(f"  [bot answered HTTP {resp.status_code}] {resp.text[:200]}")
            return
        if resp.content and resp.headers.get("content-type", "").startswith("application/json"):
            body = resp.json()
            if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
                self._print_message(f"only {self.me} sees", body)
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


_COMMANDS: dict[str, Command] = {
    "/": Sandbox._slash,
    "as": Sandbox._as,
    "fill": Sandbox._fill,
    "submit": Sandbox._submit,
    "cancel": Sandbox._cancel,
    "click": Sandbox._click,
    "buttons": Sandbox._buttons,
    "forum": Sandbox._forum_cmd,
    "show": Sandbox._show_cmd,
    "wait": Sandbox._wait,
    "sweep": Sandbox._sweep,
    "advance": Sandbox._advance,
    "now": Sandbox._now,
    "help": Sandbox._help,
    "?": Sandbox._help,
}


# What in a line's answer means it did not do what was asked (printed by this module and screen.py).
_FAILED_MARKS = ("[bot answered HTTP", "[form] ", "[delivery failed]")


def _problem_shown(shown: list[str]) -> str | None:
    for text in shown:
        for mark in _FAILED_MARKS:
            if mark in text:
                return text.strip()
    return None


async def ask(prompt: str) -> str:
    """One line from the person: with prompt_toolkit on a terminal, else from stdin."""
    if sys.stdin.isatty():
        from prompt_toolkit import PromptSession

        session: PromptSession[str] = PromptSession()
        return await session.prompt_async(prompt)
    return await asyncio.to_thread(input, prompt)
