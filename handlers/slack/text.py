"""The one place that puts text into Block Kit within Slack's limits.

Every view and message builder takes its text objects from here, so no builder counts characters
by hand. The rules:

- **Escape first, then measure.** User text is escaped (``&``, ``<``, ``>`` become entities, so
  it cannot ping ``@channel`` or fake a link) *before* its length is taken: the limit applies
  to what is sent, and ``&lt;`` is four characters (https://api.slack.com/reference/surfaces/formatting#escaping).
- **A cut counts the whole string**, the ``…`` and any suffix included, and never splits an
  entity (``&amp;``) or a mention or link (``<@U123>``, ``<https://…|…>``).
- **Whole texts are not cut.** A text a person wrote and another must read in full (an
  application's motivation, a reject reason) goes through ``sections``: split across as many
  section blocks as it needs, at line breaks, else at spaces.

Limits (https://api.slack.com/reference/block-kit/blocks, …/block-elements,
…/composition-objects, https://api.slack.com/reference/surfaces/views): section text 3000, a
section field 2000, header 150, button and option text 75, modal title/submit/close 24, input
label and hint 2000, placeholder 150. Slack refuses a payload over any of them (the sandbox's
Slack stand-in does too).

The small text and date helpers every view module needs (``day``, ``squeeze``, ``usage``,
``shown_input``) live here too, so no view module keeps its own copy, and so does the text of
``help`` and of the answer to a command that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.program.commands import HelpEntry

Block = dict[str, Any]

SECTION = 3000
FIELD = 2000
CONTEXT = 3000
HEADER = 150
BUTTON = 75
OPTION = 75
TITLE = 24
LABEL = 2000
HINT = 2000
PLACEHOLDER = 150
ELLIPSIS = "…"
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100

# Tokens a cut must keep whole: an entity, or a <…> mention/link/date.
_TOKEN = re.compile(r"&(?:amp|lt|gt);|<[^<>\s][^<>]*>")


def escape(text: str) -> str:
    """Slack mrkdwn escaping so user text cannot ping @channel or fake links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _safe_end(text: str, end: int) -> int:
    """The largest position <= end that does not fall inside a token."""
    for m in _TOKEN.finditer(text, max(0, end - 4000), min(len(text), end + 4000)):
        if m.start() < end < m.end():
            return m.start()
    return end


def cut(text: str, limit: int, suffix: str = "") -> str:
    """``text`` + ``suffix`` in at most ``limit`` characters: the suffix is kept, the text gets
    ``…`` where it was shortened; a token is dropped whole rather than split."""
    room = limit - len(suffix)
    if room <= 0:
        return suffix[:limit]
    if len(text) <= room:
        return text + suffix
    end = _safe_end(text, room - len(ELLIPSIS))
    return text[:end].rstrip() + ELLIPSIS + suffix


def one_line(text: str, limit: int) -> str:
    """User text for a list line or a label: whitespace collapsed, escaped, then cut."""
    return cut(escape(" ".join(str(text or "").split())), limit)


def chunks(text: str, limit: int = SECTION) -> list[str]:
    """``text`` split into pieces of at most ``limit`` characters, at line breaks where it can,
    else at spaces, never inside a token. Nothing is lost."""
    out: list[str] = []
    rest = text
    while len(rest) > limit:
        end = _safe_end(rest, limit)
        window = rest[:end]
        at = window.rfind("\n")
        if at < limit // 2:
            at = window.rfind(" ")
        if at < limit // 2:
            at = end
        if at <= 0:  # a single token longer than the limit (not produced by escape): hard split
            at = limit
        out.append(rest[:at])
        rest = rest[at + 1 :] if rest[at : at + 1] in ("\n", " ") else rest[at:]
    if rest or not out:
        out.append(rest)
    return out


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def plain(text: str, limit: int, suffix: str = "") -> Block:
    """A plain_text object within ``limit`` (plain text is shown as typed: no escaping)."""
    return {"type": "plain_text", "text": cut(str(text), limit, suffix) or " "}


def section(text: str) -> Block:
    """One section block; text over 3000 characters is cut (use ``sections`` for whole texts)."""
    return {"type": "section", "text": mrkdwn(cut(text, SECTION))}


def sections(text: str) -> list[Block]:
    """As many section blocks as ``text`` needs: nothing is cut."""
    return [{"type": "section", "text": mrkdwn(part)} for part in chunks(text, SECTION) if part.strip()]


def labelled(label: str, value: str) -> list[Block]:
    """``*label*`` and the user's ``value`` (escaped here), in full."""
    return sections(f"*{label}*\n{escape(value)}")


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(cut(text, CONTEXT))]}


def field(text: str) -> Block:
    return mrkdwn(cut(text, FIELD))


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER)}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    b: Block = {"type": "button", "text": plain(text, BUTTON), "action_id": action_id, "value": value}
    if style:
        b["style"] = style
    return b


def option(text: str, value: str, suffix: str = "") -> Block:
    """A select option; ``suffix`` (e.g. `` ★``) is kept and counted in the 75 characters."""
    return {"text": plain(text, OPTION, suffix), "value": value}


def title(text: str) -> Block:
    """A modal's title, submit or close text."""
    return plain(text, TITLE)


def day(value: str | datetime | None) -> str:
    """A date (an ISO string or a datetime) as ``YYYY-MM-DD``; ``?`` when there is none."""
    if not value:
        return "?"
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{dt:%Y-%m-%d}"


def squeeze(text: str | None, limit: int) -> str:
    """A one-line summary of (unescaped) text; the cut counts the whole result."""
    return cut(" ".join(("" if text is None else str(text)).split()), limit)


def usage(command: str, *usages: str, problem: str = "") -> str:
    """How to type a subcommand, after what was wrong with the last try."""
    lines = "\n".join(f"`{command} {u}`" for u in usages)
    return f"{problem} Usage:\n{lines}".strip()


def shown_input(text: str) -> str:
    """Echo a bit of what someone typed, safely."""
    return one_line(text, 40)


# -- the help answer -----------------------------------------------------------------------------


def help_line(command: str, entry: HelpEntry) -> str:
    example = f" _e.g._ `{command} {entry.example}`" if entry.example else ""
    return f"`{command} {entry.usage}` — {entry.description}{example}"


def help_answer(
    command: str, entries: Sequence[HelpEntry], *, moderator: bool, problem: str = ""
) -> tuple[str, list[Block]]:
    """`help`: every command anyone may use, and the moderators' section only for a moderator
    (the others would only be refused)."""
    everyone = [help_line(command, e) for e in entries if not e.moderator_only]
    theirs = [help_line(command, e) for e in entries if e.moderator_only] if moderator else []
    head = f"{problem} Here is what I can do:".strip()
    text = head + "\n" + "\n".join(everyone)
    out = [section(head), *sections("\n".join(everyone))]
    if theirs:
        text += "\n*For moderators:*\n" + "\n".join(theirs)
        out += sections("*For moderators*\n" + "\n".join(theirs))
    out.append(context("Only you see these answers. Mention people with @ so Slack links them."))
    return cut(text, SECTION), out


def unknown_command(command: str, typed: str, nearest: str | None) -> str:
    """One line for a subcommand that does not exist: the closest one, and where the list is."""
    shown = f"`{shown_input(typed)}`" if typed else "that"
    guess = f" Did you mean `{command} {nearest}`?" if nearest else ""
    return f"I don't know the command {shown}.{guess} `{command} help` lists what I can do."
