"""Groups: show, members, add/remove members, owners (app/controllers/groups_controller.rb,
app/controllers/admin/groups_controller.rb)."""

from __future__ import annotations

import re
import urllib.parse

from bot.sandbox.discourse.serializers import Serializers
from bot.sandbox.discourse.webhooks import group_user_payload
from bot.sandbox.discourse.wire import JSONDict, _now_iso, _scalar

MEMBERS_DEFAULT_PAGE_SIZE = 50
MEMBERS_MAX_PAGE_SIZE = 1_000


class GroupRoutes(Serializers):
    def _get_group(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /groups/{name}.json (GroupsController#show): GroupShowSerializer + extras."""
        group = self._find_group(urllib.parse.unquote(match["name"]))
        if group is None:
            raise self._not_found()
        return {
            "group": self._group_json(group),
            "extras": {"visible_group_names": sorted(g.name for g in self.groups.values())},
        }

    def _group_members(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /groups/{name}/members.json (GroupsController#members).

        ``limit`` defaults to 50 and may not exceed 1 000 (MEMBERS_DEFAULT_PAGE_SIZE,
        MEMBERS_MAX_PAGE_SIZE, fetch_limit_from_params), a negative ``offset`` is
        InvalidParameters. Owners come first (``ORDER BY NOT group_users.owner``), then by
        username, *descending* unless ``asc`` is given. ``filter`` narrows the list (a substring of
        the username, or an exact comma-separated list) but ``meta.total`` counts the whole group:
        it is taken before the filter. ``owners`` lists every owner matching the filter."""
        group = self._find_group(urllib.parse.unquote(match["name"]))
        if group is None:
            raise self._not_found()
        limit_raw = _scalar(params.get("limit"))
        offset_raw = _scalar(params.get("offset")) or "0"
        if limit_raw is not None and not limit_raw.isdigit():
            raise self._invalid_params("limit")
        limit = int(limit_raw) if limit_raw else MEMBERS_DEFAULT_PAGE_SIZE
        if limit <= 0 or limit > MEMBERS_MAX_PAGE_SIZE:
            raise self._invalid_params("limit")
        try:
            offset = int(offset_raw)
        except ValueError:
            offset = 0  # params[:offset].to_i
        if offset < 0:
            raise self._invalid_params("offset")
        names = [n for n in group.members if self._find_user(n) is not None]
        total = len(names)
        wanted = _scalar(params.get("filter"))
        if wanted:
            if "," in wanted:
                exact = {w.strip().lower() for w in wanted.split(",")}
                names = [n for n in names if n.lower() in exact]
            else:
                names = [n for n in names if wanted.lower() in n.lower()]
        descending = not _scalar(params.get("asc"))
        names.sort(key=str.lower, reverse=descending)
        names.sort(key=lambda n: n not in group.owners)  # stable: owners first, each part in order
        return {
            "members": [self._member_json(group, n) for n in names[offset : offset + limit]],
            "owners": [self._member_json(group, n) for n in names if n in group.owners],
            "meta": {"total": total, "limit": limit, "offset": offset},
        }

    def _users_or_invalid(self, params: JSONDict) -> list[JSONDict]:
        """GroupsController#users_from_params: ``usernames`` (comma-separated, case-insensitive) or
        ``user_ids``; when none of them is a user, InvalidParameters naming the parameter. Unknown
        names among known ones are silently left out."""
        users = self._users_from_params(params)
        if users:
            return users
        if self._requested_usernames(params):
            raise self._invalid_params("usernames")
        if params.get("user_ids") or params.get("user_id"):
            raise self._invalid_params("user_ids")
        raise self._invalid_params(self._t("groups.errors.usernames_or_emails_required"))

    def _add_members(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """PUT /groups/{id}/members.json (GroupsController#add_members).

        When *every* given user already is a member the answer is ``render_json_error`` of
        ``groups.errors.member_already_exist`` (usernames sorted, joined by ", ", pluralised by
        count): 422 ``{"errors": [message]}`` in the site's locale, with no error code to tell it
        from any other 422. Otherwise the new ones are added and the answer lists all of them."""
        group = self._group_by_id(match["id"])
        users = self._users_or_invalid(params)
        already = sorted(u["username"] for u in users if u["username"] in group.members)
        if already and len(already) == len(users):
            message = self._t(
                "groups.errors.member_already_exist", username=", ".join(already), count=len(already)
            )
            raise self._json_error(message)
        for user in users:
            if user["username"] not in group.members:
                group.members.add(user["username"])
                group.added_at[user["username"]] = _now_iso()
                self._emit(
                    "user_added_to_group",
                    group_user_payload(group.id, int(user["id"]), group_user_id=self._next_group_user_id),
                )
                self._next_group_user_id += 1
        return {"success": "OK", "usernames": [u["username"] for u in users], "emails": []}

    def _add_owners(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """PUT /admin/groups/{id}/owners.json, body group[usernames]=a,b (Admin::GroupsController
        #add_owners): owners are members too; an automatic group is refused
        (``can_not_modify_automatic``); adding an owner twice is harmless."""
        group = self._group_by_id(match["id"])
        if group.automatic:
            raise self._json_error(self._t("groups.errors.can_not_modify_automatic"))
        raw = params.get("group[usernames]", params.get("usernames"))
        users = self._users_from_params({"usernames": raw})
        if not users:
            raise self._param_missing("group[usernames]")
        for user in users:
            name = user["username"]
            group.owners.add(name)
            if name not in group.members:
                group.members.add(name)
                group.added_at[name] = _now_iso()
                self._emit(
                    "user_added_to_group",
                    group_user_payload(group.id, int(user["id"]), group_user_id=self._next_group_user_id),
                )
                self._next_group_user_id += 1
        return {"success": "OK", "usernames": [u["username"] for u in users]}

    def _remove_members(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """DELETE /groups/{id}/members.json (GroupsController#remove_member): removed users in
        ``usernames``, known users who were not members in ``skipped_usernames``."""
        group = self._group_by_id(match["id"])
        users = self._users_or_invalid(params)
        removed: list[str] = []
        skipped: list[str] = []
        for user in users:
            if user["username"] in group.members:
                group.members.discard(user["username"])
                group.owners.discard(user["username"])
                group.added_at.pop(user["username"], None)
                removed.append(user["username"])
                self._emit(
                    "user_removed_from_group",
                    group_user_payload(group.id, int(user["id"]), group_user_id=self._next_group_user_id),
                )
                self._next_group_user_id += 1
            else:
                skipped.append(user["username"])
        return {"success": "OK", "usernames": removed, "skipped_usernames": skipped}
