"""The rules of `setup discourse` (bot.program.badges.setup): what is found, created or updated."""

from __future__ import annotations

import pytest

from bot.program.badges import setup as rules
from bot.program.badges.setup import EventType, ForumBadge, ForumGroup, ForumWebhook, Step, Wanted
from handlers.discourse import ROUTES

URL = "https://bot.example.org/discourse/webhooks"
SECRET = "configured-secret-0123"
# The ids of WebHookEventType::TYPES for the events the bot takes, plus one it does not.
TYPES = [
    EventType(201, "post_created"),
    EventType(101, "topic_created"),
    EventType(304, "user_created"),
    EventType(1301, "user_badge_granted"),
    EventType(1302, "user_badge_revoked"),
    EventType(1401, "user_added_to_group"),
    EventType(1402, "user_removed_from_group"),
    EventType(202, "post_edited"),
]
ALL = frozenset(rules.BOT_EVENTS)


def hook(**changes: object) -> ForumWebhook:
    fields: dict[str, object] = {
        "id": 7,
        "payload_url": URL,
        "content_type": 1,
        "active": True,
        "secret": SECRET,
        "wildcard": False,
        "event_names": ALL,
    }
    fields.update(changes)
    return ForumWebhook(**fields)  # type: ignore[arg-type]


def wanted(secret: str = SECRET) -> Wanted:
    return Wanted("Ambassador", "ambassadors", URL, secret, new_secret="generated-secret-xyz")


def test_the_events_asked_for_are_exactly_the_ones_the_handlers_take() -> None:
    assert set(rules.BOT_EVENTS) == set(ROUTES)


def test_nothing_on_the_forum_yet_means_three_creations_with_every_bot_event() -> None:
    p = rules.plan(wanted(), [], None, [], TYPES)
    assert [i.step for i in p.items] == [Step.CREATE] * 3
    assert p.changes == 3
    assert sorted(p.webhook_spec.event_type_ids) == [101, 201, 304, 1301, 1302, 1401, 1402]
    assert p.webhook_spec.payload_url == URL and p.webhook_spec.content_type == 1
    assert p.webhook_spec.secret == SECRET and p.secret == SECRET


def test_everything_in_place_is_found_and_changes_nothing() -> None:
    p = rules.plan(
        wanted(), [ForumBadge(100, "ambassador")], ForumGroup(41, "ambassadors", 2), [hook()], TYPES
    )
    assert [i.step for i in p.items] == [Step.FOUND] * 3
    assert p.changes == 0
    assert (p.badge.existing_id, p.group.existing_id, p.webhook.existing_id) == (100, 41, 7)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"active": False}, "it is inactive"),
        ({"content_type": 2}, "it sends form-encoded bodies, not JSON"),
        ({"event_names": ALL - {"user_created"}}, "it does not send the event user_created"),
        (
            {"event_names": frozenset({"post_created"})},
            "it does not send the events topic_created, user_created, user_badge_granted",
        ),
        ({"secret": "another-secret-456"}, "its secret is not discourse.webhook_secret"),
        ({"secret": ""}, "it has no secret"),
    ],
)
def test_a_webhook_to_our_url_that_is_wrong_is_updated_naming_what_is_wrong(
    changes: dict[str, object], problem: str
) -> None:
    p = rules.plan(wanted(), [], None, [hook(**changes)], TYPES)
    assert p.webhook.step is Step.UPDATE and p.webhook.existing_id == 7
    assert len(p.webhook.changes) == 1 and p.webhook.changes[0].startswith(problem)


def test_a_wildcard_webhook_sends_every_event() -> None:
    assert rules.webhook_problems(hook(wildcard=True, event_names=frozenset()), SECRET) == []


def test_the_url_matches_without_a_trailing_slash_and_other_urls_are_not_ours() -> None:
    p = rules.plan(
        wanted(), [], None, [hook(id=3, payload_url="https://other/x"), hook(payload_url=URL + "/")], TYPES
    )
    assert p.webhook.step is Step.FOUND and p.webhook.existing_id == 7


def test_without_a_configured_secret_the_webhooks_own_secret_is_kept() -> None:
    p = rules.plan(wanted(secret=""), [], None, [hook(secret="forum-side-secret-1")], TYPES)
    assert p.webhook.step is Step.FOUND and p.secret == "forum-side-secret-1"


def test_without_any_secret_a_new_one_is_used_and_the_hook_updated() -> None:
    p = rules.plan(wanted(secret=""), [], None, [hook(secret="")], TYPES)
    assert p.secret == "generated-secret-xyz"
    assert p.webhook.step is Step.UPDATE and p.webhook_spec.secret == "generated-secret-xyz"


def test_events_the_hook_already_sends_besides_ours_are_kept() -> None:
    p = rules.plan(wanted(), [], None, [hook(event_names=frozenset({"post_edited"}))], TYPES)
    assert 202 in p.webhook_spec.event_type_ids and 201 in p.webhook_spec.event_type_ids


def test_a_disabled_badge_is_enabled_not_created_again() -> None:
    p = rules.plan(wanted(), [ForumBadge(105, "Ambassador", enabled=False)], None, [], TYPES)
    assert p.badge.step is Step.UPDATE and p.badge.existing_id == 105
    assert p.badge.changes == ("it is disabled",)


def test_an_event_type_the_forum_does_not_offer_is_a_problem_named_once() -> None:
    p = rules.plan(wanted(), [], None, [], [t for t in TYPES if t.name != "user_removed_from_group"])
    assert p.problems == (
        "the forum offers no webhook event type user_removed_from_group (is it an old Discourse?)",
    )


def test_the_payload_url_is_the_public_url_plus_the_webhook_route() -> None:
    assert rules.payload_url_for("https://bot.example.org/") == URL


def test_the_configured_badge_id_wins_over_the_name() -> None:
    configured = Wanted("Ambassador", "ambassadors", URL, SECRET, "generated-secret-xyz", badge_id=105)
    badges = [ForumBadge(100, "Ambassador"), ForumBadge(105, "Community Ambassador")]
    p = rules.plan(configured, badges, None, [], TYPES)
    assert p.badge.step is Step.FOUND and p.badge.existing_id == 105


def test_a_configured_badge_id_the_forum_does_not_have_falls_back_to_the_name() -> None:
    configured = Wanted("Ambassador", "ambassadors", URL, SECRET, "generated-secret-xyz", badge_id=999)
    p = rules.plan(configured, [ForumBadge(100, "Ambassador")], None, [], TYPES)
    assert p.badge.step is Step.FOUND and p.badge.existing_id == 100


def test_a_group_visible_to_everyone_is_found_and_said_to_be_so() -> None:
    p = rules.plan(wanted(), [], ForumGroup(41, "ambassadors", 0), [], TYPES)
    assert p.group.step is Step.FOUND and "visible to more than its members" in p.group.label
