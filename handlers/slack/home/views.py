"""The App Home tab, built from the neutral snapshot of bot.program.home. `view_templates()` names
it as the "home" view template (collected by handlers.slack.renderers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.slack import text as kit
from handlers.slack.applications.views import APPROVE, REJECT
from handlers.slack.blocks import (
    Block,
    ViewRenderer,
    button,
    context,
    escape,
    section,
)
from handlers.slack.nominations.views import NOMINATION_DECLINE, NOMINATION_INVITE
from handlers.slack.onboarding.views import ACK_GUIDELINES, STEP_HINTS
from handlers.slack.requests import views as views_requests

TEMPLATE = "home"  # the view template name services put in SLACK_HOME outbox rows
NO_EVENTS = "No upcoming events yet."
NO_REQUESTS = "No open requests yet."


def _header(text: str) -> Block:
    return kit.header(text)


def _status(d: Mapping[str, Any]) -> str:
    command = d.get("command", "/ambassador")
    status = d.get("ambassador_status")
    app = d.get("application") or {}
    lines: list[str] = []
    if status == "active":
        lines.append(
            f"*You are an ambassador* until {kit.day(d.get('term_end'))} "
            f"(since {kit.day(d.get('term_start'))})."
        )
    elif status == "alumni":
        lines.append(
            f"You are an *alumnus* of the program (your term ended {kit.day(d.get('term_end'))}). "
            f"You can apply again any time with `{command} apply`."
        )
    if app.get("status") == "pending":
        lines.append(
            f"Your application #{app['id']} (sent {kit.day(app.get('submitted_at'))}) is waiting for review."
        )
    elif app.get("status") == "rejected" and status != "active":
        lines.append(f"Your application #{app['id']} was not accepted on {kit.day(app.get('decided_at'))}.")
    if not lines:
        lines.append(f"You are not an ambassador yet. Type `{command} apply` to open the application form.")
    return "\n".join(lines)


def _forum(d: Mapping[str, Any]) -> str:
    command = d.get("command", "/ambassador")
    username = d.get("forum_username")
    if username and d.get("forum_linked"):
        return f"Forum account: *{escape(str(username))}* (linked)"
    return f"Forum account: not linked — type `{command} link <forum-username>`."


def _checklist(d: Mapping[str, Any]) -> list[Block]:
    steps = d.get("steps") or []
    if not steps:
        return []
    command = d.get("command", "/ambassador")
    done = sum(1 for s in steps if s.get("done"))
    lines = []
    for s in steps:
        if s.get("done"):
            lines.append(f"✅ {escape(str(s['title']))}")
        else:
            hint = STEP_HINTS.get(
                str(s.get("key")), "a moderator ticks this" if s.get("completes") == "moderator" else ""
            )
            hint = hint.format(command=command)
            lines.append(f"⬜ {escape(str(s['title']))}" + (f" — _{hint}_" if hint else ""))
    out: list[Block] = [_header(f"Onboarding: {done} of {len(steps)} done"), section("\n".join(lines))]
    elements = []
    if any(s.get("key") == "guidelines" and not s.get("done") for s in steps):
        elements.append(button("I have read the guidelines", ACK_GUIDELINES, "guidelines", "primary"))
    if elements:
        if d.get("guidelines_url"):
            out.append(context(f"Guidelines: <{d['guidelines_url']}|ambassador guidelines>"))
        out.append({"type": "actions", "block_id": "home_onboarding", "elements": elements})
    return out


def _queue(q: Mapping[str, Any]) -> list[Block]:
    apps = q.get("applications") or []
    noms = q.get("nominations") or []
    apps_total = int(q.get("applications_total") or 0)
    noms_total = int(q.get("nominations_total") or 0)
    out: list[Block] = [
        {"type": "divider"},
        _header("Review queue"),
        section(f"*{apps_total} pending application(s)* · *{noms_total} pending nomination(s)*"),
    ]
    for a in apps:
        who = f"<@{a['applicant']}>" if a.get("applicant") else ""
        out.append(
            section(
                f"*Application #{a['id']}* from {who} — {kit.one_line(a.get('name', ''), 80)}, "
                f"{kit.one_line(a.get('location', ''), 80)} (sent {kit.day(a.get('submitted_at'))})\n"
                f"{kit.one_line(a.get('expertise', ''), 200)}"
            )
        )
        out.append(
            {
                "type": "actions",
                "block_id": f"home_app_{a['id']}",
                "elements": [
                    button("Approve", APPROVE, str(a["id"]), "primary"),
                    button("Reject", REJECT, str(a["id"]), "danger"),
                ],
            }
        )
    if apps_total > len(apps):
        out.append(context(f"…and {apps_total - len(apps)} more applications in the moderators' channel."))
    for n in noms:
        out.append(
            section(
                f"*Nomination #{n['id']}*: <@{n['nominator']}> nominates <@{n['nominee']}> "
                f"({kit.day(n.get('created_at'))})\n{kit.one_line(n.get('reason', ''), 200)}"
            )
        )
        out.append(
            {
                "type": "actions",
                "block_id": f"home_nom_{n['id']}",
                "elements": [
                    button("Invite to apply", NOMINATION_INVITE, str(n["id"]), "primary"),
                    button("Decline", NOMINATION_DECLINE, str(n["id"]), "danger"),
                ],
            }
        )
    if noms_total > len(noms):
        out.append(context(f"…and {noms_total - len(noms)} more nominations in the moderators' channel."))
    return out


def home_view(d: Mapping[str, Any]) -> Block:
    out: list[Block] = [
        _header(kit.squeeze(str(d.get("program") or "Ambassador program"), 150)),
        section(_status(d)),
        context(_forum(d)),
    ]
    out += _checklist(d)
    out += [
        {"type": "divider"},
        section(f"*Upcoming events*\n{NO_EVENTS}"),
        *views_requests.home_sections(d),  # open requests; the request queue for moderators
    ]
    if d.get("is_moderator") and d.get("queue"):
        out += _queue(d["queue"])
    return {"type": "home", "blocks": out[: kit.VIEW_BLOCKS]}


def view_templates() -> dict[str, ViewRenderer]:
    """The view templates built here: template name -> renderer."""
    return {TEMPLATE: home_view}
