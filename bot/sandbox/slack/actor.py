"""``SlackActor`` plays the platform side toward the bot (its Events API side is in ``events``).

It sends signed slash commands, button clicks, view submissions and Events API callbacks to the
bot's ``/slack/events`` endpoint, in the shapes Slack uses
(https://api.slack.com/interactivity/slash-commands, https://api.slack.com/reference/interaction-payloads,
https://api.slack.com/apis/connections/events-api), signed as
https://api.slack.com/authentication/verifying-requests-from-slack describes, and applies the bot's
answers (e.g. ``response_action``) to the stand-in.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

import httpx

from bot.sandbox.http import HttpActor
from bot.sandbox.slack import payloads
from bot.sandbox.slack.answers import apply_view_answer
from bot.sandbox.slack.blockkit import initial_value
from bot.sandbox.slack.common import JSONDict, ViewInput, plain_text
from bot.sandbox.slack.escaping import escape_command_text
from bot.sandbox.slack.events import EventsApi
from bot.sandbox.slack.socket_actor import send_envelope
from bot.sandbox.slack.standin import SlackStandIn

__all__ = ["SlackActor"]


class SlackActor(HttpActor, EventsApi):
    """Plays Slack toward the bot: signed slash commands, clicks, submissions and events."""

    user_agent = "Slackbot 1.0 (+https://api.slack.com/robots)"

    def __init__(
        self,
        standin: SlackStandIn,
        bot_url: str,
        signing_secret: str,
        command: str = "/ambassador",
        http: httpx.AsyncClient | None = None,
        *,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
        ack_timeout: float = 3.0,
        socket_mode: bool = False,
    ) -> None:
        self.standin = standin
        super().__init__(bot_url, http)
        self.signing_secret = signing_secret
        self.command = command
        self.timestamp_override = timestamp_override
        self.secret_override = secret_override
        self.ack_timeout = ack_timeout
        # Deliver as Socket Mode envelopes through the stand-in's WebSocket instead of HTTP.
        self.socket_mode = socket_mode
        self.last_trigger_id: str | None = None
        self.last_view_errors: dict[str, str] | None = None
        self.problems: list[str] = []
        self._event_seq = 0

    @property
    def events_url(self) -> str:
        return f"{self.bot_url}/slack/events"

    # ------------------------------------------------------------------ signing

    def sign(self, body: str, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
        """The two Slack signature headers for ``body``."""
        ts = timestamp if timestamp is not None else int(time.time())
        key = (secret if secret is not None else self.signing_secret).encode("utf-8")
        digest = hmac.new(key, f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}

    async def send_raw(
        self,
        body: str,
        content_type: str,
        *,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST a signed body to the bot's ``/slack/events``."""
        ts = timestamp_override if timestamp_override is not None else self.timestamp_override
        secret = secret_override if secret_override is not None else self.secret_override
        headers = {"Content-Type": content_type, "User-Agent": self.user_agent, "Accept": "*/*"}
        headers.update(self.sign(body, ts, secret))
        if extra_headers:
            headers.update(extra_headers)
        started = time.monotonic()
        if self.socket_mode:
            if ts is not None or secret is not None:
                raise ValueError("Socket Mode envelopes are not signed: no signature overrides there")
            response = await send_envelope(self.standin.socket_mode, body, content_type)
        else:
            response = await self.http.post(self.events_url, content=body.encode("utf-8"), headers=headers)
        elapsed = time.monotonic() - started
        if elapsed > self.ack_timeout:
            self.problems.append(
                f"bot answered after {elapsed:.2f}s (Slack gives up after {self.ack_timeout:.0f}s)"
            )
        return response

    async def _send_payload(self, payload: JSONDict, **overrides: Any) -> httpx.Response:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.send_raw(body, "application/x-www-form-urlencoded", **overrides)

    async def _send_json(self, body: JSONDict, **overrides: Any) -> httpx.Response:
        return await self.send_raw(json.dumps(body), "application/json", **overrides)

    def _user_obj(self, user_id: str) -> JSONDict:
        name = str(self.standin.users.get(user_id, {}).get("name", user_id))
        return {"id": user_id, "username": name, "name": name, "team_id": self.standin.team_id}

    def _team_obj(self) -> JSONDict:
        return {"id": self.standin.team_id, "domain": self.standin.team_domain}

    def _interaction(self, kind: str, user_id: str, **fields: Any) -> JSONDict:
        """An interaction payload (https://api.slack.com/reference/interaction-payloads): who, from
        which app and workspace, and the fields of its ``kind``."""
        return {
            "type": kind,
            "team": self._team_obj(),
            "user": self._user_obj(user_id),
            "api_app_id": self.standin.app_id,
            "token": self.standin.verification_token,
            **fields,
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def _open_view(self, view_id: str) -> JSONDict:
        view = self.standin.views.get(view_id)
        if view is None:
            raise ValueError(f"no open view {view_id!r} in the Slack stand-in")
        return view

    def _channel_name(self, channel_id: str) -> str:
        info = self.standin.channels.get(channel_id)
        if info is None:
            return "directmessage" if channel_id.startswith("D") else channel_id.lower()
        if info.get("is_im"):
            return "directmessage"
        return str(info.get("name", channel_id))

    # ------------------------------------------------------------------ interactions

    async def slash(
        self,
        user_id: str,
        text: str,
        channel_id: str = "C0GENERAL",
        *,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
    ) -> httpx.Response:
        """Send a slash command exactly as Slack posts it (form-encoded), its text escaped as for a
        command with ``should_escape: true`` (``@jane`` → ``<@U…|jane>``: see ``escaping``)."""
        trigger_id = self.standin.issue_trigger_id(user_id)
        self.last_trigger_id = trigger_id
        fields = [
            ("token", self.standin.verification_token),
            ("team_id", self.standin.team_id),
            ("team_domain", self.standin.team_domain),
            ("channel_id", channel_id),
            ("channel_name", self._channel_name(channel_id)),
            ("user_id", user_id),
            ("user_name", str(self.standin.users.get(user_id, {}).get("name", user_id))),
            ("command", self.command),
            ("text", escape_command_text(text, self.standin.users, self.standin.channels)),
            ("api_app_id", self.standin.app_id),
            ("is_enterprise_install", "false"),
            ("response_url", self.standin.make_response_url(channel_id, None, user_id)),
            ("trigger_id", trigger_id),
        ]
        return await self.send_raw(
            urllib.parse.urlencode(fields),
            "application/x-www-form-urlencoded",
            timestamp_override=timestamp_override,
            secret_override=secret_override,
        )

    async def click(
        self,
        user_id: str,
        channel_id: str | None = None,
        message_ts: str | None = None,
        action_id: str | None = None,
        value: str | None = None,
        block_id: str | None = None,
        *,
        view_id: str | None = None,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
    ) -> httpx.Response:
        """Click a button (or pick an option) in a message, or in a view when ``view_id`` is given."""
        if not action_id:
            raise ValueError("click() needs an action_id")
        standin = self.standin
        trigger_id = standin.issue_trigger_id(user_id)
        self.last_trigger_id = trigger_id
        if view_id is not None:
            view = self._open_view(view_id)
            blocks = view.get("blocks") or []
            fields: JSONDict = {
                "container": {"type": "view", "view_id": view_id},
                "view": copy.deepcopy(view),
            }
            where = f"view {view_id}"
        else:
            if channel_id is None or message_ts is None:
                raise ValueError("click() needs channel_id and message_ts, or view_id=")
            message = standin.find_message(channel_id, message_ts)
            source = message if message is not None else standin._find_ephemeral(channel_id, message_ts)
            if source is None:
                raise ValueError(f"no message {message_ts!r} in channel {channel_id!r} of the Slack stand-in")
            blocks = source.get("blocks") or []
            fields = {
                "container": {
                    "type": "message",
                    "message_ts": message_ts,
                    "channel_id": channel_id,
                    "is_ephemeral": message is None,
                },
                "channel": {"id": channel_id, "name": self._channel_name(channel_id)},
            }
            if message is not None:
                fields["message"] = copy.deepcopy(message)
            fields["state"] = {"values": {}}
            fields["response_url"] = standin.make_response_url(channel_id, message_ts, user_id)
            where = f"message {message_ts} in {channel_id}"
        payload = self._interaction("block_actions", user_id, trigger_id=trigger_id, **fields)
        payload["actions"] = [payloads.build_action(blocks, action_id, value, block_id, where)]
        return await self._send_payload(
            payload, timestamp_override=timestamp_override, secret_override=secret_override
        )

    async def click_in_view(
        self,
        user_id: str,
        view_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
    ) -> httpx.Response:
        """Click a button of a view: a Home tab the bot published for ``user_id`` (views.publish)
        or an open modal. Slack sends such a click as a ``block_actions`` payload whose
        ``container`` is ``{"type": "view", "view_id": …}`` with the whole ``view`` (its ``type``
        ``home`` for a Home tab), and without the ``message``, ``channel`` and ``response_url``
        a message's button carries
        (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload)."""
        return await self.click(user_id, action_id=action_id, value=value, block_id=block_id, view_id=view_id)

    async def submit_view(
        self,
        user_id: str,
        view_id: str,
        values: dict[str, dict[str, Any]],
        *,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
        forged: bool = False,
    ) -> httpx.Response:
        """Submit a modal with ``values[block_id][action_id] = value`` and apply the bot's answer;
        an input not in ``values`` keeps what the view pre-filled (``initial_*``), as in Slack.

        ``forged`` sends what Slack's own client would not let a person pick (e.g. a non-member
        in a user picker), as a signed request from someone who holds the signing secret could."""
        standin = self.standin
        view = self._open_view(view_id)
        given = with_initial_values(view, values)
        state = payloads.build_state(view, given, None if forged else standin.users)
        submitted = copy.deepcopy(view)
        submitted["state"] = {"values": state}
        trigger_id = standin.issue_trigger_id(user_id)
        self.last_trigger_id = trigger_id
        payload = self._interaction(
            "view_submission", user_id, trigger_id=trigger_id, view=submitted, response_urls=[]
        )
        response = await self._send_payload(
            payload, timestamp_override=timestamp_override, secret_override=secret_override
        )
        applied = apply_view_answer(standin, view_id, view, user_id, response)
        self.last_view_errors = applied.errors
        self.problems.extend(applied.problems)
        return response

    def form_view_inputs(self, view_id: str) -> list[ViewInput]:
        """The inputs of a view in order, to prompt a human for each."""
        view = self._open_view(view_id)
        out: list[ViewInput] = []
        for block in view.get("blocks") or []:
            if block.get("type") != "input" or not isinstance(block.get("element"), dict):
                continue
            element = block["element"]
            out.append(
                ViewInput(
                    block_id=str(block.get("block_id")),
                    action_id=str(element.get("action_id")),
                    element_type=str(element.get("type")),
                    label=plain_text(block.get("label")),
                    optional=bool(block.get("optional", False)),
                )
            )
        return out

    def input_options(self, view_id: str, block_id: str) -> list[tuple[str, str]]:
        """(value, text) choices of a select/radio/checkbox input, for prompting."""
        view = self._open_view(view_id)
        for block in view.get("blocks") or []:
            if block.get("block_id") == block_id and isinstance(block.get("element"), dict):
                element = block["element"]
                options: list[JSONDict] = list(element.get("options") or [])
                for group in element.get("option_groups") or []:
                    options.extend(group.get("options") or [])
                return [(str(o.get("value")), plain_text(o.get("text"))) for o in options]
        raise ValueError(f"view {view_id} has no input block {block_id!r}")

    async def close_view(self, user_id: str, view_id: str) -> httpx.Response | None:
        """The user dismisses a modal; sends ``view_closed`` if the view asked for it."""
        view = self._open_view(view_id)
        response: httpx.Response | None = None
        if view.get("notify_on_close"):
            payload = self._interaction("view_closed", user_id, view=copy.deepcopy(view), is_cleared=False)
            response = await self._send_payload(payload)
        self.standin.remove_view(view_id)
        return response


def with_initial_values(view: JSONDict, values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``values`` plus, for each input the person did not touch, its pre-filled value: Slack's
    client submits what a modal shows (https://api.slack.com/reference/interaction-payloads/views)."""
    out = {block_id: dict(by_action) for block_id, by_action in values.items()}
    for block in view.get("blocks") or []:
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
        if action_id in out.get(block_id, {}):
            continue
        value = initial_value(element)
        if value is not None:
            out.setdefault(block_id, {})[action_id] = value
    return out
