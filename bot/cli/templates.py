"""The files `init` and `manifest` write, made from the templates shipped inside the package
(bot/resources/), so an installed bot needs no source tree:

- `config.example.toml`: the commented settings file (the top-level copy in the repository is the
  same file; tests/bot/cli/test_init_manifest.py checks they agree);
- `slack-app-manifest.yml`: the Slack app manifest, with `{events_url}` where Slack's requests go
  and `{socket_mode}` for `settings.socket_mode_enabled`.

Manifest facts (https://api.slack.com/reference/manifests, "Settings" and "Features"): in HTTP mode
the slash command's `url`, `settings.event_subscriptions.request_url` and
`settings.interactivity.request_url` name the bot's public HTTPS address; with
`settings.socket_mode_enabled: true` Slack delivers all of these over the WebSocket instead
(https://api.slack.com/apis/socket-mode), so those URL fields are left out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

EVENTS_PATH = "/slack/events"  # bot/server.py: slash commands, interactivity and events share it
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_SHOWN = 80  # characters of a bad value repeated in an error
MAX_URL = 500  # far above any real address; a DNS name alone is at most 253 characters


class TemplateError(ValueError):
    """A value the templates cannot take; the message is the one line to show."""


def resource_text(name: str) -> str:
    return (resources.files("bot") / "resources" / name).read_text(encoding="utf-8")


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")


def public_url(value: str, what: str) -> str:
    """`value` as a base address (no trailing slash): https://…, or http:// for this machine only
    (Slack calls only https:// addresses; a local test may use http://localhost)."""
    text = value.strip()
    if len(text) > MAX_URL:
        raise TemplateError(f"{what}: the address is longer than {MAX_URL} characters")
    if not text.isascii() or any(not c.isprintable() or c.isspace() for c in text):
        raise TemplateError(
            f"{what}: {_shown(text)} has spaces or non-ASCII letters; give the address in ASCII "
            "(a unicode domain in its xn-- form)"
        )
    not_an_address = TemplateError(f"{what}: {_shown(text)} is not an address like https://bot.example.org")
    try:
        parts = urlsplit(text)
        host, _port = parts.hostname, parts.port  # .port raises ValueError on a bad port
    except ValueError:
        raise not_an_address from None
    if parts.scheme not in ("https", "http") or not host:
        raise not_an_address
    if parts.username or parts.password or parts.query or parts.fragment:
        raise TemplateError(f"{what}: give the address without a user name, ?query or #fragment")
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise TemplateError(
            f"{what}: {_shown(text)} is not https://; Slack only sends requests to https:// "
            "addresses (http:// is accepted for localhost only)"
        )
    return text.rstrip("/")


def manifest(url: str | None) -> str:
    """The Slack app manifest (YAML): Socket Mode when `url` is None, else HTTP to `url`."""
    lines = resource_text("slack-app-manifest.yml").splitlines()
    if url is None:
        head = [
            "# Slack app manifest for ambassador-bot, Socket Mode (no public address needed).",
            "# Create the app at https://api.slack.com/apps → Create New App → From a manifest, and",
            "# paste this. Then: Basic Information → App-Level Tokens → Generate, with the scope",
            "# connections:write: that xapp-… token goes into SLACK_APP_TOKEN (or slack.app_token).",
        ]
        body = [line.replace("{socket_mode}", "true") for line in lines if "{events_url}" not in line]
    else:
        events = json.dumps(url.removesuffix(EVENTS_PATH) + EVENTS_PATH)  # a YAML double-quoted scalar
        head = [
            f"# Slack app manifest for ambassador-bot, HTTP: Slack sends its requests to {url}.",
            "# Create the app at https://api.slack.com/apps → Create New App → From a manifest, and",
            "# paste this. Start `ambassador-bot run` there first: Slack checks the request URL",
            "# (Event Subscriptions) by calling it, and marks it unverified when nothing answers.",
        ]
        body = [line.replace("{events_url}", events).replace("{socket_mode}", "false") for line in lines]
    return "\n".join([*head, *body]) + "\n"


@dataclass(frozen=True)
class Answers:
    """What `init` was told: HTTP to `public_url`, or Socket Mode when it is None; the forum."""

    public_url: str | None = None
    forum_url: str | None = None

    @property
    def mode(self) -> str:
        return "Socket Mode" if self.public_url is None else f"HTTP at {self.public_url}"


def config_file(answers: Answers) -> str:
    """The commented config.toml for `answers`: the example file with the addresses filled in."""
    text = resource_text("config.example.toml")
    first, rest = text.split("\n", 1)
    if first.startswith("# ambassador-bot settings. Copy"):  # what to do with the example: done
        text = rest
    if answers.public_url is not None:
        text = set_key(text, "server", "public_url", answers.public_url)
    if answers.forum_url is not None:
        text = set_key(text, "discourse", "url", answers.forum_url)
    if answers.public_url is None:
        how = [
            "# Slack: Socket Mode. The bot connects out to Slack; nothing needs to reach it. Put the",
            "# app-level token (xapp-…, scope connections:write) into SLACK_APP_TOKEN.",
        ]
    else:
        how = [
            f"# Slack: HTTP. Slack sends its requests to {answers.public_url}{EVENTS_PATH}: put a TLS",
            "# proxy in front of [server] host:port there, and the Signing Secret into SLACK_SIGNING_SECRET.",
        ]
    head = [
        "# Written by `ambassador-bot init`. Secrets stay empty here: give them as environment",
        "# variables (SLACK_BOT_TOKEN, …, listed below), which win over this file.",
        *how,
        "",
    ]
    return "\n".join(head) + text


def set_key(text: str, section: str, key: str, value: str) -> str:
    """`text` with `key = "value"` as the first `key = …` line of `[section]` (comments kept)."""
    lines = text.splitlines(keepends=True)
    current = ""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            current = stripped.strip("[]").strip()
        elif current == section and re.match(rf"{re.escape(key)}\s*=", stripped):
            lines[i] = f"{key} = {json.dumps(value)}\n"  # a TOML basic string (the value is ASCII)
            return "".join(lines)
    raise LookupError(f"config.example.toml has no {section}.{key} line")
