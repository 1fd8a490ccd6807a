"""How the sandbox prints what happened: the bot's Slack calls (messages, edits, ephemerals,
forms), the answers to response URLs, the forum calls and refused deliveries, as each person sees
them (mentions as @names, ``<!date…>`` as its fallback, buttons listed)."""

from __future__ import annotations

import collections
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.runtime import Runtime
from bot.sandbox.discourse import DiscourseStandIn
from bot.sandbox.slack import SlackStandIn
from bot.sandbox.slack.methods.files import save_upload
from bot.sandbox.terminal.cast import CHANNELS, GROUP, PEOPLE

Echo = Callable[[str], None]

# Where each of the bot's Slack message calls is shown, by method.
_MESSAGE_CALLS = {"chat.postMessage": "", "chat.update": ", edited", "chat.postEphemeral": None}
_VIEW_CALLS = ("views.open", "views.update", "views.push")
SHOWN_ALIKE = 3  # while time passes, messages that differ only in dates and numbers: shown 3 times


_DATES = re.compile(
    r"\d+|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
)


@dataclass
class Alike:
    """While ``advance`` runs, messages that differ only in their dates and numbers (the office
    hours of every week) are counted after the first few instead of shown."""

    seen: collections.Counter[str] = field(default_factory=collections.Counter)
    hidden: dict[str, int] = field(default_factory=dict)

    def show(self, label: str, first_line: str) -> bool:
        key = f"{label}] {_DATES.sub('#', first_line)}"
        self.seen[key] += 1
        if self.seen[key] <= SHOWN_ALIKE:
            return True
        self.hidden[key] = self.seen[key] - SHOWN_ALIKE
        return False

    def more(self) -> list[str]:
        return [f"(and {n} more like [{k[:80]}])" for k, n in self.hidden.items()]


