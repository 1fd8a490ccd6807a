"""Payload builders for the REST answers: each names the serializer it follows.

- badges: app/serializers/badge_serializer.rb (``_badge_json``; ``grant_count`` is the badge's
  own counter), side-loaded users: basic_user_serializer.rb (``_basic_user``);
- groups: basic_group_serializer.rb (``_group_summary``), group_show_serializer.rb
  (``_group_json``), group_user_serializer.rb (``_member_json``: the members list);
- users: user_serializer.rb (``_user_detail``);
- posts: post_serializer.rb as TopicViewPostsSerializer embeds it (``_make_post``; ``raw`` only
  with ``include_raw``).
"""

from __future__ import annotations

import copy
import html

from bot.sandbox.discourse.state import DiscourseGroup, ForumState
from bot.sandbox.discourse.webhooks import basic_group, user_payload
from bot.sandbox.discourse.wire import (
    JSONDict,
    _notification_schedule,
    _now_iso,
    _scalar,
    _user_unset_fields,
    _user_watching,
)

BADGE_TYPES = [
    {"id": 1, "name": "Gold", "sort_order": 9},
    {"id": 2, "name": "Silver", "sort_order": 8},
    {"id": 3, "name": "Bronze", "sort_order": 7},
]
BADGE_GROUPINGS = [
    {"id": 1, "name": "GettingStarted", "description": None, "position": 10, "system": True},
    {"id": 2, "name": "Community", "description": None, "position": 11, "system": True},
    {"id": 3, "name": "Posting", "description": None, "position": 12, "system": True},
    {"id": 4, "name": "TrustLevel", "description": None, "position": 13, "system": True},
    {"id": 5, "name": "Other", "description": None, "position": 14, "system": True},
]


