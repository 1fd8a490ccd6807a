"""What Slack does to a slash command's text before it reaches the app, when the command is
registered with ``should_escape: true`` (as slack-app-manifest.yml registers ``/ambassador``).

https://api.slack.com/interactivity/slash-commands ("should_escape", "How to parse a slash
command"): with escaping on, a mention of a workspace member typed as ``@jane`` arrives as
``<@U012ABCDEF|jane>``, a channel typed as ``#general`` as ``<#C012ABCDEF|general>``, and the
special mentions ``@here``, ``@channel`` and ``@everyone`` as ``<!here>``, ``<!channel>`` and
``<!everyone>`` (https://api.slack.com/reference/surfaces/formatting#special-mentions). A name
that is no member or channel stays as typed, and text already in that form is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["escape_command_text"]

SPECIAL_MENTIONS = frozenset({"here", "channel", "everyone"})

# ``@name`` / ``#name`` not inside ``<…>`` or a word (an e-mail address keeps its ``@``); a name
# may hold letters, digits, ``.``, ``-`` and ``_`` but does not end with a full stop.
_MENTION = re.compile(r"(?<![<\w|])([@#])([\w][\w.-]*[\w-]|[\w])")


def escape_command_text(
    text: str, users: Mapping[str, Mapping[str, Any]], channels: Mapping[str, Mapping[str, Any]]
) -> str:
    """``text`` as Slack sends it with ``should_escape: true``: ``users`` and ``channels`` are the
    workspace's (id → object with ``name``); direct-message channels are not named."""
    people = {str(u.get("name", "")).lower(): uid for uid, u in users.items() if not u.get("deleted")}
    rooms = {
        str(c.get("name", "")).lower(): cid
        for cid, c in channels.items()
        if c.get("name") and not c.get("is_im")
    }

    def replace(match: re.Match[str]) -> str:
        sigil, name = match.group(1), match.group(2)
        key = name.lower()
        if sigil == "@" and key in SPECIAL_MENTIONS:
            return f"<!{key}>"
        if sigil == "@" and key in people:
            return f"<@{people[key]}|{name}>"
        if sigil == "#" and key in rooms:
            return f"<#{rooms[key]}|{name}>"
        return match.group(0)

    return _MENTION.sub(replace, text)
