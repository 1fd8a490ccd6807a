"""Onboarding steps done elsewhere (`[[program.onboarding]] link, done_by`) and the announcement
keys: what a deployment may write, and the one clear line for what it may not."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config.program import OnboardingStep, ProgramSettings


def test_done_by_says_who_ticks_the_step() -> None:
    by_moderator = OnboardingStep(key="github", title="GitHub invite", done_by="moderator")
    by_ambassador = OnboardingStep(
        key="community_profile", title="Update your profile", done_by="ambassador", link=" https://x.org/p "
    )
    assert by_moderator.completes == "moderator"
    assert (by_ambassador.completes, by_ambassador.link) == ("button", "https://x.org/p")
    assert OnboardingStep(key="intro", title="Intro", completes="event").done_by is None


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        (
            {"done_by": "ambassador", "completes": "moderator"},
            "done_by = 'ambassador' means completes = 'button'",
        ),
        ({"done_by": "the bot"}, "done_by"),
        ({"link": "javascript:alert(1)"}, "must be an http or https URL"),
        ({"link": "https://x.org/a|b"}, "must be an http or https URL"),
        ({"link": "https://"}, "must be an http or https URL"),
    ],
)
def test_a_bad_step_is_refused_naming_the_problem(step: dict[str, str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem.replace("(", r"\(")):
        OnboardingStep(key="github", title="GitHub invite", **step)  # type: ignore[arg-type]


def test_the_forum_announcement_is_a_topic_id() -> None:
    assert ProgramSettings().announce is False and ProgramSettings().announce_topic_id is None
    assert ProgramSettings(announce=True, announce_topic_id=12).announce_topic_id == 12
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        ProgramSettings(announce_topic_id=0)


def test_the_forum_announcement_may_be_a_new_topic_in_a_category_but_not_both() -> None:
    assert ProgramSettings().announce_category_id is None
    assert ProgramSettings(announce=True, announce_category_id=5).announce_category_id == 5
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        ProgramSettings(announce_category_id=0)
    with pytest.raises(ValidationError, match=r"announce_topic_id .* or announce_category_id .* not both"):
        ProgramSettings(announce_topic_id=12, announce_category_id=5)
