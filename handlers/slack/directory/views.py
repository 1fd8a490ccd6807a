"""Block Kit of the directory: the profile modal and the answer to `find`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.program.applications.form import FieldSpec
from bot.program.directory.profiles import (
    DEFAULT_PUBLIC_FIELDS,
    HOME_GROUP,
    NO_GROUP,
    PROFILE_FIELDS,
    PUBLIC_FIELDS,
    PUBLIC_FIELDS_KEY,
    PUBLIC_LISTED,
    GroupChoice,
)
from bot.program.directory.search import FindHit, FindResult
from handlers.slack import blocks
from handlers.slack import text as kit
from handlers.slack.blocks import MAX_TEXT, Block, context, escape, input_block, section, text_input

# The profile modal's callback id (the contract between this view and its listener).
PROFILE_VIEW = "profile_submit"


# -- profiles and the directory --------------------------------------------------------------


def _home_group(groups: Sequence[GroupChoice], current: str) -> Block:
    """The home user group select: "no home group", then the groups (the current one chosen)."""
    options = [kit.option("No home group", NO_GROUP)] + [kit.option(g.title, str(g.id)) for g in groups]
    initial = next((o for o in options if o["value"] == current), options[0])
    element: Block = {
        "type": "static_select",
        "action_id": HOME_GROUP,
        "options": options,
        "initial_option": initial,
    }
    spec = FieldSpec(
        HOME_GROUP, "Home user group", 0, required=False, hint="The local group you are the ambassador of"
    )
    return input_block(spec, element)


def _checkboxes(key: str, label: str, hint: str, options: list[Block], chosen: set[str]) -> Block:
    """An optional checkboxes input (https://api.slack.com/reference/block-kit/block-elements#checkboxes);
    `initial_options` must repeat the options exactly, and may not be empty."""
    element: Block = {"type": "checkboxes", "action_id": key, "options": options}
    initial = [o for o in options if o["value"] in chosen]
    if initial:
        element["initial_options"] = initial
    return input_block(FieldSpec(key, label, 0, required=False, hint=hint), element)


def _public(values: Mapping[str, str]) -> list[Block]:
    """The public directory opt-in (off until ticked) and the fields it shows."""
    listed = values.get(PUBLIC_LISTED) == "yes"
    saved = values.get(PUBLIC_FIELDS_KEY)
    fields = set(saved.split(",")) if saved is not None and (saved or listed) else set(DEFAULT_PUBLIC_FIELDS)
    return [
        _checkboxes(
            PUBLIC_LISTED,
            "Public directory",
            "Nothing about you is on the program's public web page until you tick this.",
            [kit.option("List me on the public directory", "yes")],
            {"yes"} if listed else set(),
        ),
        _checkboxes(
            PUBLIC_FIELDS_KEY,
            "Show on the public directory",
            "Only the ticked fields are shown; your Slack account and email never are.",
            [kit.option(label, key) for key, label in PUBLIC_FIELDS],
            fields,
        ),
    ]


def profile_modal(values: Mapping[str, str] | None = None, groups: Sequence[GroupChoice] = ()) -> Block:
    out: list[Block] = [
        section(
            "Your entry in the ambassador directory. People find you by expertise, interests and location."
        )
    ]
    for spec in PROFILE_FIELDS:
        initial = values.get(spec.key) if values else None
        element = text_input(spec, initial[: spec.max_len] if initial else None)
        out.append(input_block(spec, element))
    if groups:  # with no groups to choose from, the field is not shown
        out.append(_home_group(groups, (values or {}).get(HOME_GROUP, "")))
    out.extend(_public(values or {}))
    return {
        "type": "modal",
        "callback_id": PROFILE_VIEW,
        "title": {"type": "plain_text", "text": "Directory profile"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": out,
    }


def loading_modal() -> Block:
    return blocks.notice_modal("Loading your profile…", title="Directory profile")


def _hit(n: int, h: FindHit) -> str:
    who = f"<@{h.slack_user_id}>" if h.slack_user_id else ""
    place = ", ".join(x for x in (h.city, h.country) if x)
    parts = [f"*{n}. {kit.one_line(h.name, 80)}* {who}"]
    details = " · ".join(x for x in (kit.one_line(place, 80), escape(h.timezone)) if x)
    if details:
        parts.append(details)
    parts.append(f"*Expertise:* {kit.one_line(h.expertise, 300) or '—'}")
    if h.help_with:
        parts.append(f"*Can help with:* {kit.one_line(h.help_with, 300)}")
    parts.append(f"*Reach:* {kit.one_line(h.contact, 200) or '—'}")
    return "\n".join(parts)


def find_message(result: FindResult, command: str) -> tuple[str, list[Block]]:
    query = kit.one_line(" ".join(result.words), 200)
    if not result.hits:
        text = (
            f"No active ambassador matches “{query}”. Try fewer or shorter words, e.g. "
            f"`{command} find kubernetes`."
        )
        return text, [section(text)]
    head = f"*Ambassadors for “{query}”* — best matches first:"
    entries = [_hit(i + 1, h) for i, h in enumerate(result.hits)]
    out = [section(head)] + [section(e) for e in entries]
    notes = []
    if result.total > len(result.hits):
        notes.append(f"…and {result.total - len(result.hits)} more; add words to narrow the search.")
    if result.ignored:
        notes.append(f"Ignored (too short): {kit.one_line(', '.join(result.ignored), 100)}.")
    if notes:
        out.append(context(" ".join(notes)))
    text = head + "\n" + "\n".join(e.split("\n", 1)[0] for e in entries)
    return kit.cut(text, MAX_TEXT), out
