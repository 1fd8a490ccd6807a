"""Slack listeners, one package per program feature (`applications/`, `nominations/`, …), each
with its listener modules, its views and a `register(app)`. `register(app, command)` wires them
all onto a Bolt app; the cross-cutting pieces (the slash command and its subcommands, the payload
parsing, dedupe, the listener factories in `kit`, the renderer registry) sit at this level."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack import (
    applications,
    command,
    dedupe,
    directory,
    events,
    events_fallback,
    groups,
    home,
    nominations,
    onboarding,
    requests,
    terms,
)
from handlers.slack.context import strict_payload


def register(app: AsyncApp, command_name: str) -> None:
    app.middleware(strict_payload)  # first: every listener reads the strictly parsed payload
    dedupe.register(app)
    command.register(app, command_name)
    applications.register(app)
    onboarding.register(app)
    nominations.register(app)
    directory.register(app)
    terms.register(app)
    home.register(app)
    events.register(app)
    groups.register(app)
    requests.register(app)
    events_fallback.register(app)  # last: only events no other listener took
