"""The forum side of the sandbox: badges and group membership changed by hand on the forum, a
person only on the forum, and posts the forum stand-in keeps as Discourse does."""

from __future__ import annotations

from tests.sandbox.test_terminal import assert_shown, played, welcome_part


async def test_a_badge_granted_after_the_person_posted_on_the_forum_is_recorded() -> None:
    # The forum's user answer counts posts by user_id: a post the sandbox made without one
    # crashed the forum stand-in and the bot answered 503.
    out: list[str] = []
    lines = [*welcome_part(), "forum intro Hello, I am Alice from Lisbon!", "forum grant Speaker"]
    async with played(lines, out) as sb:
        posts = [p for p in sb.forum.posts if p["raw"].startswith("Hello, I am Alice")]
        user_id = sb.forum.users["alice"]["id"]
    text = "\n".join(out)
    assert_shown(text, "granted Speaker to alice → HTTP 200 granted on the forum")
    assert "HTTP 503" not in text  # (not just "503": a port number may hold it)
    assert [p["user_id"] for p in posts] == [user_id]


async def test_a_forum_moderator_can_revoke_a_badge_and_remove_a_member_by_hand() -> None:
    out: list[str] = []
    lines = [
        *welcome_part(),
        "forum revoke Speaker",
        "forum revoke Ambassador",
        "forum remove",
        "forum remove",
    ]
    async with played(lines, out) as sb:
        badges = sb.forum.badges_of("alice")
        members = sb.forum.members_of("ambassadors")
    text = "\n".join(out)
    assert_shown(
        text,
        "alice does not hold Speaker on the forum (badges: Ambassador)",
        "a forum moderator revoked Ambassador from alice → HTTP 200",
        "The ambassador badge of alice (an active ambassador) was removed on the forum.",
        "a forum moderator removed alice from the ambassadors group → HTTP 200",
        "alice is not in the ambassadors group on the forum (members: no one)",
    )
    assert badges == [] and members == set()


async def test_someone_only_on_the_forum_can_act_there_and_is_refused_on_slack() -> None:
    out: list[str] = []
    lines = ["as dave", "/ambassador status", "click Approve", "forum pm status", "show forum"]
    async with played(lines, out) as sb:
        slack_names = {str(u.get("name")) for u in sb.slack.users.values()}
    text = "\n".join(out)
    assert text.count("dave is only on the forum") == 2
    assert_shown(text, "dave posted in topic", "Link your forum account there with `/ambassador link dave`")
    assert "dave" not in slack_names
    assert "  dave: no badges" in text  # `show forum` lists the forum-only person too
