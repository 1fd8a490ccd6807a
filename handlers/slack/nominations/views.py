"""Block Kit of nominations: the review message, the invitation DM and the outcome, and the
answer to `nominate`. `templates()` names the outbox message templates built here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.program.nominations import NominationResult
from handlers.slack import text as kit
from handlers.slack.blocks import Block, MessageRenderer, button, context, escape, section

# Action and callback ids (the contract between these blocks and the listeners).
NOMINATION_INVITE = "nomination_invite"
NOMINATION_DECLINE = "nomination_decline"
NOMINATION_APPLY = "nomination_apply"


# -- nominations -----------------------------------------------------------------------------


def nominated_message(result: NominationResult) -> str:
    return (
        f"Thank you! Your nomination of <@{result.nominee}> (#{result.nomination_id}) is with the "
        "moderators. You'll get a message when they decide."
    )


def _nomination_review(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    nom_id = d["nomination_id"]
    text = f"New nomination #{nom_id}: <@{d['nominator']}> nominates <@{d['nominee']}>"
    out: list[Block] = [
        kit.header(f"Nomination #{nom_id}"),
        section(text),
        *kit.labelled("Why", str(d.get("reason") or "").strip()),  # in full, for the moderators
    ]
    decision = d.get("decision")
    if decision:
        mark = "✅ Invited to apply" if decision == "invited" else "❌ Declined"
        note = f"{mark} by <@{d['decided_by']}>"
        out.append(context(note))
        text += f" — {note.split(' ', 1)[1].lower()}"
    else:
        out.append(
            {
                "type": "actions",
                "block_id": f"nomination_{nom_id}",
                "elements": [
                    button("Invite to apply", NOMINATION_INVITE, str(nom_id), "primary"),
                    button("Decline", NOMINATION_DECLINE, str(nom_id), "danger"),
                ],
            }
        )
    return text, out


def _nomination_invite(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    program = escape(str(d.get("program") or "the ambassador program"))
    text = (
        f"<@{d['nominator']}> nominated you to become one of the {program}, and the moderators "
        "would love you to apply!"
    )
    out: list[Block] = [section(f"🌟 {text}")]
    if d.get("reason"):
        out.extend(kit.labelled("What they said", str(d["reason"]).strip()))
    out.append(
        {
            "type": "actions",
            "block_id": "nomination_apply",
            "elements": [
                button("Open the application form", NOMINATION_APPLY, str(d["nomination_id"]), "primary")
            ],
        }
    )
    return text, out


def _nomination_outcome(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    if d.get("status") == "invited":
        text = f"Good news: the moderators invited <@{d['nominee']}> to apply, thanks to your nomination."
    else:
        text = (
            f"The moderators decided not to invite <@{d['nominee']}> this time. Thank you for the nomination."
        )
    return text, [section(text)]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        "nomination_review": _nomination_review,
        "nomination_invite": _nomination_invite,
        "nomination_outcome": _nomination_outcome,
    }