class Screen:
    """The printing half of the ``Sandbox`` (which holds these attributes)."""

    slack: SlackStandIn
    forum: DiscourseStandIn
    runtime: Runtime
    echo: Echo
    me: str
    _slack_seen: int
    _forum_seen: int
    _responses_seen: int
    _failures_seen: set[int]
    alike: Alike | None = None  # set while time passes (``advance``)
    stamp: str = ""  # the moment being stepped through, printed before what happened then
    files_dir: Path | None = None  # where uploaded files are saved (made on the first one)
    _files_seen: int = 0
    _homes_shown: dict[str, str]  # per person: the Home tab last printed

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
        if self.alike is not None and not self.alike.show(label, first):
            return
        when = f"[{self.stamp}] " if self.stamp else ""
        self.echo(f"  {when}[{label}] {first}")
        for ln in rest:
            self.echo(f"      {ln}")

    def _print_message(self, label: str, msg: dict[str, Any]) -> None:
        self._print(label, self._message_lines(str(msg.get("text", "")), msg.get("blocks")))

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
        home_published = False
        for method, params in calls:
            home_published |= method == "views.publish" and params.get("user_id") == self.uid
            if method in _MESSAGE_CALLS:
                suffix = _MESSAGE_CALLS[method]
                label = (
                    f"only {self.name_of(str(params.get('user', '')))} sees"
                    if suffix is None
                    else self.channel_label(str(params.get("channel", ""))) + suffix
                )
                self._print_message(label, params)
            elif method in _VIEW_CALLS:
                view = _as_dict(params.get("view"))
                owner_view = self.slack.last_view_for(self.uid)
                if owner_view is not None:
                    view = owner_view
                self._show_view(view, "form opened" if method != "views.update" else "form changed")
        responses = self.slack.responses[self._responses_seen :]
        self._responses_seen += len(responses)
        for r in responses:
            self._print_message(f"only {self.me} sees", r.get("body", r))
        self._flush_files()
        self._flush_forum()
        if home_published and self.alike is None:
            self.show_home(changed_only=True)

    def _flush_files(self) -> None:
        """Uploaded files (the report's chart, exports) are saved where they can be opened."""
        files = self.slack.files[self._files_seen :]
        self._files_seen += len(files)
        for f in files:
            if self.files_dir is None:
                self.files_dir = Path(tempfile.mkdtemp(prefix="ambassador-sandbox-files-"))
            path = save_upload(f, self.files_dir)
            to = ", ".join(self.channel_label(str(t)).removeprefix("DM to ") for t in f.get("shared_to", []))
            self._print(
                f"file to {to or 'nobody'}", [f"{f.get('name')} ({size(int(f.get('size', 0)))}) → {path}"]
            )

    def show_home(self, changed_only: bool = False) -> None:
        """The current person's Home tab as the bot last published it (views.publish)."""
        view = self.slack.home_tabs.get(self.uid)
        if view is None:
            if not changed_only:
                self._print(f"Home tab of {self.me}", ["(the bot has not published a Home tab)"])
            return
        drawn = json.dumps(view.get("blocks"), sort_keys=True)
        if changed_only and self._homes_shown.get(self.uid) == drawn:
            return
        self._homes_shown[self.uid] = drawn
        verb = "changed" if changed_only else "of " + self.me
        self._print(f"Home tab {verb}", self._message_lines("", view.get("blocks")))

    def _flush_forum(self) -> None:
        forum_calls = self.forum.calls[self._forum_seen :]
        self._forum_seen += len(forum_calls)
        for method, path, params, status in forum_calls:
            if method == "GET" and self.alike is not None:
                continue  # while time passes, only what changes the forum is shown
            self._print("forum", [f"{method} {path} → {status}"])
            if method == "POST" and path.startswith("/posts") and status == 200:
                topic = params.get("topic_id")
                where = f"topic {topic}" if topic else "a new private message"
                self._print(f"bot posts on the forum, {where}", [str(params.get("raw", ""))])

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

    def _visible_messages(self) -> list[tuple[str, dict[str, Any]]]:
        seen: list[tuple[str, dict[str, Any]]] = []
        for channel, msgs in self.slack.messages.items():
            info = self.slack.channels.get(channel) or {}
            if info.get("is_im") and info.get("user") != self.uid:
                continue
            seen.extend((channel, m) for m in msgs)
        seen.sort(key=lambda cm: float(cm[1].get("ts", "0")))
        return seen

    def _show(self, what: str) -> None:
        if what == "dms":
            for channel, msg in self._visible_messages():
                if channel.startswith("D"):
                    self._print_message(self.channel_label(channel), msg)
            return
        if what == "forum":
            for _uid, username, _mod in PEOPLE.values():
                badges = ", ".join(self.forum.badges_of(username)) or "no badges"
                self.echo(f"  {username}: {badges}")
            self.echo(f"  group {GROUP}: {', '.join(sorted(self.forum.members_of(GROUP))) or 'empty'}")
            return
        name = what.lstrip("#")
        cid = next((c for c, n in CHANNELS.items() if n == name), None)
        if cid is None:
            raise ValueError(f"channels: {', '.join('#' + n for n in CHANNELS.values())}; or dms, forum")
        for msg in self.slack.messages_in(cid):
            self._print_message("#" + name, msg)


def size(n: int) -> str:
    """1 byte, 900 bytes, 28 KB, 1.5 MB."""
    if n < 1024:
        return f"{n} byte{'' if n == 1 else 's'}"
    if n < 1024 * 1024:
        return f"{round(n / 1024)} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def _decoded(value: Any) -> Any:
    """A JSON-encoded parameter decoded (Slack accepts blocks and views as JSON strings)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _as_dict(value: Any) -> dict[str, Any]:
    value = _decoded(value)
    return value if isinstance(value, dict) else {}


def _block_texts(blocks: Any) -> list[str]:
    out: list[str] = []
    for block in _decoded(blocks) or []:
        kind = block.get("type")
        if kind in ("section", "header") and isinstance(block.get("text"), dict):
            out.append(str(block["text"].get("text", "")))
        if kind == "section" and block.get("fields"):
            out.extend(str(f.get("text", "")).replace("\n", ": ", 1) for f in block["fields"])
        if kind == "context":
            out.extend(str(e.get("text", "")) for e in block.get("elements", []) if isinstance(e, dict))
    return out


def button_ids(blocks: Any) -> list[tuple[str, str]]:
    """(text, action_id) of every button in the blocks, in order."""
    out: list[tuple[str, str]] = []
    for block in _decoded(blocks) or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        if block.get("accessory"):
            elements = [*elements, block["accessory"]]
        for el in elements:
            if el.get("type") == "button":
                out.append(((el.get("text") or {}).get("text", ""), str(el.get("action_id", ""))))
    return out


def _buttons(blocks: Any) -> list[str]:
    return [text for text, _ in button_ids(blocks)]
