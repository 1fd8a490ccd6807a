"""The review card both intakes post for the moderators (an application, a nomination): a header,
the summary line, what was sent, then who decided and how, or the two decision buttons while the
message allows them; and `actions`, a row of buttons.

What differs between the two cards is data (`CardKind`): the title, the block id, the buttons and
the mark of each decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.program.applications.messages import ReviewCard
from handlers.slack import text as kit
from handlers.slack.blocks import Block, button, context, section


@dataclass(frozen=True)
class CardKind:
    title: str  # the header, before " #<id>"
    block: str  # the buttons' block id, before "_<id>"
    buttons: tuple[tuple[str, str], tuple[str, str]]  # (label, action id) of yes, then of no
    marks: tuple[str, str, str]  # the "yes" decision, its mark ("✅ Approved"), any other's mark
    # The nomination card's fallback text has always lowercased the decider's mention too.
    lowercase_summary: bool = False

    def summary(self, mark: str, decided_by: str | None) -> str:
        """The end of the fallback text once decided: "approved by <@U1>"."""
        words = mark.split(" ", 1)[1]
        if self.lowercase_summary:
            return f"{words} by <@{decided_by}>".lower()
        return f"{words.lower()} by <@{decided_by}>"


def review_card(
    kind: CardKind,
    item_id: int,
    text: str,
    body: Sequence[Block],
    card: ReviewCard,
    decided_by: str | None,
    details: Sequence[Block] = (),
) -> tuple[str, list[Block]]:
    """The card's fallback text and blocks; `details` (the reason) go under the decision."""
    blocks: list[Block] = [kit.header(f"{kind.title} #{item_id}"), section(text), *body]
    if card.decision:
        approving, yes_mark, no_mark = kind.marks
        mark = yes_mark if card.decision == approving else no_mark
        blocks.append(context(f"{mark} by <@{decided_by}>"))
        blocks.extend(details)
        text += f" — {kind.summary(mark, decided_by)}"
    if card.can_decide:
        value = str(item_id)
        (yes, yes_id), (no, no_id) = kind.buttons
        row = (button(yes, yes_id, value, "primary"), button(no, no_id, value, "danger"))
        blocks.append(actions(f"{kind.block}_{item_id}", *row))
    return text, blocks


def actions(block_id: str, *elements: Block) -> Block:
    """A row of buttons (the intakes' cards and DMs)."""
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}
