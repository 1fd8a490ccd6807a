"""Webhook payloads in the shapes Discourse sends (captured from Discourse 2025.12, see
tests/fixtures/discourse/ and ../shared/fixtures/discourse/NOTES.md sections 2 and 3).

Event names map to event types as in config/initializers/012-web_hook_events.rb; each builder
names the serializer its shape comes from (app/serializers/web_hook_*_serializer.rb).
"""

from __future__ import annotations

import html

from bot.sandbox.discourse.wire import (
    JSONDict,
    _avatar,
    _notification_schedule,
    _now_iso,
    _slugify,
    _user_unset_fields,
    _user_watching,
)


def event_type_for(event_name: str) -> str:
    """The ``X-Discourse-Event-Type`` (and envelope key) Discourse uses for an event name."""
    if event_name == "ping":
        return "ping"
    if event_name.startswith("user_badge_"):
        return "user_badge"
    if event_name in {"user_added_to_group", "user_removed_from_group"}:
        return "group_user"
    prefixes = [
        ("post_", "post"),
        ("topic_", "topic"),
        ("user_", "user"),
        ("category_", "category"),
        ("tag_", "tag"),
        ("group_", "group"),
        ("reviewable_", "reviewable"),
        ("chat_message_", "chat_message"),
        ("like", "like"),
        ("notification", "notification"),
        ("solved", "solved"),
        ("accepted_solution", "solved"),
        ("unaccepted_solution", "solved"),
    ]
    for prefix, event_type in prefixes:
        if event_name.startswith(prefix):
            return event_type
    raise ValueError(f"unknown Discourse webhook event {event_name!r}")


def post_payload(
    post_id: int,
    username: str,
    topic_id: int,
    raw: str,
    post_number: int = 1,
    topic_title: str = "Welcome to the sandbox forum",
    *,
    user_id: int = 1,
    name: str | None = None,
    category_id: int | None = 4,
    archetype: str = "regular",
    topic_slug: str | None = None,
    reply_to_post_number: int | None = None,
    created_at: str | None = None,
    trust_level: int = 1,
    admin: bool = False,
    moderator: bool = False,
    topic_posts_count: int | None = None,
) -> JSONDict:
    """A ``post`` webhook object in the shape of Discourse 2025.12's WebHookPostSerializer."""
    when = created_at or _now_iso()
    slug = topic_slug or _slugify(topic_title)
    posts_count = topic_posts_count if topic_posts_count is not None else post_number
    return {
        "id": post_id,
        "name": name,
        "username": username,
        "avatar_template": _avatar(username),
        "created_at": when,
        "cooked": "<p>" + html.escape(raw) + "</p>",
        "post_number": post_number,
        "post_type": 1,
        "posts_count": posts_count,
        "updated_at": when,
        "reply_count": 0,
        "reply_to_post_number": reply_to_post_number,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": 0,
        "score": 0,
        "topic_id": topic_id,
        "topic_slug": slug,
        "topic_title": topic_title,
        "category_id": category_id,
        "display_username": name,
        "primary_group_name": None,
        "flair_name": None,
        "flair_group_id": None,
        "version": 1,
        "user_title": None,
        "bookmarked": False,
        "raw": raw,
        "moderator": moderator,
        "admin": admin,
        "staff": admin or moderator,
        "user_id": user_id,
        "hidden": False,
        "trust_level": trust_level,
        "deleted_at": None,
        "user_deleted": False,
        "edit_reason": None,
        "wiki": False,
        "reviewable_id": None,
        "reviewable_score_count": 0,
        "reviewable_score_pending_count": 0,
        "post_url": f"/t/{slug}/{topic_id}/{post_number}",
        "topic_posts_count": posts_count,
        "topic_filtered_posts_count": posts_count,
        "topic_archetype": archetype,
        "category_slug": f"{category_id}-category" if category_id is not None else None,
        "can_accept_answer": False,
        "can_unaccept_answer": False,
        "accepted_answer": False,
        "topic_accepted_answer": None,
        "can_vote": False,
    }


