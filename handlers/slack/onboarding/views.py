"""Block Kit of onboarding: the checklist, the stuck report, the answer to ticking a step, and the
outbox message `Announcement` (registered by `templates()`)."""

from __future__ import annotations

from bot.program.onboarding.messages import Announcement
from bot.program.onboarding.steps import HOW, Checklist, ChecklistStep, StepResult, StuckReport
from bot.program.text import plural
from handlers.slack import text as kit
from handlers.slack.blocks import MAX_TEXT, Block, MessageRenderer, button, context, escape, section, typed

# The welcome DM's button (the contract between the welcome blocks and the listener).
ACK_GUIDELINES = "onboarding_ack_guidelines"
# The checklist's buttons: the ambassador's Done on a step they complete (its value: the step's
# key), a moderator's Done on a moderator's step (its value: `tick_value`).
STEP_DONE = "onboarding_step_done"
MODERATOR_TICK = "onboarding_moderator_tick"

STEP_HINTS = {
    "intro": "post your introduction in the forum intro topic (link your forum account first)",
    "guidelines": "press “I have read the guidelines” in your welcome message or Home tab",
    "profile": "type `{command} profile` and save the form",
}


def tick_value(slack_user_id: str, key: str) -> str:
    """A moderator's Done button: whose step, which step."""
    return f"{slack_user_id}:{key}"


def parse_tick(value: str) -> tuple[str, str] | None:
    """(Slack user id, step key) of a `tick_value`, or None when it is not one."""
    user, _, key = value.partition(":")
    if not user or not user.isalnum() or not key or len(key) > 40 or not key.replace("_", "").isalnum():
        return None
    return user, key


# -- onboarding ------------------------------------------------------------------------------


def _open_step(c: Checklist, s: ChecklistStep, mine: bool, command: str) -> Block:
    """An open step: how it gets done, its link, and a Done button for whoever completes it."""
    hint = STEP_HINTS.get(s.key, HOW.get(s.completes, "")).format(command=command)
    if s.completes == "button" and s.key not in STEP_HINTS:
        hint = "press Done once you have done it" if mine else "the ambassador presses Done"
    if s.completes == "moderator" and c.moderator_view:
        hint = f"`{command} onboarding done <@{c.slack_user_id}> {s.key}`"
    link = f" · <{s.link}|Open>" if s.link else ""
    block = {**section(f"⬜ {escape(s.title)} — _{hint}_ (`{s.key}`){link}"), "block_id": f"step_{s.key}"}
    if s.completes == "moderator" and c.moderator_view:
        block["accessory"] = button("Done", MODERATOR_TICK, tick_value(c.slack_user_id, s.key))
    elif s.completes == "button" and mine:
        block["accessory"] = button("Done", STEP_DONE, s.key)
    return block


def checklist_message(c: Checklist, mine: bool, command: str) -> tuple[str, list[Block]]:
    who = "Your" if mine else f"<@{c.slack_user_id}>'s"
    head = f"*{who} onboarding: {c.done} of {len(c.steps)} done* (ambassador since {c.term_start:%Y-%m-%d})"
    out = [section(head)]
    for s in c.steps:
        if s.done:
            by = f" — by <@{s.completed_by}>" if s.completed_by and s.completed_by[:1] in "UW" else ""
            out.append(section(f"✅ {escape(s.title)} ({kit.day(s.completed_at)}{by})"))
        else:
            out.append(_open_step(c, s, mine, command))
    text = "\n".join(b["text"]["text"] for b in out)
    return kit.cut(text, MAX_TEXT), out


def stuck_message(report: StuckReport) -> tuple[str, list[Block]]:
    if not report.entries:
        text = "Nobody is stuck: every active ambassador has finished onboarding. 🎉"
        return text, [section(text)]
    head = f"*{plural(report.total, 'active ambassador')} with unfinished onboarding*, longest-serving first:"
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
    return f"Ticked “{result.title}” for <@{user}>. {plural(result.remaining, 'step')} to go."


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
