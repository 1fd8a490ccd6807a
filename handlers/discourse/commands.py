"""Commands written to the bot on the forum (a PM or an @mention), answered in Markdown in the
same topic. The parser and the services are the ones Slack uses."""

from __future__ import annotations

from bot.program.applications import StatusView
from bot.program.commands import HELP, parse
from bot.program.forum import ForumPost, Outcome
from bot.services import Services

FORUM_COMMANDS = ("help", "status", "onboarding")


def _help(problem: str | None) -> str:
    lines = [f"{problem} " if problem else "", "Commands you can send me here:\n"]
    for entry in HELP:
        if entry.name in FORUM_COMMANDS and not entry.moderator_only:
            lines.append(f"- `{entry.usage}` — {entry.description}")
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
    view = await services.applications.status(slack_id)
    return _status(view, checklist_only=parsed.name == "onboarding")


async def maybe_answer(services: Services, post: ForumPost) -> Outcome | None:
    text = services.forum.addressed_to_bot(post)
    if text is None:
        return None
    return await services.forum.answer(post, await render_answer(services, post, text))
