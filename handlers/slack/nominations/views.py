"""Block Kit of nominations: the review card (drawn by `applications.card.review_card`, as an
application's), the invitation DM and the outcome, and the answer to `nominate`. `templates()`
registers the typed messages drawn here."""

from __future__ import annotations

from bot.program.nominations import NominationResult
from bot.program.nominations.messages import NominationInvite, NominationOutcome, NominationReview
from handlers.slack import text as kit
from handlers.slack.applications.card import CardKind, actions, review_card
from handlers.slack.blocks import Block, MessageRenderer, button, escape, section, typed

# Action and callback ids (the contract between these blocks and the listeners).
NOMINATION_INVITE = "nomination_invite"
NOMINATION_DECLINE = "nomination_decline"
NOMINATION_APPLY = "nomination_apply"


# -- nominations -----------------------------------------------------------------------------


def nominee_of(slack_id: str, forum: str) -> str:
    """Who was nominated: a Slack mention, or the forum account of someone not in Slack."""
    return f"<@{slack_id}>" if slack_id else f"{escape(forum)} (on the forum)"


def nominated_message(result: NominationResult) -> str:
    return (
        f"Thank you! Your nomination of {nominee_of(result.nominee, result.nominee_forum)} "
        f"(#{result.nomination_id}) is with the moderators. You'll get a message when they decide."
    )


CARD = CardKind(
    "Nomination",
    "nomination",
    (("Invite to apply", NOMINATION_INVITE), ("Decline", NOMINATION_DECLINE)),
    ("invited", "✅ Invited to apply", "❌ Declined"),
    lowercase_summary=True,
)


def _nomination_review(msg: NominationReview) -> tuple[str, list[Block]]:
    who = nominee_of(msg.nominee, msg.nominee_forum)
    text = f"New nomination #{msg.nomination_id}: <@{msg.nominator}> nominates {who}"
    body = kit.labelled("Why", msg.reason.strip())  # in full, for the moderators
    if not msg.nominee:
        body.append(kit.context("Not in Slack: an invitation goes to them as a forum private message."))
    return review_card(CARD, msg.nomination_id, text, body, msg, msg.decided_by)


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
    who = nominee_of(msg.nominee, msg.nominee_forum)
    if msg.status == "invited":
        text = f"Good news: the moderators invited {who} to apply, thanks to your nomination."
    else:
        text = f"The moderators decided not to invite {who} this time. Thank you for the nomination."
    return text, [section(text)]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        NominationReview.kind: typed(NominationReview, _nomination_review),
        NominationInvite.kind: typed(NominationInvite, _nomination_invite),
        NominationOutcome.kind: typed(NominationOutcome, _nomination_outcome),
    }
