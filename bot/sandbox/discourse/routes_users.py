"""Users: ``GET /u/{username}.json`` (users_controller.rb#show), ``GET /admin/users/{id}.json``
(admin/users_controller.rb#show) and ``GET /admin/users/list/{query}.json`` (#index)."""

from __future__ import annotations

import re
import urllib.parse

from bot.sandbox.discourse.serializers import Serializers
from bot.sandbox.discourse.wire import JSONDict


class UserRoutes(Serializers):
    def _get_user(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /u/{username}.json (UsersController#show, UserSerializer under ``user``): the
        username is case-insensitive (fetch_user_from_params); unknown is a 404."""
        user = self._find_user(urllib.parse.unquote(match["username"]))
        if user is None:
            raise self._not_found()
        return {"user_badges": [], "user": self._user_detail(user)}

    def _admin_list_users(self, match: re.Match[str], params: JSONDict) -> list[JSONDict]:
        """GET /admin/users/list/{query}.json (Admin::UsersController#index, a bare array of
        AdminUserListSerializer rows). Admin::StaffController (app/controllers/admin/
        staff_controller.rb) is ``before_action :ensure_staff``: admins and moderators only.
        AdminUserIndexQuery (app/queries/admin_user_index_query.rb): ``email`` keeps the one user
        whose primary address equals it, lower-cased (``filter_by_search``); the ``query`` staff /
        admins / moderators keeps those (``filter_by_query_classification``), ``active`` and
        ``new`` only order. ``email`` is in each row only with ``show_emails=true`` and a key that
        may see addresses (Guardian#can_check_emails?: admins; moderators only with
        moderators_view_emails, off by default)."""
        me = self._find_user(self.api_username)
        if me is None or not (me["admin"] or me["moderator"]):
            raise self._invalid_access()
        users = list(self.users.values())
        email = str(params.get("email") or "").strip()
        if email:
            users = [u for u in users if str(u["email"]).lower() == email.lower()]
        kept = {"staff": ("admin", "moderator"), "admins": ("admin",), "moderators": ("moderator",)}
        flags = kept.get(match["query"])
        if flags:
            users = [u for u in users if any(u[f] for f in flags)]
        show = str(params.get("show_emails")) == "true" and bool(me["admin"])
        rows: list[JSONDict] = []
        for user in users:
            row = {k: user[k] for k in ("id", "username", "name", "avatar_template", "active")}
            row.update({k: user[k] for k in ("admin", "moderator", "trust_level", "staged", "title")})
            row.update({k: user[k] for k in ("last_seen_at", "created_at")})
            # AdminUserListSerializer's other columns: the stand-in keeps no stats or mail log.
            row.update({"last_emailed_at": None, "manual_locked_trust_level": None})
            row.update({"last_seen_age": None, "last_emailed_age": None, "created_at_age": 0.0})
            row.update({"time_read": 0, "days_visited": 0, "posts_read_count": 0})
            row.update({"topics_entered": 0, "post_count": 0})
            if show:
                row.update({"email": user["email"], "secondary_emails": []})
            rows.append(row)
        return rows

    def _admin_get_user(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /admin/users/{id}.json (Admin::UsersController#show, AdminDetailedUserSerializer,
        unwrapped); unknown id is a 404."""
        user = self._user_by_id(match["id"])
        if user is None:
            raise self._not_found()
        detail = self._user_detail(user)
        detail.update(
            {
                "active": user["active"],
                "email": user["email"],
                "secondary_emails": [],
                "last_emailed_at": None,
                "approved": True,
                "suspended_at": None,
                "suspended_till": None,
                "silenced_till": None,
                "can_grant_admin": False,
                "can_revoke_admin": False,
                "can_grant_moderation": False,
                "can_revoke_moderation": False,
                "can_impersonate": False,
                "like_count": 0,
                "like_given_count": 0,
                "topic_count": 0,
                "flags_given_count": 0,
                "flags_received_count": 0,
                "private_topics_count": 0,
                "can_delete_all_posts": False,
                "can_be_deleted": True,
                "can_be_anonymized": True,
                "external_ids": {},
                "api_key_count": 0,
                "single_sign_on_record": None,
                "approved_by": None,
                "penalty_counts": {"silenced": 0, "suspended": 0},
                # AdminDetailedUserSerializer's remaining attributes (discourse_api_docs, getUserAdmin).
                "last_seen_age": None,
                "last_emailed_age": None,
                "created_at_age": 0.0,
                "manual_locked_trust_level": None,
                "days_visited": 0,
                "posts_read_count": 0,
                "topics_entered": 0,
                "can_send_activation_email": not user["active"],
                "can_activate": not user["active"],
                "can_deactivate": bool(user["active"]),
                "ip_address": "127.0.0.1",
                "registration_ip_address": None,
                "can_be_merged": True,
                "full_suspend_reason": None,
                "warnings_received_count": 0,
                "bounce_score": 0,
                "reset_bounce_score_after": None,
                "can_view_action_logs": True,
                "can_disable_second_factor": False,
                "can_delete_sso_record": False,
                "suspended_by": None,
                "silenced_by": None,
                "include_ip": True,
            }
        )
        return detail
