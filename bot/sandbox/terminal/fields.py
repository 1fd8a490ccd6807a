"""The inputs of a Slack modal as a person in the sandbox sees and fills them: each field's label,
the name to type, its choices (numbered), what it holds now, and what a typed answer means.

What each element accepts follows Slack's client: a select, radio or checkbox input only takes
one of its options; a user picker only lists the workspace's members; a date picker only gives a
real date (https://api.slack.com/reference/block-kit/block-elements). The value produced is the
one ``SlackActor.submit_view`` puts in ``view.state.values`` (``selected_option`` by value,
``selected_user`` by id …, see ``bot.sandbox.slack.payloads``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.sandbox.slack.blockkit import initial_value
from bot.sandbox.slack.common import MULTI_SELECT_TYPES, SELECT_TYPES, plain_text

JSONDict = dict[str, Any]
Users = Mapping[str, Mapping[str, Any]]

USER_PICKERS = frozenset({"users_select", "multi_users_select"})
_USER_REF = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class Field:
    """One input block of a modal."""

    block_id: str
    action_id: str
    kind: str
    label: str
    optional: bool
    element: JSONDict

    @property
    def multiple(self) -> bool:
        return self.kind in MULTI_SELECT_TYPES or self.kind == "multi_users_select"

    def options(self) -> list[tuple[str, str]]:
        """(value, text) of each choice, in the order Slack lists them (groups flattened)."""
        found: list[JSONDict] = list(self.element.get("options") or [])
        for group in self.element.get("option_groups") or []:
            found.extend(group.get("options") or [])
        return [(str(o.get("value")), plain_text(o.get("text"))) for o in found]

    @property
    def has_options(self) -> bool:
        return self.kind in SELECT_TYPES or self.kind in MULTI_SELECT_TYPES

    def name(self) -> str:
        return f"{self.label} ({self.block_id})" if self.label else self.block_id


def fields_of(view: JSONDict) -> list[Field]:
    """The input blocks of ``view`` in order."""
    out: list[Field] = []
    for block in view.get("blocks") or []:
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        out.append(
            Field(
                block_id=str(block.get("block_id")),
                action_id=str(element.get("action_id")),
                kind=str(element.get("type")),
                label=plain_text(block.get("label")),
                optional=bool(block.get("optional", False)),
                element=element,
            )
        )
    return out


def find_field(fields: list[Field], key: str) -> Field:
    """The field typed as ``key`` (its name, its action or its label, any case); ValueError
    listing the form's fields when there is none."""
    wanted = key.strip().lower()
    for field in fields:
        if wanted in (field.block_id.lower(), field.action_id.lower(), field.label.lower()):
            return field
    listed = ", ".join(f.name() for f in fields) or "none"
    raise ValueError(f"this form has no field {clip(key.strip())!r}; its fields: {listed}")


def resolve(field: Field, text: str, users: Users) -> Any:
    """What the typed ``text`` puts in ``field``, as ``submit_view`` takes it; ValueError (one
    line naming what the field accepts) when the person could not pick that in Slack."""
    text = text.strip()
    if not text:
        return [] if field.multiple else ""
    if field.kind in USER_PICKERS:
        picked = [_user(item, users) for item in _items(text)] if field.multiple else [_user(text, users)]
        return picked if field.multiple else picked[0]
    if field.kind in ("external_select", "multi_external_select"):  # options come from the app
        return _items(text) if field.multiple else text
    if field.has_options:
        chosen = [_option(field, item) for item in _items(text)] if field.multiple else [_option(field, text)]
        return chosen if field.multiple else chosen[0]
    if field.kind == "datepicker":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"{field.name()} is a date: type it as YYYY-MM-DD, e.g. 2026-03-14") from None
    if field.kind == "timepicker":
        try:
            return dt.time.fromisoformat(text).strftime("%H:%M")
        except ValueError:
            raise ValueError(f"{field.name()} is a time: type it as HH:MM, e.g. 17:30") from None
    # plain_text_input ``max_length``: Slack's client stops the typing there
    # (https://api.slack.com/reference/block-kit/block-elements#input).
    most = field.element.get("max_length")
    if isinstance(most, int) and len(text) > most:
        raise ValueError(f"{field.name()} takes at most {most} characters ({len(text)} typed)")
    return text


def current(field: Field, typed: Mapping[str, str], users: Users) -> Any:
    """What the field holds now: what the person typed, else what the form pre-filled."""
    if field.block_id in typed:
        return resolve(field, typed[field.block_id], users)
    return initial_value(field.element)


def clip(text: str, most: int = 60) -> str:
    """Typed text shown back in one short line (a huge paste is not printed again)."""
    one = " ".join(text.split())
    return one if len(one) <= most else one[: most - 1] + "…"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def shown(field: Field, value: Any, users: Users) -> str:
    """A value as the person reads it: option texts, @names, the text itself."""
    values = value if isinstance(value, list) else [value]
    if field.kind in USER_PICKERS:
        return ", ".join("@" + str(users.get(str(v), {}).get("name", v)) for v in values)
    if field.has_options:
        texts = dict(field.options())
        return ", ".join(texts.get(str(v), str(v)) for v in values)
    return ", ".join(str(v) for v in values)


def _items(text: str) -> list[str]:
    """Several choices typed at once: separated by commas (or spaces, for @names)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1 and text.lstrip().startswith("@"):
        parts = text.split()
    return [p for p in parts if p]


def _user(text: str, users: Users) -> str:
    ref = _USER_REF.match(text)
    key = ref.group(1) if ref else text.lstrip("@").lower()
    for uid, user in users.items():
        if user.get("is_bot") or user.get("deleted"):
            continue
        if key in (uid, uid.lower(), str(user.get("name", "")).lower()):
            return uid
    raise ValueError(f"no one called {clip(text)!r} in the workspace; the people: {people(users)}")


def people(users: Users) -> str:
    """The workspace's people, as a user picker lists them."""
    return ", ".join(
        "@" + str(u.get("name")) for u in users.values() if not u.get("is_bot") and not u.get("deleted")
    )


def _option(field: Field, text: str) -> str:
    options = field.options()
    if text.isdecimal() and 1 <= int(text) <= len(options):
        return options[int(text) - 1][0]
    wanted = text.lower()
    for value, label in options:
        if wanted in (label.lower(), label.lower().rstrip(" ★"), value.lower()):
            return value
    listed = "; ".join(f"{i}. {label}" for i, (_v, label) in enumerate(options, 1))
    raise ValueError(f"{field.name()} has no choice {clip(text)!r}; choose a number or a text: {listed}")
