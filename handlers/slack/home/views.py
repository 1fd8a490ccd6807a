"""The App Home tab, drawn from the typed snapshot of bot.program.home (`Home`). `view_templates()`
names it as the "home" view template (collected by handlers.slack.renderers)."""

from __future__ import annotations

from bot.program.home.messages import Home, HomeStep, PendingApplication, PendingNomination, ReviewQueue
from bot.program.messages import encode
from bot.program.text import plural
from handlers.slack import text as kit
from handlers.slack.applications.views import APPROVE, REJECT
from handlers.slack.blocks import (
    Block,
    ViewRenderer,
    button,
    context,
    escape,
    section,
    typed_view,
)
from handlers.slack.events import views as views_events
from handlers.slack.nominations.views import NOMINATION_DECLINE, NOMINATION_INVITE
from handlers.slack.onboarding.views import ACK_GUIDELINES, STEP_HINTS
from handlers.slack.requests import views as views_requests

TEMPLATE = Home.kind  # the view template name of SLACK_HOME outbox rows
NO_EVENTS = "No upcoming events yet."
NO_REQUESTS = "No open requests yet."


def _header(text: str) -> Block:
    return kit.header(text)


def _status(home: Home) -> str:
    command = home.command
    status = home.ambassador_status
    app = home.application
    lines: list[str] = []
    if status == "active":
        lines.append(
            f"*You are an ambassador* until {kit.day(home.term_end)} (since {kit.day(home.term_start)})."
        )
    elif status == "alumni":
        lines.append(
            f"You are an *alumnus* of the program (your term ended {kit.day(home.term_end)}). "
            f"You can apply again any time with `{command} apply`."
        )
    if app is not None and app.status == "pending":
        lines.append(f"Your application #{app.id} (sent {kit.day(app.submitted_at)}) is waiting for review.")
    elif app is not None and app.status == "rejected" and status != "active":
        lines.append(f"Your application #{app.id} was not accepted on {kit.day(app.decided_at)}.")
    if not lines:
        lines.append(f"You are not an ambassador yet. Type `{command} apply` to open the application form.")
    return "\n".join(lines)


def _forum(home: Home) -> str:
    if home.forum_username and home.forum_linked:
        return f"Forum account: *{escape(home.forum_username)}* (linked)"
    return f"Forum account: not linked — type `{home.command} link <forum-username>`."


def _step_line(step: HomeStep, command: str) -> str:
    if step.done:
        return f"✅ {escape(step.title)}"
    hint = STEP_HINTS.get(step.key, "a moderator ticks this" if step.completes == "moderator" else "")
    hint = hint.format(command=command)
    return f"⬜ {escape(step.title)}" + (f" — _{hint}_" if hint else "")


def _checklist(home: Home) -> list[Block]:
    steps = home.steps
    if not steps:
        return []
    done = sum(1 for s in steps if s.done)
    lines = "\n".join(_step_line(s, home.command) for s in steps)
    out: list[Block] = [_header(f"Onboarding: {done} of {len(steps)} done"), section(lines)]
    if any(s.key == "guidelines" and not s.done for s in steps):
        if home.guidelines_url:
            out.append(context(f"Guidelines: <{home.guidelines_url}|ambassador guidelines>"))
        ack = button("I have read the guidelines", ACK_GUIDELINES, "guidelines", "primary")
        out.append({"type": "actions", "block_id": "home_onboarding", "elements": [ack]})
    return out


def _review_item(
    text: str, block_id: str, item_id: int, yes: tuple[str, str], no: tuple[str, str]
) -> list[Block]:
    """One item of the review queue: what it is, and its two decision buttons."""
    elements = [button(yes[0], yes[1], str(item_id), "primary"), button(no[0], no[1], str(item_id), "danger")]
    return [section(text), {"type": "actions", "block_id": block_id, "elements": elements}]


def _more(total: int, shown: int, what: str) -> list[Block]:
    n = total - shown
    return [context(f"…and {plural(n, 'more ' + what)} in the moderators' channel.")] if n > 0 else []


def _application(a: PendingApplication) -> list[Block]:
    who = f"<@{a.applicant}>" if a.applicant else ""
    text = (
        f"*Application #{a.id}* from {who} — {kit.one_line(a.name, 80)}, "
        f"{kit.one_line(a.location, 80)} (sent {kit.day(a.submitted_at)})\n"
        f"{kit.one_line(a.expertise, 200)}"
    )
    return _review_item(text, f"home_app_{a.id}", a.id, ("Approve", APPROVE), ("Reject", REJECT))


def _nomination(n: PendingNomination) -> list[Block]:
    text = (
        f"*Nomination #{n.id}*: <@{n.nominator}> nominates {_nominee(n)} "
        f"({kit.day(n.created_at)})\n{kit.one_line(n.reason, 200)}"
    )
    buttons = (("Invite to apply", NOMINATION_INVITE), ("Decline", NOMINATION_DECLINE))
    return _review_item(text, f"home_nom_{n.id}", n.id, *buttons)


def _nominee(n: PendingNomination) -> str:
    if n.nominee:
        return f"<@{n.nominee}>"
    return f"{escape(kit.one_line(n.nominee_forum, 60))} (on the forum)"


def _queue(q: ReviewQueue) -> list[Block]:
    out: list[Block] = [
        {"type": "divider"},
        _header("Review queue"),
        section(
            f"*{plural(q.applications_total, 'pending application')}* · "
            f"*{plural(q.nominations_total, 'pending nomination')}*"
        ),
    ]
    for a in q.applications:
        out += _application(a)
    out += _more(q.applications_total, len(q.applications), "application")
    for n in q.nominations:
        out += _nomination(n)
    out += _more(q.nominations_total, len(q.nominations), "nomination")
    return out


def home_view(home: Home) -> Block:
    out: list[Block] = [
        _header(kit.squeeze(home.program or "Ambassador program", 150)),
        section(_status(home)),
        context(_forum(home)),
    ]
    out += _checklist(home)
    out += [
        {"type": "divider"},
        *views_events.home_events(home.events, NO_EVENTS),
        # open requests; the request queue for moderators (drawn from the same data as a mapping)
        *views_requests.home_sections(encode(home)),
    ]
    if home.is_moderator and home.queue is not None:
        out += _queue(home.queue)
    return {"type": "home", "blocks": out[: kit.VIEW_BLOCKS]}


def view_templates() -> dict[str, ViewRenderer]:
    """The view templates built here: template name -> renderer."""
    return {TEMPLATE: typed_view(Home, home_view)}