def topic_payload(
    topic_id: int,
    title: str,
    user_id: int,
    username: str,
    *,
    name: str | None = None,
    archetype: str = "regular",
    category_id: int | None = 4,
    posts_count: int = 1,
    tags: list[str] | None = None,
    created_at: str | None = None,
) -> JSONDict:
    """A ``topic`` webhook object in the shape of Discourse 2025.12's WebHookTopicViewSerializer."""
    when = created_at or _now_iso()
    person = {"id": user_id, "username": username, "name": name, "avatar_template": _avatar(username)}
    return {
        "tags": list(tags or []),
        "tags_descriptions": {},
        "fancy_title": html.escape(title),
        "id": topic_id,
        "title": title,
        "posts_count": posts_count,
        "created_at": when,
        "views": 0,
        "reply_count": 0,
        "like_count": 0,
        "last_posted_at": when,
        "visible": True,
        "closed": False,
        "archived": False,
        "archetype": archetype,
        "slug": _slugify(title),
        "category_id": category_id,
        "word_count": 0,
        "deleted_at": None,
        "user_id": user_id,
        "featured_link": None,
        "pinned_globally": False,
        "pinned_at": None,
        "pinned_until": None,
        "unpinned": None,
        "pinned": False,
        "highest_post_number": posts_count,
        "deleted_by": None,
        "has_deleted": False,
        "bookmarked": False,
        "participant_count": 1,
        "queued_posts_count": 0,
        "thumbnails": None,
        "created_by": dict(person),
        "last_poster": dict(person),
        "can_vote": False,
        "vote_count": 0,
        "user_voted": False,
        "pending_posts": [],
    }


def user_badge_payload(
    user_badge_id: int,
    badge_id: int,
    user_id: int,
    granted_by_id: int = -1,
    *,
    granted_at: str | None = None,
    created_at: str | None = None,
    post_id: int | None = None,
    post_number: int | None = None,
) -> JSONDict:
    """A ``user_badge`` webhook object (UserBadgeSerializer, as captured from 2025.12)."""
    when = granted_at or _now_iso()
    payload: JSONDict = {"id": user_badge_id, "granted_at": when, "created_at": created_at or when}
    if post_id is not None:  # only present when the badge shows posts
        payload["post_id"] = post_id
        payload["post_number"] = post_number
    payload.update({"badge_id": badge_id, "user_id": user_id, "granted_by_id": granted_by_id})
    return payload


def group_user_payload(
    group_id: int,
    user_id: int,
    *,
    group_user_id: int | None = None,
    notification_level: int = 3,
    created_at: str | None = None,
) -> JSONDict:
    """A ``group_user`` webhook object (WebHookGroupUserSerializer)."""
    return {
        "group_id": group_id,
        "user_id": user_id,
        "notification_level": notification_level,
        "id": group_user_id if group_user_id is not None else user_id * 1000 + group_id,
        "created_at": created_at or _now_iso(),
    }


def basic_group(
    group_id: int,
    name: str,
    user_count: int,
    *,
    automatic: bool = False,
    visibility_level: int = 0,
    bio: str | None = None,
) -> JSONDict:
    """A group as BasicGroupSerializer (app/serializers/basic_group_serializer.rb) shows it: in a
    user's ``groups`` (webhook and REST) and in group lists."""
    return {
        "id": group_id,
        "automatic": automatic,
        "name": name,
        "display_name": name,
        "user_count": user_count,
        "mentionable_level": 0,
        "messageable_level": 0,
        "visibility_level": visibility_level,
        "primary_group": False,
        "title": None,
        "grant_trust_level": None,
        "incoming_email": None,
        "has_messages": False,
        "flair_url": None,
        "flair_bg_color": None,
        "flair_color": None,
        "bio_raw": None,
        "bio_cooked": bio,
        "bio_excerpt": bio,
        "public_admission": False,
        "public_exit": False,
        "allow_membership_requests": False,
        "full_name": None,
        "default_notification_level": 3,
        "membership_request_template": None,
        "members_visibility_level": 0,
        "can_see_members": True,
        "can_admin_group": True,
        "publish_read_state": False,
    }


