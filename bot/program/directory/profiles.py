"""The directory profile form: its fields, its validation, and the values a form is prefilled with
(the saved profile, else what the person's application said)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.program.applications.form import FieldSpec, canonical_tz, check_fields
from bot.program.directory.search import tags
from bot.program.errors import InvalidInput
from storage.models import Application, Person
from storage.profiles import Profile

PROFILE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("bio", "About you", 1000, required=False, multiline=True),
    FieldSpec(
        "expertise", "Expertise (comma-separated)", 500, hint="e.g. Kubernetes, Python, community events"
    ),
    FieldSpec("interests", "Interests", 500, required=False, hint="e.g. open hardware, education"),
    FieldSpec("help_with", "What you can help with", 1000, required=False, multiline=True),
    FieldSpec("contact", "How to reach you", 300, hint="e.g. DM me in Slack, or @jane on the forum"),
    FieldSpec(
        "timezone",
        "Timezone",
        64,
        required=False,
        hint="An IANA name such as Europe/Berlin or America/New_York",
    ),
    FieldSpec("city", "City", 100, required=False),
    FieldSpec("country", "Country", 100, required=False),
)

# The public directory (/program/ambassadors): the form's "List me on the public directory"
# checkbox (`PUBLIC_LISTED`, sent as "yes" or "") and its per-field choices (`PUBLIC_FIELDS_KEY`,
# the chosen keys comma-separated). A form without them leaves the saved choice as it is.
PUBLIC_LISTED = "public_listed"
PUBLIC_FIELDS_KEY = "public_fields"
PUBLIC_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("location", "Location (city and country)"),
    ("expertise", "Expertise"),
    ("help_with", "What I can help with"),
    ("contact", "How to reach me"),
    ("home_group", "Home user group"),
)
# What a person who opts in shows unless they change it (location and home group are opt-in too).
DEFAULT_PUBLIC_FIELDS = ("name", "expertise", "help_with", "contact")

HOME_GROUP = "home_group_id"  # the form's home user group (a select of the groups, when any)
NO_GROUP = "none"  # its "no home group" option
MAX_GROUPS = 99  # a Slack select lists at most 100 options, "no home group" included
MAX_TAGS = 20
MAX_TAG_LEN = 60


@dataclass(frozen=True)
class GroupChoice:
    """A user group the profile form offers as a home group."""

    id: int
    title: str


@dataclass(frozen=True)
class SaveResult:
    changed: tuple[str, ...]
    step_completed: bool
    listed: bool = False  # `find` lists only active ambassadors: is this person one?


def _expertise_problem(found: list[str]) -> str | None:
    if len(found) > MAX_TAGS:
        return f"Please list at most {MAX_TAGS} areas (there are {len(found)})."
    if any(len(t) > MAX_TAG_LEN for t in found):
        return f"Please keep each area under {MAX_TAG_LEN} characters; separate them with commas."
    return None


def validate_profile(form: Mapping[str, str | None]) -> dict[str, str]:
    cleaned, problems = check_fields(PROFILE_FIELDS, form)
    if "expertise" not in problems:
        found = tags(cleaned["expertise"])
        problem = _expertise_problem(found)
        if problem:
            problems["expertise"] = problem
        cleaned["expertise"] = ", ".join(found)
    tz = cleaned.get("timezone", "")
    if tz and "timezone" not in problems:
        canonical = canonical_tz(tz)
        if canonical is None:
            problems["timezone"] = "Unknown timezone; use a name like Europe/Berlin or America/New_York."
        else:
            cleaned["timezone"] = canonical
    if problems:
        raise InvalidInput("Some answers need fixing.", problems)
    cleaned.update(public_choice(form))
    return cleaned


def public_choice(form: Mapping[str, str | None]) -> dict[str, str]:
    """The public-directory answers of a form, normalised ("yes"/"" and the known fields in
    their order); empty when the form did not carry them. Unknown field keys are dropped."""
    out: dict[str, str] = {}
    if PUBLIC_LISTED in form:
        out[PUBLIC_LISTED] = "yes" if (form[PUBLIC_LISTED] or "").strip() == "yes" else ""
    if PUBLIC_FIELDS_KEY in form:
        chosen = {k.strip() for k in (form[PUBLIC_FIELDS_KEY] or "").split(",")}
        out[PUBLIC_FIELDS_KEY] = ",".join(k for k, _label in PUBLIC_FIELDS if k in chosen)
    return out


def split_location(location: str) -> tuple[str, str]:
    """(city, country) of an application's free-text location ("Lyon, France")."""
    if "," in location:
        city, _, country = location.rpartition(",")
        return city.strip(), country.strip()
    return location.strip(), ""


def profile_values(
    profile: Profile | None, person: Person | None = None, app: Application | None = None
) -> dict[str, str]:
    """The profile's fields as text; without a profile, what the application and the person say."""
    if profile is not None:
        values = {spec.key: str(getattr(profile, spec.key) or "") for spec in PROFILE_FIELDS}
        values[HOME_GROUP] = str(profile.home_group_id or "")
        values[PUBLIC_LISTED] = "yes" if profile.public_listed else ""
        values[PUBLIC_FIELDS_KEY] = profile.public_fields or ""
        return values
    out = {spec.key: "" for spec in PROFILE_FIELDS}
    if app is not None:
        out["expertise"] = ", ".join(tags(app.expertise))[:500]
        out["city"], out["country"] = split_location(app.location)
    if person is not None and person.timezone:
        out["timezone"] = person.timezone
    return out


def home_group_choice(value: str | None, choices: dict[int, str]) -> int | bool | None:
    """The home group the form picked: its id, None for "no home group", False when the form did
    not ask (no groups to choose from); InvalidInput for a group that cannot be chosen."""
    if value is None:
        return False
    if value in ("", NO_GROUP):
        return None
    if value.isdigit() and int(value) in choices:
        return int(value)
    raise InvalidInput(
        "Some answers need fixing.",
        {HOME_GROUP: "That group can't be chosen any more; pick another or no home group."},
    )
