"""The application form and its rules, without I/O: the fields (`APPLICATION_FIELDS`, `FieldSpec`,
also used by the profile and user-group forms), how an answer is cleaned (`clean`), the checks of
an application, a renewal and a rejection reason, and the timezone names accepted.

Every check raises `InvalidInput` naming each bad field, so the modal shows the problem beside it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.program.errors import InvalidInput

FORUM_USERNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,59}$")
FILL_IN = "Please fill this in."
MAX_PLANS = 3000  # a renewal's plans
MAX_REASON = 2000  # a rejection's reason
REAFFIRM_WORDS = ("yes", "y", "i do", "i re-affirm")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    max_len: int
    required: bool = True
    multiline: bool = False
    hint: str = ""


APPLICATION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "Your name", 100),
    FieldSpec("forum_username", "Forum username", 60, hint="Your username on the forum, e.g. jane_doe"),
    FieldSpec("location", "Location (city, country)", 100),
    FieldSpec("timezone", "Timezone", 64, hint="An IANA name such as Europe/Berlin or America/New_York"),
    FieldSpec("expertise", "Areas of expertise", 1000, multiline=True),
    FieldSpec("links", "Links to your contributions", 2000, required=False, multiline=True),
    FieldSpec("motivation", "Why do you want to be an ambassador?", 3000, multiline=True),
)


def clean(value: str | None) -> str:
    """An answer as it is kept: NFC-normalised, control characters dropped, trimmed."""
    text = unicodedata.normalize("NFC", value or "")
    # Drop control characters except newlines and tabs; keep every other script and emoji.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def too_long(value: str, limit: int) -> str | None:
    """The problem with an answer over `limit` characters, or None."""
    if len(value) > limit:
        return f"Please keep this under {limit} characters (it has {len(value)})."
    return None


def check_fields(
    specs: Sequence[FieldSpec], form: Mapping[str, str | None]
) -> tuple[dict[str, str], dict[str, str]]:
    """Every field of `specs` cleaned, and the problems found (a required field left empty, an
    answer too long), by field key."""
    cleaned: dict[str, str] = {}
    problems: dict[str, str] = {}
    for spec in specs:
        value = clean(form.get(spec.key))
        problem = FILL_IN if spec.required and not value else too_long(value, spec.max_len)
        if problem:
            problems[spec.key] = problem
        cleaned[spec.key] = value
    return cleaned, problems


def validate_application(form: Mapping[str, str | None]) -> dict[str, str]:
    """Clean the form or raise InvalidInput naming each bad field."""
    cleaned, problems = check_fields(APPLICATION_FIELDS, form)
    uname = cleaned.get("forum_username", "").lstrip("@")
    cleaned["forum_username"] = uname
    if not uname and "forum_username" not in problems:
        problems["forum_username"] = FILL_IN
    elif uname and "forum_username" not in problems and not FORUM_USERNAME.match(uname):
        problems["forum_username"] = "Forum usernames use letters, digits, _ . and - (2 to 60 characters)."
    tz = cleaned.get("timezone", "")
    if tz and "timezone" not in problems:
        cleaned["timezone"] = canonical_tz(tz) or tz
        if canonical_tz(tz) is None:
            problems["timezone"] = "Unknown timezone; use a name like Europe/Berlin or America/New_York."
    if problems:
        raise InvalidInput("Some answers need fixing.", problems)
    return cleaned


def validate_renewal(form: Mapping[str, str | None]) -> str:
    """A renewal re-affirms the guidelines and says what the ambassador plans; the plans, cleaned."""
    reaffirm = clean(form.get("reaffirm"))
    plans = clean(form.get("plans"))
    problems = {}
    if reaffirm.lower() not in REAFFIRM_WORDS:
        problems["reaffirm"] = "Type yes to re-affirm the ambassador guidelines."
    problem = too_long(plans, MAX_PLANS) if plans else FILL_IN
    if problem:
        problems["plans"] = problem
    if problems:
        raise InvalidInput("Some answers need fixing.", problems)
    return plans


def validate_reason(reason: str) -> str:
    """A rejection's reason, which the applicant reads: required, at most `MAX_REASON` characters."""
    reason = clean(reason)
    if not reason:
        raise InvalidInput("Please give a reason.", {"reason": "Please give a reason for the applicant."})
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            "Reason too long.", {"reason": f"Please keep the reason under {MAX_REASON} characters."}
        )
    return reason


def canonical_tz(name: str) -> str | None:
    """The IANA name `name` stands for (case and spaces forgiven), or None when there is none."""
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    lowered = name.replace(" ", "_").lower()
    for candidate in available_timezones():
        if candidate.lower() == lowered:
            return candidate
    return None
