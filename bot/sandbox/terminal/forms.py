"""The form commands of the ``Sandbox``: ``fill``, ``submit``, ``cancel``, ``buttons`` and
``click``, as a person works a Slack modal or presses a button they can see.

A form is shown as Slack's client shows it: each field by its label with the name to type, its
pre-filled value, and the numbered choices of a select, radio or checkbox input
(https://api.slack.com/reference/block-kit/block-elements). Like the client, the sandbox does not
send a form while a required field is empty (it names them all), and sends what is pre-filled
unless the person changed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from bot.sandbox.slack import SlackActor
from bot.sandbox.slack.blockkit import initial_value
from bot.sandbox.terminal import fields as F
from bot.sandbox.terminal.cast import PEOPLE
from bot.sandbox.terminal.screen import Screen


@dataclass(frozen=True)
class Button:
    """One button a person can see: where, its text, and what a press sends (its action id,
    block id and value: several buttons may share an action id and differ by value)."""

    channel: str
    message: dict[str, Any]
    text: str
    action_id: str
    block_id: str | None
    value: str | None
    about: str  # the section beside it, else the message's text
    view_id: str | None = None  # set for a button of the person's Home tab (no channel, no ts)


def message_buttons(channel: str, msg: dict[str, Any]) -> list[Button]:
    """The buttons of a message in order: those of ``actions`` blocks and section accessories."""
    out: list[Button] = []
    blocks = msg.get("blocks")
    for block in (json.loads(blocks) if isinstance(blocks, str) else blocks) or []:
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        about = str(msg.get("text", ""))
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
            about = str((block.get("text") or {}).get("text", "")) or about
        for el in elements:
            if isinstance(el, dict) and el.get("type") == "button":
                text = str((el.get("text") or {}).get("text", ""))
                value = el.get("value")
                out.append(
                    Button(
                        channel,
                        msg,
                        text,
                        str(el.get("action_id", "")),
                        block.get("block_id"),
                        None if value is None else str(value),
                        about,
                    )
                )
    return out


def home_buttons(view: dict[str, Any]) -> list[Button]:
    """The buttons of a Home tab in order, each about the section or header above it (the item
    it acts on: an event, an application, the checklist), all belonging to the one view."""
    out: list[Button] = []
    about = ""
    for block in view.get("blocks") or []:
        if block.get("type") in ("section", "header"):
            about = str((block.get("text") or {}).get("text", "")) or about
        for b in message_buttons("", {"text": about, "blocks": [block]}):
            out.append(replace(b, message=view, view_id=str(view.get("id", ""))))
    return out


class FormCommands(Screen):
    """The form half of the ``Sandbox`` (which holds ``actor`` and the fields typed so far)."""

    actor: SlackActor
    form: dict[str, str]
    _form_shown: str = ""  # the last form printed, so that an unchanged form prints once
    _form_view: str = ""  # the view the typed fields belong to

    @property
    def uid(self) -> str:
        """The Slack id of the person acting; someone only on the forum has none."""
        uid = PEOPLE[self.me][0]
        if not uid:
            from bot.sandbox.terminal.session import Usage

            raise Usage(f"{self.me} is only on the forum (try `forum pm status`, or `as alice`)")
        return uid

    def _open_fields(self) -> tuple[dict[str, Any], list[F.Field]]:
        view = self.slack.last_view_for(self.uid)
        if view is None:
            raise ValueError("no form is open for you")
        if view["id"] != self._form_view:  # another form now: what was typed into the last one is gone
            self.form, self._form_view = {}, str(view["id"])
        fields = F.fields_of(view)
        if not fields:
            title = ((view.get("title") or {}).get("text")) or "form"
            raise ValueError(f"the open form ({title}) has no fields to fill; `cancel` closes it")
        return view, fields

    async def _fill(self, rest: str, _interactive: bool) -> None:
        from bot.sandbox.terminal.session import Usage

        key, eq, value = rest.partition("=")
        if not eq or not key.strip():
            raise Usage("usage: fill <field>=<value>, e.g. fill name=Alice Example")
        _view, fields = self._open_fields()
        try:
            field = F.find_field(fields, key)
            picked = F.resolve(field, value, self.slack.users)
        except ValueError as err:
            raise Usage(str(err)) from None
        self.form[field.block_id] = value.strip()
        now = F.clip(F.shown(field, picked, self.slack.users), 80) or "(empty)"
        self.echo(f"  {field.label or field.block_id}: {now}")

    async def _cancel(self, _rest: str, _interactive: bool) -> None:
        view = self.slack.last_view_for(self.uid)
        if view is not None:
            await self.actor.close_view(self.uid, str(view["id"]))
        self.form, self._form_shown = {}, ""
        self.echo("  form closed")

    async def _ask_empty(self, fields: list[F.Field]) -> None:
        """Interactive mode: ask for each field that is still empty (pre-filled ones are kept)."""
        from bot.sandbox.terminal.session import ask

        for field in fields:
            if field.block_id in self.form or not F.is_empty(initial_value(field.element)):
                continue
            label = f"{field.label}{' (optional)' if field.optional else ''}: "
            while True:
                answer = (await ask(f"  {label}")).strip()
                try:
                    F.resolve(field, answer, self.slack.users)
                except ValueError as err:
                    self.echo(f"  {err}")
                    continue
                break
            self.form[field.block_id] = answer

    def _values(self, fields: list[F.Field]) -> dict[str, dict[str, Any]]:
        """What the form sends; refuses (naming every one by its label) while a required field
        is empty, as Slack's client does before it submits (an input block is required unless
        ``optional``: https://api.slack.com/reference/block-kit/blocks#input)."""
        values: dict[str, dict[str, Any]] = {}
        empty: list[str] = []
        for field in fields:
            value = F.current(field, self.form, self.slack.users)
            if F.is_empty(value) and not field.optional:
                empty.append(field.name())
            if field.block_id in self.form:  # a text the person cleared is sent as null, as Slack does
                values.setdefault(field.block_id, {})[field.action_id] = None if value == "" else value
        if empty:
            from bot.sandbox.terminal.session import Usage

            n = len(empty)
            raise Usage(f"{n} required field{'s' if n != 1 else ''} still empty: {', '.join(empty)}")
        return values

    async def _submit(self, _rest: str, interactive: bool) -> None:
        view, fields = self._open_fields()
        if interactive:
            await self._ask_empty(fields)
        resp = await self.actor.submit_view(self.uid, str(view["id"]), self._values(fields))
        if resp.status_code != 200:
            self.echo(f"  [bot answered HTTP {resp.status_code}]")
            return
        body = resp.json() if resp.content else {}
        if body.get("response_action") == "errors":
            labels = {f.block_id: f.label or f.block_id for f in fields}
            for key, msg in body.get("errors", {}).items():
                self.echo(f"  [form] {labels.get(key, key)}: {msg}")
                self.form.pop(key, None)
            self.echo("  fix those fields and submit again")
            return
        self.form, self._form_shown = {}, ""
        if body.get("response_action") == "update":
            self._show_view(body.get("view") or {}, "form changed")

    # -- how a form is printed (Screen.flush calls this for views.open/update/push) --

    def _show_view(self, view: dict[str, Any], verb: str) -> None:
        content = [view.get("id"), view.get("title"), view.get("blocks")]
        seen = json.dumps(content, sort_keys=True, default=str)
        if seen == self._form_shown:
            return  # the same view, unchanged (e.g. views.open then an identical views.update)
        self._form_shown = seen
        title = ((view.get("title") or {}).get("text")) or "form"
        lines = [f"{verb}: {title}"]
        for block in view.get("blocks", []):
            if block.get("type") == "section":
                lines.append(self._mentions((block.get("text") or {}).get("text", "")))
        inputs = F.fields_of(view)
        for field in inputs:
            lines.extend(self._field_lines(field))
        if inputs:
            lines.append("fill the fields with `fill <field>=<value>` (a choice by number), then `submit`")
        self._print(f"form for {self.me}", lines)

    def _field_lines(self, field: F.Field) -> list[str]:
        opt = " (optional)" if field.optional else ""
        head = f"  • {field.block_id}: {field.label}{opt}"
        filled = initial_value(field.element)
        if not F.is_empty(filled):
            head += f" = {F.shown(field, filled, self.slack.users)}"
        lines = [head]
        if field.kind in F.USER_PICKERS:
            lines.append("      pick a person: " + F.people(self.slack.users))
        elif field.has_options:
            lines.extend(f"      {i}. {text}" for i, (_v, text) in enumerate(field.options(), 1))
        return lines

    # -- buttons --

    def _buttons_seen(self) -> list[Button]:
        """The buttons of the person's Home tab once they opened it (``show home``), then every
        button in the messages they can see (their ephemerals too), oldest first: a name that
        is in both presses the newest message's (a number picks any)."""
        uid = self.uid  # someone only on the forum sees no Slack messages
        home = self.slack.home_tabs.get(uid) if uid in self._homes_shown else None
        mine = [
            (str(e["channel"]), {**e, "ts": e["message_ts"]})
            for e in self.slack.ephemerals
            if e.get("user") == uid
        ]
        messages = sorted(
            [*self._visible_messages(), *mine], key=lambda cm: float(str(cm[1].get("ts", "0")))
        )
        in_messages = [button for channel, msg in messages for button in message_buttons(channel, msg)]
        return [*(home_buttons(home) if home is not None else []), *in_messages]

    def _button_line(self, number: int, button: Button) -> str:
        first = self._mentions(button.about).splitlines() or [""]
        about = first[0] if len(first[0]) <= 70 else first[0][:69] + "…"
        where = "your Home tab" if button.view_id else self.channel_label(button.channel)
        return f"  {number}. [{button.text}] in {where}: {about}"

    async def _buttons(self, _rest: str, _interactive: bool) -> None:
        seen = self._buttons_seen()
        if not seen:
            self.echo(f"  {self.me} sees no buttons")
            return
        for number, button in enumerate(seen, 1):
            self.echo(self._button_line(number, button))

    def _pick_button(self, wanted: str) -> Button:
        """``3`` (the third button listed), ``Book`` (the only one, or the newest of several in
        different messages), ``Book 2`` (the second "Book" listed)."""
        seen = self._buttons_seen()
        if wanted.isdecimal():
            if 1 <= int(wanted) <= len(seen):
                return seen[int(wanted) - 1]
            raise ValueError(f"no button {F.clip(wanted)}: {self.me} sees {_count(len(seen))} (`buttons`)")
        label, _, nth = wanted.rpartition(" ")
        if not (nth.isdecimal() and label):
            label, nth = wanted, ""
        same = [b for b in seen if label.lower() in (b.text.lower(), b.action_id.lower())]
        if not same:
            shown = ", ".join(sorted({f"[{b.text}]" for b in seen})) or "none"
            raise ValueError(f"no button {F.clip(label)!r} in what {self.me} can see; buttons: {shown}")
        if nth:
            if 1 <= int(nth) <= len(same):
                return same[int(nth) - 1]
            raise ValueError(f"no {label!r} number {F.clip(nth)}: {self.me} sees {_count(len(same))} like it")
        newest = [b for b in same if b.message is same[-1].message]
        if len(newest) > 1:
            raise ValueError(
                f"{len(newest)} buttons say {label!r} in one message: type `click {label} 1` … "
                f"`click {label} {len(same)}` (`buttons` lists them)"
            )
        return same[-1]

    async def _click(self, rest: str, _interactive: bool) -> None:
        wanted = rest.strip()
        if not wanted:
            raise ValueError("usage: click <button text> [n], or click <n> (`buttons` lists them)")
        b = self._pick_button(wanted)
        if b.view_id:  # the bot redraws the tab; `flush` prints it as ``show home`` does
            resp = await self.actor.click_in_view(
                self.uid, b.view_id, b.action_id, value=b.value, block_id=b.block_id
            )
        else:
            resp = await self.actor.click(
                self.uid, b.channel, str(b.message["ts"]), b.action_id, value=b.value, block_id=b.block_id
            )
        if resp.status_code != 200:
            self.echo(f"  [bot answered HTTP {resp.status_code}]")


def _count(n: int) -> str:
    return f"{n} button{'s' if n != 1 else ''}"
