"""What an import would do to a line, against the records it is handed (bot/program/roster/plan.py):
one table row per rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.program.roster.parse import Refusal, RosterLine
from bot.program.roster.plan import Outcome, plan_line
from storage.enums import AmbassadorStatus
from storage.models import Ambassador, Person
from storage.profiles import Profile
from storage.roster import Held

START, END = datetime(2026, 1, 15, tzinfo=UTC), datetime(2028, 1, 15, tzinfo=UTC)
LINKED = datetime(2026, 1, 1, tzinfo=UTC)


def line(**changes: object) -> RosterLine:
    values: dict[str, object] = {
        "line": 2,
        "slack_id": "U0JANE",
        "email": None,
        "name": "Jane",
        "forum_username": "jane",
        "term_start": START,
        "term_end": END,
        "status": AmbassadorStatus.ACTIVE,
    }
    return RosterLine(**{**values, **changes})  # type: ignore[arg-type]


def held(*people: tuple[Person, Ambassador | None, Profile | None]) -> Held:
    out = Held()
    for person, amb, profile in people:
        if person.slack_user_id:
            out.by_slack[person.slack_user_id] = person
        if person.forum_username:
            out.by_forum[person.forum_username.lower()] = person
        if amb is not None:
            out.ambassadors[person.id] = amb
        if profile is not None:
            out.profiles[person.id] = profile
    return out


def jane(
    slack: str | None = "U0JANE", forum: str | None = "jane", linked: datetime | None = LINKED
) -> Person:
    return Person(
        id=1, slack_user_id=slack, forum_username=forum, forum_linked_at=linked, display_name="Jane"
    )


def term(status: str = "active", end: datetime = END) -> Ambassador:
    return Ambassador(id=7, person_id=1, status=status, term_start=START, term_end=end)


@pytest.mark.parametrize(
    ("records", "the_line", "outcome", "changes"),
    [
        (held(), line(), Outcome.CREATED, {"name", "forum_username", "status", "term_start", "term_end"}),
        # someone who used the bot but is no ambassador: their person row is reused
        (
            held((jane(linked=None), None, None)),
            line(),
            Outcome.CREATED,
            {"forum_username", "status", "term_start", "term_end"},
        ),
        (held((jane(), term(), None)), line(), Outcome.UNCHANGED, set()),
        (held((jane(), term(), None)), line(name="Jane D."), Outcome.UPDATED, {"name"}),
        (held((jane(), term("alumni"), None)), line(), Outcome.UPDATED, {"status"}),
        (
            held((jane(), term(), None)),
            line(term_end=datetime(2029, 1, 1, tzinfo=UTC)),
            Outcome.UPDATED,
            {"term_end"},
        ),
        # a profile field given and different is an update; one not given is left as it is
        (
            held(
                (
                    jane(),
                    term(),
                    Profile(person_id=1, city="Lyon", country="France", expertise="", timezone="", bio=""),
                )
            ),
            line(location="Lyon,France"),
            Outcome.UNCHANGED,
            set(),
        ),
        (
            held(
                (
                    jane(),
                    term(),
                    Profile(person_id=1, city="Lyon", country="", expertise="", timezone="", bio=""),
                )
            ),
            line(bio="Hi"),
            Outcome.UPDATED,
            {"bio"},
        ),
        # known by their forum account only: the line gives them their Slack id
        (held((jane(slack=None), term(), None)), line(), Outcome.UPDATED, {"slack_id"}),
    ],
)
def test_outcome_and_the_fields_that_change(
    records: Held, the_line: RosterLine, outcome: Outcome, changes: set[str]
) -> None:
    planned = plan_line(the_line, the_line.slack_id, records)
    assert not isinstance(planned, Refusal)
    assert (planned.outcome, set(planned.changes)) == (outcome, changes)


def test_a_forum_account_that_is_someone_elses_is_refused() -> None:
    other = Person(id=2, slack_user_id="U0BOB", forum_username="jane", forum_linked_at=LINKED)
    assert plan_line(line(), "U0JANE", held((other, None, None))) == Refusal(
        2, "the forum account jane belongs to Slack user U0BOB here"
    )
    both = held((jane(forum="jd"), term(), None), (Person(id=3, forum_username="jane"), None, None))
    assert plan_line(line(), "U0JANE", both) == Refusal(2, "the forum account jane belongs to person #3 here")


def test_an_update_names_the_old_and_the_new_value() -> None:
    planned = plan_line(line(name="Jane D."), "U0JANE", held((jane(), term(), None)))
    assert not isinstance(planned, Refusal) and planned.changes == {"name": ("Jane", "Jane D.")}
    assert not planned.starts_term  # already active: the checklist and the forum stay as they are
