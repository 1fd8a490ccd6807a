"""Block Kit of stepping down: the confirm prompt and the moderators' notice. `templates()` names
the outbox message templates built here (the renewal form and reminders are in events.views)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from handlers.slack import text as kit
from handlers.slack.blocks import Block, MessageRenderer, button, context, escape, section

# Action ids (the contract between these blocks and the listeners).
RETIRE_CONFIRM = "retire_confirm"
RETIRE_CANCEL = "retire_cancel"


# -- stepping down ---------------------------------------------------------------------------


def _stepped_down(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    name = escape(str(d.get("name") or ""))
    text = f"<@{d['user']}> ({name}) stepped down as an ambassador (since {kit.day(d.get('term_start'))})."
    out = [section(f"👋 {text}")]
    if d.get("forum_username"):
        out.append(
            context(
                f"Forum badge and group membership of {escape(str(d['forum_username']))} are being removed."
            )
        )
    return text, out


def retire_prompt(ambassador_id: int, term_start: datetime, term_end: datetime) -> tuple[str, list[Block]]:
    text = (
        f"Do you want to step down as an ambassador? Your term runs {term_start:%Y-%m-%d} to "
        f"{term_end:%Y-%m-%d}. You'll become an alumnus: the forum badge and the ambassadors group "
        "are removed. You can apply again later."
    )
    return text, [
        section(text),
        {
            "type": "actions",
            "block_id": "retire",
            "elements": [
                button("Yes, step down", RETIRE_CONFIRM, str(ambassador_id), "danger"),
                button("Cancel", RETIRE_CANCEL, "cancel"),
            ],
        },
    ]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {"stepped_down": _stepped_down}
