"""Editing a post: PUT /posts/{id}.json (app/controllers/posts_controller.rb ``update``, with
lib/guardian/post_guardian.rb for who may edit and lib/post_revisor.rb for what an edit does)."""

from __future__ import annotations

import html
import re

from bot.sandbox.discourse.routes_posts import PostRoutes
from bot.sandbox.discourse.webhooks import post_payload
from bot.sandbox.discourse.wire import JSONDict, _now_iso, _scalar

MAX_POST_LENGTH = 32_000  # config/site_settings.yml: max_post_length's default
MIN_TRUST_TO_EDIT_WIKI_POST = 1  # config/site_settings.yml: min_trust_to_edit_wiki_post's default


class PostEditRoutes(PostRoutes):
    def _can_edit(self, user: JSONDict, post: JSONDict) -> bool:
        """lib/guardian/post_guardian.rb ``can_edit_post?``: staff may edit any post; nobody else
        a deleted one; a wiki post anyone of trust level ``min_trust_to_edit_wiki_post`` or more;
        otherwise only its author (the edit time limit is not modelled)."""
        if user["admin"] or user["moderator"]:
            return True
        if post.get("deleted_at") or post.get("user_deleted"):
            return False
        if post.get("wiki") and int(user["trust_level"]) >= MIN_TRUST_TO_EDIT_WIKI_POST:
            return True
        return bool(post["user_id"] == user["id"])

    def _update_post(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """PUT /posts/{id}.json (config/routes.rb ``resources :posts, only: %i[show update create
        destroy]``; PostsController#update). ``params.require(:post)``: no ``post[...]`` field is a
        400; no such post a 404 (Discourse::NotFound); a post the API user may not edit a 403
        (``guardian.ensure_can_edit!``, Discourse::InvalidAccess); ``post[original_text]`` (or the
        older ``post[raw_old]``) that is not the post's raw a 409 ``edit_conflict``; a body PostRevisor
        refuses (PostValidator: too short, longer than ``max_post_length``) a 422
        ``render_json_error(post)``. PostRevisor leaves an unchanged raw alone (no new version);
        a changed one is a new version with its ``edit_reason``, and the ``post_edited`` web hook
        fires. The answer is ``{"post": PostSerializer(add_raw: true)}``."""
        if not any(key.startswith("post[") for key in params):
            raise self._param_missing("post")
        post = self._find_post(int(match.group("id")))
        if post is None:
            raise self._not_found()
        editor = self._find_user(self.api_username)
        if editor is None or not self._can_edit(editor, post):
            raise self._invalid_access()
        original = _scalar(params.get("post[original_text]")) or _scalar(params.get("post[raw_old]"))
        if original and original != post["raw"]:
            raise self._json_error(self._t("edit_conflict"), status=409)
        raw = _scalar(params.get("post[raw]"))
        if raw is not None and raw != post["raw"]:
            self._revise(post, raw, _scalar(params.get("post[edit_reason]")), editor)
        return {"post": self._post_view(post, include_raw=True)}

    def _revise(self, post: JSONDict, raw: str, reason: str | None, editor: JSONDict) -> None:
        """PostRevisor#revise! of the raw: validated first (lib/validators/post_validator.rb
        ``stripped_length``), then a new version; ``cooked`` as ``_make_post`` makes it."""
        if len(raw.strip()) < self.min_post_length:
            raise self._json_error(self._t("body_too_short", count=self.min_post_length))
        if len(raw.strip()) > MAX_POST_LENGTH:
            raise self._json_error(self._t("body_too_long", count=MAX_POST_LENGTH, length=len(raw.strip())))
        post["raw"] = raw
        post["cooked"] = "<p>" + html.escape(raw).replace("\n\n", "</p>\n<p>") + "</p>"
        post["version"] = int(post["version"]) + 1
        post["edit_reason"] = reason or None
        post["updated_at"] = _now_iso()
        post["last_editor_id"] = editor["id"]
        topic = self.topics[int(post["topic_id"])]
        self._emit(
            "post_edited",
            post_payload(
                post["id"],
                str(post["username"]),
                int(topic["id"]),
                raw,
                post_number=int(post["post_number"]),
                topic_title=str(topic["title"]),
                user_id=int(post["user_id"]),
                archetype=str(topic["archetype"]),
            ),
        )