class Serializers(ForumState):
    def _badge_json(self, badge: JSONDict, *, brief: bool = False) -> JSONDict:
        """BadgeSerializer (``brief``: the side-loaded form, without the admin-only fields of
        AdminBadgeSerializer); ``grant_count`` is the badge's own counter of its grants."""
        out = copy.deepcopy(badge)
        out["grant_count"] = sum(1 for ub in self.user_badges if ub["badge_id"] == badge["id"])
        if brief:
            for key in (
                "long_description",
                "query",
                "trigger",
                "target_posts",
                "auto_revoke",
                "show_posts",
                "i18n_name",
                "image_upload_id",
                "show_in_post_header",
            ):
                out.pop(key, None)
        return out

    def _basic_user(self, user: JSONDict) -> JSONDict:
        """BasicUserSerializer plus the flair/staff fields UserBadgeSerializer's users carry."""
        return {
            "id": user["id"],
            "username": user["username"],
            "name": user["name"],
            "avatar_template": user["avatar_template"],
            "flair_name": None,
            "admin": user["admin"],
            "moderator": user["moderator"],
            "trust_level": user["trust_level"],
        }

    def _group_summary(self, group: DiscourseGroup) -> JSONDict:
        """BasicGroupSerializer."""
        out = basic_group(
            group.id,
            group.name,
            len(group.members),
            automatic=group.automatic,
            visibility_level=group.visibility_level,
        )
        out["members_visibility_level"] = group.members_visibility_level
        return out

    def _group_json(self, group: DiscourseGroup) -> JSONDict:
        """GroupShowSerializer (BasicGroupSerializer + the fields its admin viewer sees)."""
        out = self._group_summary(group)
        out.update(
            {
                "is_group_user": self.api_username in group.members,
                "can_edit_group": True,
                "is_group_owner_display": self.api_username in group.owners,
                "mentionable": True,
                "messageable": True,
                "automatic_membership_email_domains": None,
                "smtp_updated_at": None,
                "smtp_updated_by": None,
                "smtp_enabled": False,
                "smtp_server": None,
                "smtp_port": None,
                "smtp_ssl_mode": None,
                "email_username": None,
                "email_from_alias": None,
                "email_password": None,
                "message_count": 0,
                "allow_unknown_sender_topic_replies": False,
                "associated_group_ids": [],
                "watching_category_ids": [],
                "tracking_category_ids": [],
                "watching_first_post_category_ids": [],
                "regular_category_ids": [],
                "muted_category_ids": [],
                "watching_tags": [],
                "watching_first_post_tags": [],
                "tracking_tags": [],
                "regular_tags": [],
                "muted_tags": [],
            }
        )
        return out

    def _member_json(self, group: DiscourseGroup, username: str) -> JSONDict:
        """GroupUserSerializer (``added_at`` is group_users.created_at)."""
        user = self._find_user(username)
        assert user is not None
        return {
            "id": user["id"],
            "username": user["username"],
            "name": user["name"],
            "avatar_template": user["avatar_template"],
            "title": user["title"],
            "last_posted_at": user["last_posted_at"],
            "last_seen_at": user["last_seen_at"],
            "added_at": group.added_at.get(user["username"], user["created_at"]),
            "timezone": "UTC",
        }

    def _user_detail(self, user: JSONDict) -> JSONDict:
        """UserSerializer as an admin sees it (``groups`` lists every group the user is in)."""
        groups = [self._group_summary(g) for g in self.groups.values() if user["username"] in g.members]
        badge_count = sum(1 for ub in self.user_badges if ub["user_id"] == user["id"])
        post_count = sum(1 for p in self.posts if p["user_id"] == user["id"])
        detail = {
            "id": user["id"],
            "username": user["username"],
            "name": user["name"],
            "avatar_template": user["avatar_template"],
            "last_posted_at": user["last_posted_at"],
            "last_seen_at": user["last_seen_at"],
            "created_at": user["created_at"],
            "ignored": False,
            "muted": False,
            "can_ignore_user": False,
            "can_mute_user": False,
            "can_send_private_messages": True,
            "can_send_private_message_to_user": True,
            "trust_level": user["trust_level"],
            "moderator": user["moderator"],
            "admin": user["admin"],
            "title": user["title"],
            "badge_count": badge_count,
            **_user_unset_fields(),
            "staged": user["staged"],
            "can_edit": True,
            "can_edit_username": True,
            "can_edit_email": True,
            "can_edit_name": True,
            "uploaded_avatar_id": None,
            "has_title_badges": False,
            "pending_count": 0,
            "pending_posts_count": 0,
            "profile_view_count": 0,
            "second_factor_enabled": False,
            "can_upload_profile_header": True,
            "can_upload_user_card_background": True,
            "post_count": post_count,
            "locale": None,
            **_user_watching(),
            "system_avatar_template": user["avatar_template"],
            "muted_usernames": [],
            "ignored_usernames": [],
            "allowed_pm_usernames": [],
            "mailing_list_posts_per_day": 0,
            "user_notification_schedule": _notification_schedule(),
            "featured_user_badge_ids": [],
            "invited_by": None,
            "groups": groups,
            "group_users": [
                {"group_id": g["id"], "user_id": user["id"], "notification_level": 3} for g in groups
            ],
            # UserSerializer's staff/self-only attributes, as an admin API key sees them.
            "custom_fields": {},
            "topic_count": sum(1 for t in self.topics.values() if t.get("user_id") == user["id"]),
            "can_be_deleted": post_count == 0,
            "can_delete_all_posts": True,
            "system_avatar_upload_id": None,
            "can_change_bio": True,
            "can_change_location": True,
            "can_change_website": True,
            "can_change_tracking_preferences": True,
            "user_api_keys": None,
            "user_auth_tokens": [],
            "use_logo_small_as_avatar": False,
            "user_option": self._user_option(user),
        }
        return detail

    @staticmethod
    def _user_option(user: JSONDict) -> JSONDict:
        """UserOptionSerializer: the captured 2025.12 user webhook's ``user_option`` plus the
        attributes newer releases add (discourse_api_docs lists them as required)."""
        option = dict(
            user_payload(int(user["id"]), str(user["username"]), user["name"], str(user["email"]))[
                "user_option"
            ]
        )
        option.update(
            {
                "push_notification_level": 0,
                "enable_upcoming_change_available_notifications": False,
                "show_original_content": False,
                "send_shortcut": "enter",
                "automatically_translate": False,
                "understood_languages": [],
            }
        )
        return option

    def _make_post(self, author: JSONDict, topic: JSONDict, raw: str, params: JSONDict) -> JSONDict:
        """A new post as PostSerializer renders it (``cooked`` is the escaped raw in paragraphs),
        plus the stand-in's bookkeeping (title, archetype, recipients), kept out of answers."""
        post_id = self._next_post_id
        self._next_post_id += 1
        now = _now_iso()
        reply_to = _scalar(params.get("reply_to_post_number"))
        post_number = int(topic["posts_count"])
        staff = bool(author["admin"] or author["moderator"])
        return {
            "id": post_id,
            "name": author["name"],
            "username": author["username"],
            "avatar_template": author["avatar_template"],
            "created_at": now,
            "raw": raw,
            "cooked": "<p>" + html.escape(raw).replace("\n\n", "</p>\n<p>") + "</p>",
            "post_number": post_number,
            "post_type": 1,
            "posts_count": int(topic["posts_count"]),
            "updated_at": now,
            "reply_count": 0,
            "reply_to_post_number": int(reply_to) if reply_to and reply_to.isdigit() else None,
            "quote_count": 0,
            "incoming_link_count": 0,
            "reads": 0,
            "readers_count": 0,
            "score": 0,
            "yours": True,
            "topic_id": topic["id"],
            "topic_slug": topic["slug"],
            "display_username": author["name"],
            "primary_group_name": None,
            "flair_name": None,
            "flair_url": None,
            "flair_bg_color": None,
            "flair_color": None,
            "flair_group_id": None,
            "badges_granted": [],
            "version": 1,
            "can_edit": True,
            "can_delete": post_number != 1,
            "can_recover": False,
            "can_see_hidden_post": staff,
            "can_wiki": True,
            "user_title": None,
            "bookmarked": False,
            "actions_summary": [{"id": 3, "can_act": True}, {"id": 4, "can_act": True}],
            "moderator": bool(author["moderator"]),
            "admin": bool(author["admin"]),
            "staff": staff,
            "user_id": author["id"],
            "draft_sequence": 1,
            "hidden": False,
            "trust_level": author["trust_level"],
            "deleted_at": None,
            "user_deleted": False,
            "edit_reason": None,
            "can_view_edit_history": True,
            "wiki": False,
            "reviewable_id": None,
            "reviewable_score_count": 0,
            "reviewable_score_pending_count": 0,
            "post_url": f"/t/{topic['slug']}/{topic['id']}/{post_number}",
            "mentioned_users": [],
            "title": topic["title"],
            "archetype": topic["archetype"],
            "target_recipients": list(topic.get("target_recipients") or []),
        }