def _trust_level_group(group_id: int, level: int) -> JSONDict:
    """An automatic trust-level group (Group::AUTO_GROUPS), as a user's ``groups`` lists it."""
    name, bio = f"trust_level_{level}", f"Members at trust level {level}"
    return basic_group(group_id, name, 3, automatic=True, visibility_level=1, bio=bio)


def user_payload(
    user_id: int,
    username: str,
    name: str | None,
    email: str,
    *,
    trust_level: int = 1,
    created_at: str | None = None,
    locale: str = "en",
    admin: bool = False,
    moderator: bool = False,
) -> JSONDict:
    """A ``user`` webhook object in the shape of Discourse 2025.12's WebHookUserSerializer (admin scope)."""
    avatar = _avatar(username)
    return {
        "id": user_id,
        "username": username,
        "name": name,
        "avatar_template": avatar,
        "email": email,
        "secondary_emails": [],
        "last_posted_at": None,
        "last_seen_at": None,
        "created_at": created_at or _now_iso(),
        "muted": False,
        "trust_level": trust_level,
        "moderator": moderator,
        "admin": admin,
        "title": None,
        "badge_count": 0,
        **_user_unset_fields(),
        "staged": False,
        "pending_count": 0,
        "profile_view_count": 0,
        "second_factor_enabled": False,
        "can_upload_profile_header": True,
        "can_upload_user_card_background": True,
        "post_count": 0,
        "locale": locale,
        **_user_watching(),
        "system_avatar_template": avatar,
        "muted_usernames": [],
        "can_mute_users": True,
        "ignored_usernames": [],
        "can_ignore_users": True,
        "allowed_pm_usernames": [],
        "mailing_list_posts_per_day": 0,
        "user_notification_schedule": _notification_schedule(),
        "can_chat_user": True,
        "accepted_answers": 0,
        "featured_user_badge_ids": [],
        "invited_by": None,
        "groups": [_trust_level_group(10 + level, level) for level in range(trust_level + 1)],
        "user_option": {
            "user_id": user_id,
            "mailing_list_mode": False,
            "mailing_list_mode_frequency": 1,
            "email_digests": True,
            "email_level": 1,
            "email_messages_level": 0,
            "external_links_in_new_tab": False,
            "color_scheme_id": None,
            "dark_scheme_id": None,
            "dynamic_favicon": False,
            "enable_quoting": True,
            "enable_smart_lists": True,
            "enable_defer": False,
            "enable_markdown_monospace_font": True,
            "digest_after_minutes": 1440,
            "automatically_unpin_topics": True,
            "auto_track_topics_after_msecs": 300000,
            "notification_level_when_replying": 2,
            "new_topic_duration_minutes": 2880,
            "email_previous_replies": 2,
            "email_in_reply_to": False,
            "like_notification_frequency": 1,
            "notify_on_linked_posts": True,
            "include_tl0_in_digests": False,
            "theme_ids": [-2],
            "theme_key_seq": 0,
            "allow_private_messages": True,
            "enable_allowed_pm_users": False,
            "homepage_id": None,
            "hide_profile_and_presence": False,
            "hide_profile": False,
            "hide_presence": False,
            "text_size": "normal",
            "text_size_seq": 0,
            "title_count_mode": "notifications",
            "bookmark_auto_delete_preference": 3,
            "timezone": None,
            "skip_new_user_tips": False,
            "default_calendar": "none_selected",
            "oldest_search_log_date": None,
            "seen_popups": None,
            "sidebar_link_to_filtered_list": False,
            "sidebar_show_count_of_new_items": False,
            "watched_precedence_over_muted": False,
            "topics_unread_when_closed": True,
            "composition_mode": 1,
            "interface_color_mode": 1,
            "chat_enabled": True,
            "only_chat_push_notifications": None,
            "ignore_channel_wide_mention": None,
            "show_thread_title_prompts": True,
            "chat_email_frequency": "when_away",
            "chat_header_indicator_preference": "all_new",
            "chat_separate_sidebar_mode": "default",
            "chat_send_shortcut": "enter",
            "chat_quick_reaction_type": "frequent",
            "chat_quick_reactions_custom": None,
        },
    }
