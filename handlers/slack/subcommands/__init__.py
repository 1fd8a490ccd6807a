"""One module per `/ambassador` subcommand. Each exposes `NAME` and `async def run(cmd)`.

To add a subcommand: write the module, add it to MODULES below, and add its HelpEntry to
bot.program.commands.HELP (the parser only accepts names listed there).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.slack.subcommands import (
    apply,
    audit,
    badge,
    calendar,
    event,
    events,
    export,
    find,
    group,
    groups,
    link,
    nominate,
    office_hours,
    onboarding,
    profile,
    renew,
    report,
    request,
    requests,
    retire,
    status,
)
from handlers.slack.subcommands.base import SlashCommand

MODULES = (
    apply,
    status,
    badge,
    nominate,
    onboarding,
    profile,
    find,
    link,
    retire,
    audit,
    events,
    event,
    office_hours,
    calendar,
    renew,
    group,
    groups,
    request,
    requests,
    report,
    export,
)

Runner = Callable[[SlashCommand], Awaitable[None]]
RUNNERS: dict[str, Runner] = {m.NAME: m.run for m in MODULES}
