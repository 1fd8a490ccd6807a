"""The forum posts of onboarding and nominations: a new ambassador's announcement and the
invitation of a nominee who is not in Slack. A person's words show as typed (no headings, links,
mentions or HTML), and a row that does not fit its message is refused."""

from __future__ import annotations

import pytest

from bot.program.messages import encode
from bot.program.nominations.messages import ForumNominationInvite
from bot.program.onboarding.messages import ForumAnnouncement
from handlers.discourse.renderers import discourse_renderers


def test_the_announcement_says_only_the_name_location_and_expertise_as_typed() -> None:
    msg = ForumAnnouncement(
        name="# Zoë <b>[x](http://e.vil)</b> @all", location="Lisbon", expertise="", program="P"
    )
    title, raw = discourse_renderers().render(msg.kind, encode(msg))
    # The title of a new topic (`announce_category_id`; a reply drops it): plain text, which the
    # forum shows as typed (titles are not Markdown).
    assert title == "Please welcome # Zoë <b>[x](http://e.vil)</b> @all, our new ambassador"
    assert raw.startswith(
        "Please welcome **\\# Zoë \\<b\\>\\[x\\](http://e.vil)\\</b\\> \\@all**, a new member of P!"
    )
    assert "- **Location:** Lisbon" in raw and "Expertise" not in raw


def test_the_nominee_invitation_says_who_why_and_how_to_apply() -> None:
    msg = ForumNominationInvite("zoe", "Alice", "Runs *the* Porto meetup", "P", "/amb")
    title, raw = discourse_renderers().render(msg.kind, encode(msg))
    assert title == "You were nominated for P"
    assert "Alice nominated you to become one of the P" in raw
    assert "What they said: Runs \\*the\\* Porto meetup" in raw and "`/amb apply`" in raw
    anonymous = ForumNominationInvite("zoe", "", "", "P")
    _title, raw = discourse_renderers().render(anonymous.kind, encode(anonymous))
    assert raw.count("A member of our Slack workspace") == 1 and "Ask a moderator" in raw
    assert "What they said" not in raw


def test_a_row_that_does_not_fit_is_refused() -> None:
    with pytest.raises(ValueError):
        discourse_renderers().render(ForumNominationInvite.kind, {"nominator": "Alice"})
