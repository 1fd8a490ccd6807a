"""Commands written to the bot on the forum (a PM or an @mention), answered in Markdown in the
same topic. The parser and the services are the ones Slack uses."""

from __future__ import annotations

from bot.program.applications import StatusView
from bot.program.badges.forum import ForumPost, Outcome
from bot.program.commands import HELP, parse
from bot.program.errors import ProgramError
from bot.services import Services

FORUM_COMMANDS = ("help", "status", "onboarding", "find", "renew")


def _help(problem: str | None) -> str:
    lines = [f"{problem} " if problem else "", "Commands you can send me here:\n"]
    forum_usage = {"renew": ("renew <your plans>", "Renew your ambassador term (re-affirms the guidelines).")}
    for entry in HELP:
        if entry.name in FORUM_COMMANDS and not entry.moderator_only:
            usage, description = forum_usage.get(entry.name, (entry.usage, entry.description))
            lines.append(f"- `{usage}` — {description}")
    lines.append("\nEverything else is in Slack: type `/ambassador help` there.")
    return "\n".join(lines).strip()


def _date(value: object) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else "?"


def _status(view: StatusView, checklist_only: bool = False) -> str:
    if not view.known:
        return "You have not applied yet. Apply in Slack with `/ambassador apply`."
    out: list[str] = []
    if not checklist_only:
        if view.ambassador_status == "active":
            out.append(f"**You are an ambassador** until {_date(view.term_end)}.")
        elif view.ambassador_status:
            out.append(f"Your ambassador status: **{view.ambassador_status}**.")
        if view.application_status == "pending":
            out.append(f"Your application #{view.application_id} is waiting for a moderator's review.")
        elif view.application_status == "rejected":
            out.append(f"Your application #{view.application_id} was not accepted.")
    if view.steps:
        done = sum(1 for s in view.steps if s.done)
        out.append(f"\n**Onboarding: {done} of {len(view.steps)} done**\n")
        out.extend(f"- [{'x' if s.done else ' '}] {s.title}" for s in view.steps)
    elif checklist_only:
        out.append("You have no onboarding checklist (it starts when you become an ambassador).")
    return "\n".join(out)


async def render_answer(services: Services, post: ForumPost, text: str) -> str:
    parsed = parse(text)
    if parsed.name not in FORUM_COMMANDS or parsed.name == "help":
        problem = parsed.problem
        if parsed.name not in FORUM_COMMANDS:
            problem = f"`{parsed.name}` is only available in Slack."
        return _help(problem)
    slack_id = await services.forum.slack_id_for(post.username, post.user_id)
    if slack_id is None:
        return (
            "I don't know who you are in Slack yet. Link your forum account there with "
            f"`/ambassador link {post.username}`, then ask me again."
        )
    if parsed.name == "find":
        return await _find(services, parsed.rest)
    if parsed.name == "renew":
        return await _renew(services, slack_id, parsed.rest)
    view = await services.applications.status(slack_id)
    return _status(view, checklist_only=parsed.name == "onboarding")


async def _find(services: Services, words: str) -> str:
    if not words.strip():
        return "Tell me what to look for, e.g. `find kubernetes berlin`."
    result = await services.profiles.find(words)
    if not result.hits:
        return f"No active ambassador matches “{words[:100]}”."
    lines = [f"Ambassadors for “{words[:100]}”, best matches first:\n"]
    for hit in result.hits:
        where = ", ".join(x for x in (hit.city, hit.country) if x)
        extra = f" — {hit.expertise}" if hit.expertise else ""
        lines.append(f"- **{hit.name}**{f' ({where})' if where else ''}{extra}")
    if result.total > len(result.hits):
        lines.append(f"\n…and {result.total - len(result.hits)} more; narrow it down with more words.")
    return "\n".join(lines)


async def _renew(services: Services, slack_id: str, plans: str) -> str:
    if not plans.strip():
        return (
            "To renew, send `renew <what you will focus on in your next term>`. Sending it re-affirms the "
            "ambassador guidelines."
        )
    try:
        result = await services.applications.submit_renewal(slack_id, {"reaffirm": "yes", "plans": plans})
    except ProgramError as err:
        return err.message
    if services.settings.renewals.auto_approve:
        return "Your term is renewed. Thank you for staying on!"
    return f"Renewal #{result.application_id} is with the moderators; you'll hear from them in Slack."


async def maybe_answer(services: Services, post: ForumPost) -> Outcome | None:
    text = services.forum.addressed_to_bot(post)
    if text is None:
        return None
    return await services.forum.answer(post, await render_answer(services, post, text))
