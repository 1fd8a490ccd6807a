"""What an import would do to each resolved line, compared with what the records hold: create an
ambassador, update one (naming each field that changes), leave one unchanged, or refuse a line
whose forum account belongs to someone else here.

Compared fields: the person's name and forum account (linked), the term (status, start, end as
dates) and the profile fields the line gives (an empty optional field is "not given" and leaves
the records as they are). Pure: it reads the records handed to it (storage/roster.py `Held`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.program.directory.profiles import split_location
from bot.program.roster.parse import Refusal, RosterLine
from storage.enums import AmbassadorStatus
from storage.models import Ambassador, Person
from storage.profiles import Profile
from storage.roster import Held

PROFILE_KEYS = ("expertise", "location", "timezone", "bio")


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class Planned:
    line: RosterLine
    slack_id: str | None
    outcome: Outcome
    person: Person | None  # the person row already held, if any
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # field: (before, after)
    ambassador: Ambassador | None = None  # their ambassador row and profile, if held
    profile: Profile | None = None

    @property
    def starts_term(self) -> bool:
        """The line makes an active ambassador of someone who was not one: their checklist and
        what the forum gives ambassadors follow, as after an approval."""
        active = self.line.status == AmbassadorStatus.ACTIVE
        return active and (self.outcome == Outcome.CREATED or "status" in self.changes)


def location_text(location: str) -> str:
    """A location as the profile keeps it (city, country), written back as one text."""
    city, country = split_location(location)
    return f"{city}, {country}" if country else city


def wanted(line: RosterLine) -> dict[str, str]:
    """The values the line asks for, as text."""
    out = {
        "name": line.name,
        "forum_username": line.forum_username,
        "status": str(line.status),
        "term_start": f"{line.term_start:%Y-%m-%d}",
        "term_end": f"{line.term_end:%Y-%m-%d}",
    }
    for key in PROFILE_KEYS:
        value = getattr(line, key)
        if value is not None:
            out[key] = location_text(value) if key == "location" else value
    return out


def held_values(person: Person | None, amb: Ambassador | None, profile: Profile | None) -> dict[str, str]:
    """The same values as the records hold them ("" where nothing is held)."""
    out: dict[str, str] = {}
    if person is not None:
        out["name"] = person.display_name
        out["forum_username"] = person.forum_username or "" if person.forum_linked_at else ""
    if amb is not None:
        out["status"] = amb.status
        out["term_start"], out["term_end"] = f"{amb.term_start:%Y-%m-%d}", f"{amb.term_end:%Y-%m-%d}"
    if profile is not None:
        city, country = profile.city, profile.country
        out["location"] = f"{city}, {country}" if country else city
        out["expertise"], out["timezone"], out["bio"] = profile.expertise, profile.timezone, profile.bio
    return out


def _owner(line: RosterLine, slack_id: str | None, held: Held) -> Person | Refusal | None:
    """The person the line is about (None: a new one), or the refusal when its forum account is
    someone else's here."""
    by_slack = held.by_slack.get(slack_id) if slack_id else None
    by_forum = held.by_forum.get(line.forum_username.lower())
    if by_forum is None or (by_slack is not None and by_forum.id == by_slack.id):
        return by_slack
    other_slack = by_forum.slack_user_id
    if by_slack is None and other_slack is None:
        return by_forum  # known by their forum account only: the line gives them their Slack id
    who = f"Slack user {other_slack}" if other_slack else f"person #{by_forum.id}"
    return Refusal(line.line, f"the forum account {line.forum_username} belongs to {who} here")


def plan_line(line: RosterLine, slack_id: str | None, held: Held) -> Planned | Refusal:
    owner = _owner(line, slack_id, held)
    if isinstance(owner, Refusal):
        return owner
    amb = held.ambassadors.get(owner.id) if owner else None
    profile = held.profiles.get(owner.id) if owner else None
    before = held_values(owner, amb, profile)
    changes = {k: (before.get(k, ""), v) for k, v in wanted(line).items() if before.get(k, "") != v}
    if owner is not None and slack_id and owner.slack_user_id != slack_id:
        changes["slack_id"] = (owner.slack_user_id or "", slack_id)
    if amb is None:
        outcome = Outcome.CREATED
    else:
        outcome = Outcome.UPDATED if changes else Outcome.UNCHANGED
    return Planned(line, slack_id, outcome, owner, changes, amb, profile)
