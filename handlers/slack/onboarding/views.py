"""Block Kit of onboarding: the checklist, the stuck report, the answer to ticking a step, and the
outbox message `Announcement` (registered by `templates()`)."""

from __future__ import annotations

from bot.program.onboarding.messages import Announcement
from bot.program.onboarding.steps import HOW, Checklist, StepResult, StuckReport
from handlers.slack import text as kit
from handlers.slack.blocks import Block, MessageRenderer, context, escape, section, typed

# The welcome DM's button (the contract between the welcome blocks and the listener).
ACK_GUIDELINES = "onboarding_ack_guidelines"

STEP_HINTS = {
    "intro": "post your introduction in the forum intro topic (link your forum account first)",
    "guidelines": "press “I have read the guidelines” in your welcome message or Home tab",
    "profile": "type `{command} profile` and save the form",
}


# -- onboarding ------------------------------------------------------------------------------


def checklist_message(c: Checklist, mine: bool, command: str) -> tuple[str, list[Block]]:
    who = "Your" if mine else f"<@{c.slack_user_id}>'s"
    head = f"*{who} onboarding: {c.done} of {len(c.steps)} done* (ambassador since {c.term_start:%Y-%m-%d})"
    lines = []
    for s in c.steps:
        if s.done:
            by = f" — by <@{s.completed_by}>" if s.completed_by and s.completed_by[:1] in "UW" else ""
            lines.append(f"✅ {escape(s.title)} ({kit.day(s.completed_at)}{by})")
        else:
            hint = STEP_HINTS.get(s.key, HOW.get(s.completes, "")).format(command=command)
            if not mine and s.completes == "moderator":
                hint = f"`{command} onboarding done <@{c.slack_user_id}> {s.key}`"
            lines.append(f"⬜ {escape(s.title)} — _{hint}_ (`{s.key}`)")
    text = head + "\n" + "\n".join(lines)
    return text, [section(text)]


def stuck_message(report: StuckReport) -> tuple[str, list[Block]]:
    if not report.entries:
        text = "Nobody is stuck: every active ambassador has finished onboarding. 🎉"
        return text, [section(text)]
    head = f"*{report.total} active ambassador(s) with unfinished onboarding*, longest-serving first:"
    lines = [
        f"• <@{e.slack_user_id}> ({kit.one_line(e.name, 60)}) — {e.days_since_approval} days since approval; "
        f"open: {kit.one_line(', '.join(e.open_steps), 200)}"
        for e in report.entries
    ]
    out = [section(head)] + [section("\n".join(lines[i : i + 6])) for i in range(0, len(lines), 6)]
    if report.total > len(report.entries):
        out.append(context(f"…and {report.total - len(report.entries)} more."))
    return head + "\n" + "\n".join(lines), out


def step_ticked_message(result: StepResult, user: str) -> str:
    if not result.newly_completed:
        return f"“{result.title}” was already done for <@{user}>."
    return f"Ticked “{result.title}” for <@{user}>. {result.remaining} step(s) to go."


# -- the announcement of a new ambassador ----------------------------------------------------------


def _announcement(msg: Announcement) -> tuple[str, list[Block]]:
    program = escape(msg.program or "the ambassador program")
    who = (
        f"{kit.one_line(msg.name, 80)} (<@{msg.slack_user_id}>)"
        if msg.slack_user_id
        else kit.one_line(msg.name, 80)
    )
    text = f"🎉 Please welcome {who}, a new member of {program}!"
    facts = []
    if msg.location:
        facts.append(f"*Location:* {kit.one_line(msg.location, 100)}")
    if msg.expertise:
        facts.append(f"*Expertise:* {kit.one_line(msg.expertise, 300)}")
    out = [section(text)]
    if facts:
        out.append(section("\n".join(facts)))
    return text, out


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {Announcement.kind: typed(Announcement, _announcement)}
