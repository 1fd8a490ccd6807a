"""The review card both intakes post for the moderators (an application, a nomination): a header,
the summary line, what was sent, then who decided and how, or the two decision buttons while the
message allows them; and `actions`, a row of buttons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.slack import text as kit
from handlers.slack.blocks import Block, button, context, section


@dataclass(frozen=True)
class Decided:
    note: str  # the context line, e.g. "✅ Approved by <@U1>"
    summary: str  # appended to the fallback text, e.g. "approved by <@U1>"
    details: Sequence[Block] = ()  # shown under the note (the reason)


@dataclass(frozen=True)
class Choice:
    label: str
    action_id: str


def review_card(
    title: str,
    text: str,
    body: Sequence[Block],
    *,
    buttons: tuple[Choice, Choice] | None,
    value: str,
    block_id: str,
    decided: Decided | None,
) -> tuple[str, list[Block]]:
    """The card's fallback text and blocks; `buttons` (yes, no) when it can still be decided."""
    blocks: list[Block] = [kit.header(title), section(text), *body]
    if decided is not None:
        blocks.append(context(decided.note))
        blocks.extend(decided.details)
        text += f" — {decided.summary}"
    if buttons is not None:
        yes, no = buttons
        blocks.append(
            actions(
                block_id,
                button(yes.label, yes.action_id, value, "primary"),
                button(no.label, no.action_id, value, "danger"),
            )
        )
    return text, blocks


def actions(block_id: str, *elements: Block) -> Block:
    """A row of buttons (the intakes' cards and DMs)."""
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}
