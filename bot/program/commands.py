"""The command language shared by Slack and (later) the forum: parse text into a command."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COMMAND_TEXT = 4000


@dataclass(frozen=True)
class HelpEntry:
    name: str
    usage: str
    description: str
    moderator_only: bool = False


HELP: tuple[HelpEntry, ...] = (
    HelpEntry("help", "help", "Show this list of commands."),
    HelpEntry("apply", "apply", "Open the application form to become an ambassador."),
    HelpEntry("status", "status", "See your application, your term and your onboarding checklist."),
)

KNOWN = {e.name for e in HELP}


_USER_REF = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def user_ref(arg: str) -> str | None:
    """A Slack user id from a mention (<@U123|name>) or a bare id (U123), else None."""
    m = _USER_REF.match(arg.strip())
    if m:
        return m.group(1)
    bare = arg.strip().lstrip("@")
    return bare if re.fullmatch(r"[UW][A-Z0-9]{2,20}", bare) else None


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: tuple[str, ...] = ()
    rest: str = ""  # the text after the subcommand name, spacing kept
    problem: str | None = None  # set when the text could not be understood; name is then "help"


def parse(text: str | None) -> ParsedCommand:
    raw = (text or "").strip()
    if len(raw) > MAX_COMMAND_TEXT:
        return ParsedCommand("help", problem=f"That command is too long ({len(raw)} characters).")
    if not raw:
        return ParsedCommand("help")
    words = raw.split()
    name = words[0].lower()
    if name not in KNOWN:
        shown = words[0] if len(words[0]) <= 40 else words[0][:40] + "…"
        return ParsedCommand("help", problem=f"I don't know the command `{shown}`.")
    rest = raw[len(words[0]) :].strip()
    return ParsedCommand(name, tuple(words[1:]), rest)
