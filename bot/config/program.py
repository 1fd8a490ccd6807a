"""The `[program]` section (its name, the term length, the onboarding checklist) and `[renewals]`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

import isodate
from dateutil.relativedelta import relativedelta
from pydantic import Field, field_validator, model_validator

from bot.config.base import Section, unique_keys

# Who completes a step that lives outside the bot (a GitHub invite, the mailing list, …) and how
# the checklist ticks it: the ambassador presses Done, or a moderator does.
DONE_BY = {"ambassador": "button", "moderator": "moderator"}


class OnboardingStep(Section):
    key: str
    title: str
    completes: Literal["event", "button", "moderator"] = "moderator"
    link: str = ""  # where the step is done (an http or https URL), shown beside it
    done_by: Literal["ambassador", "moderator"] | None = None  # sets `completes`

    @model_validator(mode="before")
    @classmethod
    def _completes_from_done_by(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("done_by") in DONE_BY:
            wanted = DONE_BY[data["done_by"]]
            if data.setdefault("completes", wanted) != wanted:
                raise ValueError(f"done_by = {data['done_by']!r} means completes = {wanted!r}")
        return data

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not v or not v.replace("_", "").isalnum():
            raise ValueError("must be letters, digits and underscores")
        return v

    @field_validator("link")
    @classmethod
    def _link(cls, v: str) -> str:
        v = v.strip()
        # Shown as a Slack link <url|Open>: no spaces or <, >, | inside.
        bad = any(ch.isspace() or ch in "<>|" for ch in v)
        if v and (bad or urlsplit(v).scheme not in ("http", "https") or not urlsplit(v).netloc):
            raise ValueError("must be an http or https URL")
        return v


DEFAULT_STEPS = (
    OnboardingStep(key="intro", title="Post your introduction in the forum intro topic", completes="event"),
    OnboardingStep(
        key="guidelines", title="Read and acknowledge the ambassador guidelines", completes="button"
    ),
    OnboardingStep(key="profile", title="Fill in your directory profile", completes="event"),
    OnboardingStep(key="announced", title="Announce your new role", completes="moderator"),
)


class ProgramSettings(Section):
    name: str = "Community Ambassadors"
    # A term is a calendar period, an ISO 8601 duration in years, months, weeks or days:
    # "P2Y" ends on the same date two years later (a 29 February start ends on 28 February).
    term: str | None = None  # default: P2Y
    term_years: int | None = Field(default=None, ge=1, le=10)  # the same as term = "P{n}Y"
    term_days: int | None = Field(default=None, ge=1, le=3650)  # the older key: exactly n days
    guidelines_url: str = ""
    badge_name: str = "Ambassador"
    onboarding: tuple[OnboardingStep, ...] = DEFAULT_STEPS
    # At approval (not renewal): welcome the new ambassador in `[slack] ambassador_channel`
    # (`announce`), and on the forum as a reply in the topic `announce_topic_id` or as a new topic
    # in the category `announce_category_id` (one of the two).
    announce: bool = False
    announce_topic_id: int | None = Field(default=None, ge=1)
    announce_category_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_forum_announcement(self) -> ProgramSettings:
        if self.announce_topic_id is not None and self.announce_category_id is not None:
            raise ValueError(
                "set announce_topic_id (a reply in that topic) or announce_category_id (a new topic "
                "in that category), not both"
            )
        return self

    @model_validator(mode="after")
    def _unique_steps(self) -> ProgramSettings:
        unique_keys("onboarding step", self.onboarding)
        return self

    @field_validator("term")
    @classmethod
    def _term(cls, v: str | None) -> str | None:
        if v is not None:
            parse_term(v)
        return v

    @model_validator(mode="after")
    def _one_term_setting(self) -> ProgramSettings:
        given = [k for k in ("term", "term_years", "term_days") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give the term length once, not as {' and '.join(given)}")
        return self

    @property
    def term_period(self) -> relativedelta:
        if self.term_days is not None:
            return relativedelta(days=self.term_days)
        if self.term_years is not None:
            return relativedelta(years=self.term_years)
        return parse_term(self.term or "P2Y")

    def term_end(self, start: datetime) -> datetime:
        """When a term that starts (or is renewed) at `start` ends: the same calendar date and time one
        term later; a date the month doesn't have becomes its last day (29 February + P2Y → 28 February)."""
        return start + self.term_period


def parse_term(text: str) -> relativedelta:
    """An ISO 8601 duration of whole years, months, weeks or days (P2Y, P18M, P90D), up to ten years."""
    try:
        parsed = isodate.parse_duration(text.strip())
    except (isodate.ISO8601Error, ValueError, TypeError):
        raise ValueError(f"{text!r} is not an ISO 8601 duration like P2Y, P18M or P90D") from None
    years, months, rest = (
        (0, 0, parsed) if isinstance(parsed, timedelta) else (parsed.years, parsed.months, parsed.tdelta)
    )
    if years != int(years) or months != int(months) or rest % timedelta(days=1):
        raise ValueError(f"{text!r}: a term is whole years, months, weeks or days (e.g. P2Y)")
    period = relativedelta(years=int(years), months=int(months), days=rest.days)
    origin = datetime(2000, 1, 1)
    if not origin < origin + period <= origin + relativedelta(years=10):
        raise ValueError(f"{text!r}: a term is longer than nothing and at most ten years (P10Y)")
    return period


class RenewalSettings(Section):
    reminder_days: tuple[int, ...] = (60, 30, 7)
    grace_days: int = Field(default=14, ge=0, le=365)
    auto_approve: bool = False
