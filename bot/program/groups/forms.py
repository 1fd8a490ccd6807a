"""The user group request form and the result types of the group workflow: field specs,
`validate_request`, and the small dataclasses the Slack handlers show."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.program.applications import FORUM_USERNAME, FieldSpec
from bot.program.commands import user_ref
from bot.program.errors import InvalidInput
from bot.program.groups.screening import (
    Flag,
    Overlap,
    clean_text,
    one_line,
    parse_coordinates,
)

GROUP_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "Group name", 100, hint="The name you use today, e.g. Stackers of Auckland"),
    FieldSpec("city", "City", 100, required=False, hint="Leave empty only for a group of a whole region"),
    FieldSpec("region", "Region or state", 100, required=False),
    FieldSpec("country", "Country", 100, required=False),
    FieldSpec(
        "coordinates",
        "Map coordinates",
        60,
        required=False,
        hint="latitude, longitude, e.g. -36.85, 174.76: helps find groups nearby",
    ),
    FieldSpec("website", "Website", 300, required=False, hint="https://…"),
    FieldSpec("links", "Meetup or social links", 2000, required=False, multiline=True),
    FieldSpec(
        "organisers_forum",
        "Organisers' forum usernames",
        600,
        required=False,
        hint="Comma-separated, for organisers who are not on Slack",
    ),
    FieldSpec("description", "Description", 3000, multiline=True, hint="What the group does, and for whom"),
)
MAX_ORGANISERS = 10
ROLE_WORDS = {
    "ambassador": "an ambassador",
    "mentor": "the group's mentor",
    "community_manager": "the community manager",
    "moderator": "a moderator",
    "organiser": "an organiser of the group",
}
URL_PATTERN = re.compile(r"^https?://[^\s<>|]+$")
FORUM_GROUP_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,59}$")


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    group_id: int
    title: str
    status: str  # "pending" or "rejected" (spam)
    flags: tuple[Flag, ...]
    missing: tuple[str, ...]
    overlap: Overlap | None
    resubmitted: bool = False


@dataclass(frozen=True)
class MentorOption:
    slack_user_id: str
    name: str
    where: str
    load: int
    score: int

    @property
    def label(self) -> str:
        groups = "1 group" if self.load == 1 else f"{self.load} groups"
        text = " · ".join(p for p in (self.name, self.where, groups) if p)
        return text if len(text) <= 75 else text[:74] + "…"


@dataclass(frozen=True)
class ApprovalForm:
    group_id: int
    title: str
    place: str
    options: tuple[MentorOption, ...]
    forum_group: str


@dataclass(frozen=True)
class Decision:
    group_id: int
    title: str
    status: str
    requester: str
    mentor: str | None = None


@dataclass(frozen=True)
class StepResult:
    group_id: int
    title: str
    step: str
    done: int
    total: int
    official: bool
    leaders: int = 0


@dataclass(frozen=True)
class OrganiserAdded:
    group_id: int
    title: str
    who: str  # a Slack mention or a forum username
    forum_owner: str | None  # the forum username made owner of the forum group, if any


@dataclass
class GroupForm:
    """A cleaned request form: its values, the coordinates and the organisers it names."""

    values: dict[str, str] = field(default_factory=dict)
    coordinates: tuple[float, float] | None = None
    slack_organisers: list[str] = field(default_factory=list)
    forum_organisers: list[str] = field(default_factory=list)


# -- validation --------------------------------------------------------------------------------


def _fields(form: Mapping[str, str | None], out: GroupForm, problems: dict[str, str]) -> None:
    for spec in GROUP_FIELDS:
        raw = form.get(spec.key)
        value = clean_text(raw) if spec.multiline else one_line(raw)
        if spec.required and not value:
            problems[spec.key] = "Please fill this in."
        elif len(value) > spec.max_len:
            problems[spec.key] = f"Please keep this under {spec.max_len} characters (it has {len(value)})."
        out.values[spec.key] = value


def _organisers(out: GroupForm, problems: dict[str, str], slack_organisers: Sequence[str]) -> None:
    names = [n.lstrip("@") for n in re.split(r"[,;\s]+", out.values.get("organisers_forum", "")) if n.strip()]
    bad = [n for n in names if not FORUM_USERNAME.match(n)]
    if bad and "organisers_forum" not in problems:
        problems["organisers_forum"] = (
            f"{bad[0][:30]!r} is not a forum username (letters, digits, _ . and -)."
        )
    seen: set[str] = set()
    for n in names:
        if n.lower() not in seen:
            seen.add(n.lower())
            out.forum_organisers.append(n)
    for uid in slack_organisers:
        if user_ref(uid) and uid not in out.slack_organisers:
            out.slack_organisers.append(uid)
    if len(out.forum_organisers) + len(out.slack_organisers) > MAX_ORGANISERS:
        problems["organisers_forum"] = f"At most {MAX_ORGANISERS} organisers, please; add more later."


def validate_request(form: Mapping[str, str | None], slack_organisers: Sequence[str] = ()) -> GroupForm:
    """Clean the form or raise InvalidInput naming each bad field."""
    out = GroupForm()
    problems: dict[str, str] = {}
    _fields(form, out, problems)
    website = out.values.get("website", "")
    if website and "website" not in problems and not URL_PATTERN.match(website):
        problems["website"] = "Give the full address, starting with https://"
    if "coordinates" not in problems:
        try:
            out.coordinates = parse_coordinates(out.values.get("coordinates", ""))
        except ValueError as err:
            problems["coordinates"] = str(err)
    _organisers(out, problems, slack_organisers)
    if problems:
        raise InvalidInput("Some answers need fixing.", problems)
    return out


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
