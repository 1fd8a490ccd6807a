"""Block Kit of terms: the typed renewal reminder and confirmation, the onboarding nudge and the
moderators' note that someone stepped down (`templates()`), and the stepping-down prompt. The
renewal form the reminder's button opens is in events.views."""

from __future__ import annotations

from datetime import datetime

from bot.program.terms.messages import OnboardingNudge, RenewalReminder, Renewed, SteppedDown
from bot.program.text import plural
from handlers.slack import text as kit
from handlers.slack.blocks import Block, MessageRenderer, button, context, escape, section, typed
from handlers.slack.events.views import RENEW

# Action ids (the contract between these blocks and the listeners).
RETIRE_CONFIRM = "retire_confirm"
RETIRE_CANCEL = "retire_cancel"


# -- stepping down ---------------------------------------------------------------------------


def _stepped_down(msg: SteppedDown) -> tuple[str, list[Block]]:
    since = kit.day(msg.term_start)
    text = f"<@{msg.user}> ({escape(msg.name)}) stepped down as an ambassador (since {since})."
    out = [section(f"👋 {text}")]
    if msg.forum_username:
        out.append(
            context(f"Forum badge and group membership of {escape(msg.forum_username)} are being removed.")
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


# -- renewal and onboarding -------------------------------------------------------------------


def _renewal_reminder(msg: RenewalReminder) -> tuple[str, list[Block]]:
    text = (
        f"Your term as an ambassador of {escape(msg.program or 'the program')} ends on "
        f"{msg.term_end:%Y-%m-%d} (in {plural(msg.days, 'day')}). Renew to stay on: it takes a minute."
    )
    return text, [
        section(text),
        {"type": "actions", "elements": [button("Renew", RENEW, "renew", "primary")]},
    ]


def _renewed(msg: Renewed) -> tuple[str, list[Block]]:
    text = (
        f"🎉 Your ambassador term was renewed; it now runs until {msg.term_end:%Y-%m-%d}. "
        "Thank you for staying on!"
    )
    return text, [section(text)]


def _onboarding_nudge(msg: OnboardingNudge) -> tuple[str, list[Block]]:
    steps = "\n".join(f"⬜ {escape(s.title)}" for s in msg.steps)
    text = f"Hi {escape(msg.name)}! A gentle reminder: these onboarding steps are still open:\n{steps}"
    return text, [section(text), context("`/ambassador onboarding` shows your checklist.")]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        SteppedDown.kind: typed(SteppedDown, _stepped_down),
        RenewalReminder.kind: typed(RenewalReminder, _renewal_reminder),
        Renewed.kind: typed(Renewed, _renewed),
        OnboardingNudge.kind: typed(OnboardingNudge, _onboarding_nudge),
    }
