"""Badges: listing, granting, revoking and who holds one (app/controllers/admin/badges_controller.rb,
app/controllers/user_badges_controller.rb)."""

from __future__ import annotations

import copy
import re
import urllib.parse

from bot.sandbox.discourse.serializers import BADGE_GROUPINGS, BADGE_TYPES, Serializers
from bot.sandbox.discourse.webhooks import user_badge_payload
from bot.sandbox.discourse.wire import JSONDict, _HttpError, _now_iso, _scalar

MAX_BADGES = 96  # UserBadgesController::MAX_BADGES, one page of GET /user_badges.json


class BadgeRoutes(Serializers):
    def _admin_badges(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /admin/badges.json (Admin::BadgesController#index, AdminBadgesSerializer)."""
        badges = [self._badge_json(b) for b in sorted(self.badges.values(), key=lambda b: int(b["id"]))]
        return {
            "badges": badges,
            "badge_types": copy.deepcopy(BADGE_TYPES),
            "badge_groupings": copy.deepcopy(BADGE_GROUPINGS),
            "admin_badges": {
                "protected_system_fields": [
                    "name",
                    "badge_type_id",
                    "multiple_grant",
                    "target_posts",
                    "show_posts",
                    "query",
                    "trigger",
                    "auto_revoke",
                    "listable",
                ],
                "triggers": {
                    "user_change": 8,
                    "none": 0,
                    "post_revision": 2,
                    "trust_level_change": 4,
                    "post_action": 1,
                },
                "badge_ids": [b["id"] for b in badges],
                "badge_grouping_ids": [g["id"] for g in BADGE_GROUPINGS],
                "badge_type_ids": [t["id"] for t in BADGE_TYPES],
            },
        }

    def _grant_badge(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """POST /user_badges.json (UserBadgesController#create): ``params.require(:username)``;
        ``badge_id`` or ``badge_name`` of an enabled badge, else 404; a ``reason`` must be a link to
        a post or topic of this forum (400 ``{"failed": "FAILED", "message": ...}``);
        BadgeGranter.grant gives a single-grant badge once. Answer: DetailedUserBadgeSerializer
        under ``user_badge``, with badges and users side-loaded."""
        username = _scalar(params.get("username"))
        if not username:
            raise self._param_missing("username")
        user = self._find_user(username)
        if user is None:
            raise self._not_found()
        badge = self._badge_from_params(params)
        if badge is None or not badge["enabled"]:
            raise self._not_found()
        if not badge["manually_grantable"]:
            raise _HttpError(403, {"failed": "FAILED"})
        post_id: int | None = None
        reason = _scalar(params.get("reason"))
        if reason:
            post_id = self._post_id_from_reason(reason)
            if post_id is None and not self._is_post_or_topic_link(reason):
                raise _HttpError(
                    400, {"failed": "FAILED", "message": self._t("invalid_grant_badge_reason_link")}
                )
        granter = self._find_user(self.api_username)
        granter_id = int(granter["id"]) if granter is not None else -1
        existing = None
        if not badge["multiple_grant"]:
            existing = next(
                (
                    ub
                    for ub in self.user_badges
                    if ub["user_id"] == user["id"] and ub["badge_id"] == badge["id"]
                ),
                None,
            )
        if existing is None:
            now = _now_iso()
            existing = {
                "id": self._next_user_badge_id,
                "user_id": user["id"],
                "badge_id": badge["id"],
                "granted_at": now,
                "created_at": now,
                "granted_by_id": granter_id,
                "post_id": post_id,
                "reason": reason or None,
            }
            self._next_user_badge_id += 1
            self.user_badges.append(existing)
            self._emit(
                "user_badge_granted",
                user_badge_payload(
                    existing["id"], badge["id"], user["id"], granter_id, granted_at=now, created_at=now
                ),
            )
        post_number = None
        if existing.get("post_id") is not None:
            post = self._find_post(int(existing["post_id"]))
            post_number = post["post_number"] if post is not None else None
        users = [self._basic_user(user)]
        if granter is not None and granter["id"] != user["id"]:
            users.append(self._basic_user(granter))
        return {
            "badges": [self._badge_json(badge, brief=True)],
            "users": users,
            "user_badge": {
                "id": existing["id"],
                "granted_at": existing["granted_at"],
                "created_at": existing["created_at"],
                "count": 1,
                "post_id": existing.get("post_id"),
                "post_number": post_number,
                "badge_id": existing["badge_id"],
                "user_id": existing["user_id"],
                "granted_by_id": existing["granted_by_id"],
            },
        }

    def _revoke_badge(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """DELETE /user_badges/{id}.json (UserBadgesController#destroy): UserBadge.find (404 when
        gone), BadgeGranter.revoke, ``success_json``."""
        try:
            ub_id = int(match["id"])
        except ValueError as exc:
            raise self._not_found() from exc
        for ub in self.user_badges:
            if ub["id"] == ub_id:
                self.user_badges.remove(ub)
                self._emit(
                    "user_badge_revoked",
                    user_badge_payload(
                        ub["id"],
                        ub["badge_id"],
                        ub["user_id"],
                        ub["granted_by_id"],
                        granted_at=ub["granted_at"],
                        created_at=ub["created_at"],
                    ),
                )
                return {"success": "OK"}
        raise self._not_found()

    def _badge_holders(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /user_badges.json?badge_id=N[&username=U][&offset=M]: who holds a badge.

        discourse/discourse app/controllers/user_badges_controller.rb#index: ordered
        ``granted_at DESC, id DESC``, ``.limit(MAX_BADGES)`` (96) then ``.offset(offset)``;
        ``grant_count`` stays ``nil`` unless ``username`` is given (then it counts that user's
        grants and the page holds only theirs). Serialized by app/serializers/
        user_badges_serializer.rb under the root ``user_badge_info`` (user_badges, grant_count,
        username), with the badges and users side-loaded. A missing or disabled badge is a 404
        (fetch_badge_from_params raises Discourse::NotFound)."""
        badge = self._badge_from_params(params)
        if badge is None or not badge["enabled"]:
            if not _scalar(params.get("badge_id")) and not _scalar(params.get("badge_name")):
                raise self._param_missing("badge_id")
            raise self._not_found()
        offset_raw = _scalar(params.get("offset")) or "0"
        offset = int(offset_raw) if offset_raw.isdigit() else 0  # fetch_int_from_params(default: 0)
        holders = sorted(
            (ub for ub in self.user_badges if ub["badge_id"] == badge["id"]),
            key=lambda ub: (str(ub["granted_at"]), int(ub["id"])),
            reverse=True,
        )
        username = _scalar(params.get("username"))
        grant_count: int | None = None
        if username:
            user = self._find_user(username)
            user_id = user["id"] if user is not None else None
            if user_id is not None:
                holders = [ub for ub in holders if ub["user_id"] == user_id]
            grant_count = sum(
                1 for ub in self.user_badges if ub["badge_id"] == badge["id"] and ub["user_id"] == user_id
            )
        page = holders[offset : offset + MAX_BADGES]
        user_ids = {ub["user_id"] for ub in page} | {ub["granted_by_id"] for ub in page}
        return {
            "badges": [self._badge_json(badge, brief=True)],
            "users": [self._basic_user(u) for u in self.users.values() if u["id"] in user_ids],
            "user_badge_info": {
                "user_badges": [
                    {
                        "id": ub["id"],
                        "granted_at": ub["granted_at"],
                        "created_at": ub["created_at"],
                        "post_id": ub.get("post_id"),
                        "badge_id": ub["badge_id"],
                        "user_id": ub["user_id"],
                        "granted_by_id": ub["granted_by_id"],
                    }
                    for ub in page
                ],
                "grant_count": grant_count,
                "username": username,
            },
        }

    def _list_user_badges(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /user-badges/{username}.json (UserBadgesController#username): the user's badges,
        DetailedUserBadgeSerializer under ``user_badges``; an unknown user is a 404."""
        user = self._find_user(urllib.parse.unquote(match["username"]))
        if user is None:
            raise self._not_found()
        mine = [
            ub for ub in self.user_badges if ub["user_id"] == user["id"] and ub["badge_id"] in self.badges
        ]
        badge_ids = sorted({ub["badge_id"] for ub in mine})
        granter_ids = {ub["granted_by_id"] for ub in mine}
        granters = [self._basic_user(u) for u in self.users.values() if u["id"] in granter_ids]
        return {
            "badges": [self._badge_json(self.badges[b], brief=True) for b in badge_ids],
            "badge_types": copy.deepcopy(BADGE_TYPES),
            "granted_bies": granters,
            "users": [self._basic_user(user)],
            "user_badges": [
                {
                    "id": ub["id"],
                    "granted_at": ub["granted_at"],
                    "created_at": ub["created_at"],
                    "count": 1,
                    "grouping_position": 500,
                    "is_favorite": None,
                    "can_favorite": False,
                    "post_id": ub.get("post_id"),
                    "badge_id": ub["badge_id"],
                    "user_id": ub["user_id"],
                    "granted_by_id": ub["granted_by_id"],
                }
                for ub in mine
            ],
        }

    # A grant's ``reason`` may only be a link to a post or topic of this site
    # (UserBadgesController#create, "reason must be a link to a post or topic on this site").

    def _same_site(self, url: str) -> urllib.parse.SplitResult | None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            return None
        if self.base_url:
            ours = urllib.parse.urlsplit(self.base_url)
            if parts.netloc.lower() != ours.netloc.lower():
                return None
        return parts

    def _is_post_or_topic_link(self, reason: str) -> bool:
        parts = self._same_site(reason)
        return parts is not None and re.match(r"^/(t|p)/", parts.path) is not None

    def _post_id_from_reason(self, reason: str) -> int | None:
        parts = self._same_site(reason)
        if parts is None:
            return None
        m = re.match(r"^/p/(\d+)", parts.path)
        if m:
            post = self._find_post(int(m.group(1)))
            return int(post["id"]) if post is not None else None
        m = re.match(r"^/t/(?:[^/]+/)?(\d+)(?:/(\d+))?", parts.path)
        if m:
            topic_id = int(m.group(1))
            number = int(m.group(2)) if m.group(2) else 1
            for post in self.posts:
                if post["topic_id"] == topic_id and post["post_number"] == number:
                    return int(post["id"])
        return None
