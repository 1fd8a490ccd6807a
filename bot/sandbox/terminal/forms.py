"""The form commands of the ``Sandbox``: ``fill``, ``submit``, ``cancel`` and ``click``, as a
person works a Slack modal or presses a button they can see."""

from __future__ import annotations

from bot.sandbox.slack import SlackActor
from bot.sandbox.terminal.screen import Screen, button_ids


class FormCommands(Screen):
    """The form half of the ``Sandbox`` (which holds ``actor`` and the fields typed so far)."""

    actor: SlackActor
    form: dict[str, str]

    async def _fill(self, rest: str, _interactive: bool) -> None:
        from bot.sandbox.terminal.session import Usage

        key, eq, value = rest.partition("=")
        if not eq:
            raise Usage("usage: fill <field>=<value>")
        self.form[key.strip()] = value.strip()

    async def _cancel(self, _rest: str, _interactive: bool) -> None:
        view = self.slack.last_view_for(self.uid)
        if view is not None:
            await self.actor.close_view(self.uid, str(view["id"]))
        self.form = {}
        self.echo("  form closed")

    async def _submit(self, _rest: str, interactive: bool) -> None:
        from bot.sandbox.terminal.session import ask

        view = self.slack.last_view_for(self.uid)
        if view is None:
            raise ValueError("no form is open for you")
        inputs = self.actor.form_view_inputs(str(view["id"]))
        if interactive:
            for inp in inputs:
                if inp.block_id not in self.form:
                    label = f"{inp.label}{' (optional)' if inp.optional else ''}: "
                    self.form[inp.block_id] = (await ask(f"  {label}")).strip()
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

    async def _click(self, rest: str, _interactive: bool) -> None:
        label = rest.strip()
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
            for text, action_id in button_ids(msg.get("blocks")):
                if label.lower() in (text.lower(), action_id.lower()):
                    resp = await self.actor.click(self.uid, channel, str(msg["ts"]), action_id)
                    if resp.status_code != 200:
                        self.echo(f"  [bot answered HTTP {resp.status_code}]")
                    return
        raise ValueError(f"no button {label!r} in the messages {self.me} can see")
