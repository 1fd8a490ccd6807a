"""Block Kit of nominations: the review card (drawn by `applications.card.review_card`, as an
application's), the invitation DM and the outcome, and the answer to `nominate`. `templates()`
registers the typed messages drawn here."""

from __future__ import annotations

from bot.program.nominations import NominationResult
from bot.program.nominations.messages import NominationInvite, NominationOutcome, NominationReview
from handlers.slack import text as kit
from handlers.slack.applications.card import Choice, Decided, actions, review_card
from handlers.slack.blocks import Block, MessageRenderer, button, escape, section, typed

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


INVITE_OR_DECLINE = (Choice("Invite to apply", NOMINATION_INVITE), Choice("Decline", NOMINATION_DECLINE))


def _nomination_review(msg: NominationReview) -> tuple[str, list[Block]]:
    nom_id = msg.nomination_id
    decided = None
    if msg.decision:
        mark = "✅ Invited to apply" if msg.decision == "invited" else "❌ Declined"
        note = f"{mark} by <@{msg.decided_by}>"
        decided = Decided(note, note.split(" ", 1)[1].lower())
    return review_card(
        f"Nomination #{nom_id}",
        f"New nomination #{nom_id}: <@{msg.nominator}> nominates <@{msg.nominee}>",
        kit.labelled("Why", msg.reason.strip()),  # in full, for the moderators
        buttons=INVITE_OR_DECLINE if msg.can_decide else None,
        value=str(nom_id),
        block_id=f"nomination_{nom_id}",
        decided=decided,
    )


def _nomination_invite(msg: NominationInvite) -> tuple[str, list[Block]]:
    program = escape(msg.program or "the ambassador program")
    text = (
        f"<@{msg.nominator}> nominated you to become one of the {program}, and the moderators "
        "would love you to apply!"
    )
    out: list[Block] = [section(f"🌟 {text}")]
    if msg.reason:
        out.extend(kit.labelled("What they said", msg.reason.strip()))
    form = button("Open the application form", NOMINATION_APPLY, str(msg.nomination_id), "primary")
    out.append(actions("nomination_apply", form))
    return text, out


def _nomination_outcome(msg: NominationOutcome) -> tuple[str, list[Block]]:
    if msg.status == "invited":
        text = f"Good news: the moderators invited <@{msg.nominee}> to apply, thanks to your nomination."
    else:
        text = (
            f"The moderators decided not to invite <@{msg.nominee}> this time. Thank you for the nomination."
        )
    return text, [section(text)]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        NominationReview.kind: typed(NominationReview, _nomination_review),
        NominationInvite.kind: typed(NominationInvite, _nomination_invite),
        NominationOutcome.kind: typed(NominationOutcome, _nomination_outcome),
    }
