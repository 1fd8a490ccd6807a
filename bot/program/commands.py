"""The command language shared by Slack and (later) the forum: parse text into a command."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

MAX_COMMAND_TEXT = 4000


@dataclass(frozen=True)
class HelpEntry:
    name: str
    usage: str
    description: str
    moderator_only: bool = False
    example: str = ""  # the text after the command, e.g. "find kubernetes berlin"; default: usage


HELP: tuple[HelpEntry, ...] = (
    HelpEntry("help", "help", "Show this list of commands."),
    HelpEntry("apply", "apply", "Open the application form to become an ambassador."),
    HelpEntry("status", "status", "See your application, your term and your onboarding checklist."),
    HelpEntry(
        "nominate",
        "nominate @user <why>",
        "Suggest someone as an ambassador (a Slack @mention, or their forum username when they are "
        "not in Slack); the moderators may invite them to apply.",
        example="nominate @jane She runs the Berlin Kubernetes meetup",
    ),
    HelpEntry("onboarding", "onboarding", "Your onboarding checklist and how to tick each step."),
    HelpEntry("profile", "profile", "Edit your directory profile: expertise, interests, how to reach you."),
    HelpEntry(
        "find",
        "find <words>",
        "Search the ambassadors by expertise, interests and location.",
        example="find kubernetes berlin",
    ),
    HelpEntry(
        "link",
        "link <forum-username>",
        "Link your forum account: I send a one-time code to your forum inbox.",
        example="link jane_doe",
    ),
    HelpEntry(
        "link",
        "link confirm <code>",
        "Finish linking with the code from the forum message.",
        example="link confirm ABCD-EFGH",
    ),
    HelpEntry("retire", "retire", "Step down as an ambassador (asks you to confirm first)."),
    HelpEntry("events", "events", "Upcoming meetups and office hours, in your own timezone."),
    HelpEntry(
        "office-hours",
        "office-hours",
        "Free 1-to-1 office-hours slots to book (`office-hours cancel` lists yours to cancel).",
    ),
    HelpEntry("calendar", "calendar", "Links to subscribe to the events in your calendar app."),
    HelpEntry(
        "calendar",
        "calendar reset",
        "A new private calendar address; the old one stops working (if it was lost or shared).",
    ),
    HelpEntry("renew", "renew", "Renew your ambassador term before it ends (a short form)."),
    HelpEntry(
        "group",
        "group request",
        "Ask for a new local user group (a form); reviewers answer by direct message.",
        example="group request",
    ),
    HelpEntry("group", "group status", "Your user group requests and groups, and their handover checklist."),
    HelpEntry(
        "group",
        "group organiser add <group> @user",
        "Add an organiser to your group (organisers and moderators); a forum username works too.",
        example="group organiser add OpenStack Auckland @jane",
    ),
    HelpEntry(
        "groups",
        "groups [near <place>|status <status>]",
        "List the user groups: all official and approved ones, those near a place, or by status.",
        example="groups near Auckland",
    ),
    HelpEntry(
        "event",
        "event add | edit <key> | cancel <key> <date> [reason] | skip <key> <date>",
        "Manage the event series: add or edit one, cancel (people are told) or skip an occurrence.",
        moderator_only=True,
        example="event cancel monthly-meetup 2026-12-03 Holiday break",
    ),
    HelpEntry(
        "onboarding",
        "onboarding @user",
        "See someone's onboarding checklist.",
        moderator_only=True,
        example="onboarding @jane",
    ),
    HelpEntry(
        "onboarding",
        "onboarding stuck",
        "Active ambassadors with unfinished onboarding, longest-serving first.",
        moderator_only=True,
    ),
    HelpEntry(
        "onboarding",
        "onboarding done @user <step>",
        "Tick a moderator step of someone's checklist.",
        moderator_only=True,
        example="onboarding done @jane announced",
    ),
    HelpEntry(
        "link",
        "link @user <forum-username>",
        "Link someone's forum account by hand.",
        moderator_only=True,
        example="link @jane jane_doe",
    ),
    HelpEntry(
        "badge",
        "badge grant @user <badge> [reason <forum link>]",
        "Grant a forum badge (by name or id); the reason, if given, links to a forum post.",
        moderator_only=True,
        example="badge grant @jane Speaker",
    ),
    HelpEntry(
        "badge",
        "badge revoke @user <badge>",
        "Take a forum badge back.",
        moderator_only=True,
        example="badge revoke @jane Speaker",
    ),
    HelpEntry(
        "audit",
        "audit @user",
        "The latest 20 audit log entries about a person.",
        moderator_only=True,
        example="audit @jane",
    ),
    HelpEntry(
        "request",
        "request hardware|expense|swag",
        "Ask for hardware, claim an expense or order swag; you get a reference like HW-0007.",
        example="request expense",
    ),
    HelpEntry("requests", "requests", "Your requests and where each one stands."),
    HelpEntry(
        "requests",
        "requests <reference>",
        "One request with its history (yours, or any for moderators).",
        example="requests HW-0007",
    ),
    HelpEntry(
        "requests",
        "requests open",
        "The open requests, oldest first.",
        moderator_only=True,
    ),
    HelpEntry(
        "report",
        "report",
        "The program report (ambassadors, onboarding, renewals, events, requests, groups) in a DM.",
        moderator_only=True,
    ),
    HelpEntry(
        "export",
        "export ambassadors|applications|requests|groups|audit [csv|json]",
        "The data as a file in a DM (CSV unless you say json).",
        moderator_only=True,
        example="export requests csv",
    ),
)

KNOWN = {e.name for e in HELP}


_USER_REF = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def user_ref(arg: str) -> str | None:
    """A Slack user id from a mention (<@U123|name>) or a bare id (U123), else None."""
    m = _USER_REF.match(arg.strip())
    if m:
        return m.group(1)
    bare = arg.strip().lstrip("@")
    return bare if re.fullmatch(r"[UW][A-Z0-9]{2,20}", bare) else None


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: tuple[str, ...] = ()
    rest: str = ""  # the text after the subcommand name, spacing kept
    problem: str | None = None  # set when the text could not be understood; name is then "help"
    unknown: str | None = None  # the first word, when that is what was not understood
    nearest: str | None = None  # the known subcommand closest to `unknown`, if one is close


def nearest(word: str) -> str | None:
    """The subcommand closest to a mistyped `word` (difflib's ratio, at least 0.6), if any."""
    found = difflib.get_close_matches(word.lower(), sorted(KNOWN), n=1)
    return found[0] if found else None


def parse(text: str | None) -> ParsedCommand:
    raw = (text or "").strip()
    if len(raw) > MAX_COMMAND_TEXT:
        return ParsedCommand("help", problem=f"That command is too long ({len(raw)} characters).")
    if not raw:
        return ParsedCommand("help")
    words = raw.split()
    name = words[0].lower()
    if name not in KNOWN:
        shown = words[0] if len(words[0]) <= 40 else words[0][:40] + "…"
        return ParsedCommand(
            "help",
            problem=f"I don't know the command `{shown}`.",
            unknown=words[0],
            nearest=nearest(name),
        )
    rest = raw[len(words[0]) :].strip()
    return ParsedCommand(name, tuple(words[1:]), rest)
