"""Posts and topics: create, a topic's posts, the private messages a user sent
(app/controllers/posts_controller.rb, topics_controller.rb, list_controller.rb)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from bot.sandbox.discourse.serializers import Serializers
from bot.sandbox.discourse.webhooks import post_payload
from bot.sandbox.discourse.wire import JSONDict, _HttpError, _now_iso, _scalar, _slugify

CHUNK_SIZE = 20  # lib/topic_view.rb: TopicView::CHUNK_SIZE


class PostRoutes(Serializers):
    def add_topic(
        self,
        title: str,
        posts: Iterable[tuple[str, str]],
        *,
        category_id: int | None = 4,
        wiki: bool = False,
    ) -> int:
        """A regular topic whose posts are ``(username, raw)`` in order (no webhooks); its id.
        With ``wiki`` its first post is a wiki post (PUT /posts/{id}/wiki, PostsController#wiki)."""
        topic: JSONDict = {
            "id": self._next_topic_id,
            "title": title,
            "slug": _slugify(title),
            "archetype": "regular",
            "category_id": category_id,
            "user_id": None,
            "target_recipients": [],
            "posts_count": 0,
            "created_at": _now_iso(),
        }
        self._next_topic_id += 1
        self.topics[int(topic["id"])] = topic
        for username, raw in posts:
            author = self._require_user_for_setup(username)
            topic["user_id"] = topic["user_id"] if topic["user_id"] is not None else author["id"]
            topic["posts_count"] = int(topic["posts_count"]) + 1
            post = self._make_post(author, topic, raw, {})
            post["wiki"] = wiki and int(post["post_number"]) == 1
            self.posts.append(post)
        return int(topic["id"])

    def add_post(self, username: str, topic_id: int, raw: str) -> JSONDict:
        """``username`` posts ``raw`` in topic ``topic_id`` on the forum itself (no API call, no
        webhook: the caller delivers one): the post as PostCreator stores it, ``user_id`` included."""
        author = self._require_user_for_setup(username)
        topic = self.topics.get(topic_id)
        if topic is None:
            raise ValueError(f"no topic {topic_id} on the forum")
        topic["posts_count"] = int(topic["posts_count"]) + 1
        post = self._make_post(author, topic, raw, {})
        self.posts.append(post)
        return post

    def _reply_topic(self, topic_id_param: str, raw: str) -> JSONDict:
        """The topic a reply goes to: 404 when there is none, 422 when the body is too short."""
        try:
            topic = self.topics.get(int(topic_id_param))
        except ValueError:
            topic = None
        if topic is None:
            raise self._not_found()
        if len(raw.strip()) < self.min_post_length:
            message = self._t("body_too_short", count=self.min_post_length)
            raise _HttpError(422, {"action": "create_post", "errors": [message]})
        return topic

    def _pm_recipients(self, recipients_raw: str | None, errors: list[str]) -> list[str]:
        """A PM's recipients (users or groups, by name); an unknown or missing one is an error."""
        names = [n.strip() for n in (recipients_raw or "").split(",") if n.strip()]
        if not names:
            errors.append(self._t("pm_no_recipient"))
        recipients: list[str] = []
        for name in names:
            user = self._find_user(name)
            group = self._find_group(name)
            if user is not None:
                recipients.append(str(user["username"]))
            elif group is not None:
                recipients.append(group.name)
            else:
                errors.append(self._t("pm_unknown_recipient", name=name))
        return recipients

    def _new_topic(self, params: JSONDict, raw: str, author: JSONDict) -> JSONDict:
        """A new topic, or a PM with ``archetype=private_message``: every problem at once as 422."""
        title = _scalar(params.get("title"))
        archetype = _scalar(params.get("archetype")) or "regular"
        recipients_raw = _scalar(params.get("target_recipients")) or _scalar(params.get("target_usernames"))
        is_pm = archetype == "private_message"
        min_title = self.min_pm_title_length if is_pm else self.min_topic_title_length
        errors: list[str] = []
        if not title:
            errors.append(self._t("title_blank"))
        elif len(title.strip()) < min_title:
            errors.append(self._t("title_too_short", count=min_title))
        if len(raw.strip()) < self.min_post_length:
            errors.append(self._t("body_too_short", count=self.min_post_length))
        recipients = self._pm_recipients(recipients_raw, errors) if is_pm else []
        if errors:
            raise _HttpError(422, {"action": "create_post", "errors": errors})
        # PostsController#create_params permits ``category`` (a category id; the OpenAPI spec:
        # "Optional if creating a new topic, and ignored if creating a new post"); without one a
        # topic goes to Uncategorized (SiteSetting.uncategorized_category_id, 4 here).
        category = _scalar(params.get("category"))
        topic = {
            "id": self._next_topic_id,
            "title": title,
            "slug": _slugify(str(title)),
            "archetype": archetype,
            "category_id": int(category) if category and category.isdigit() else (None if is_pm else 4),
            "user_id": author["id"],
            "target_recipients": recipients,
            "posts_count": 0,
            "created_at": _now_iso(),
        }
        self._next_topic_id += 1
        self.topics[int(topic["id"])] = topic
        return topic

    def _create_post(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """POST /posts.json (PostsController#create): a reply with ``topic_id``, else a new topic
        or, with ``archetype=private_message`` and ``target_recipients``, a PM. Validation errors
        are 422 ``{"action": "create_post", "errors": [...]}`` (PostsController's
        render_json_error of the NewPostResult), in the site's locale."""
        raw = _scalar(params.get("raw"))
        if not raw:
            raise self._param_missing("raw")
        author = self._find_user(self.api_username)
        if author is None:
            raise self._invalid_access()
        topic_id_param = _scalar(params.get("topic_id"))
        if topic_id_param:
            topic = self._reply_topic(topic_id_param, raw)
        else:
            topic = self._new_topic(params, raw, author)
        topic["posts_count"] = int(topic["posts_count"]) + 1
        post = self._make_post(author, topic, raw, params)
        self.posts.append(post)
        self._emit(
            "post_created",
            post_payload(
                post["id"],
                author["username"],
                topic["id"],
                raw,
                post_number=post["post_number"],
                topic_title=str(topic["title"]),
                user_id=int(author["id"]),
                archetype=str(topic["archetype"]),
            ),
        )
        return {k: v for k, v in post.items() if k not in {"title", "archetype", "target_recipients"}}

    def _topic_or_404(self, raw_id: str) -> JSONDict:
        topic = self.topics.get(int(raw_id))
        if topic is None:
            raise self._not_found()
        return topic

    def _stream(self, topic: JSONDict) -> list[JSONDict]:
        """The topic's posts in ``sort_order`` (TopicView#setup_filtered_posts, apply_default_scope)."""
        mine = [p for p in self.posts if p["topic_id"] == topic["id"]]
        return sorted(mine, key=lambda p: int(p["post_number"]))

    @staticmethod
    def _post_view(post: JSONDict, include_raw: bool) -> JSONDict:
        """A post as TopicViewPostsSerializer embeds it: PostSerializer's fields, with ``read`` and
        ``link_counts`` (topic view only) and ``raw`` only when asked for; the stand-in's own
        bookkeeping (the topic's title, archetype and recipients) stays out."""
        hidden = {"title", "archetype", "target_recipients"} | (set() if include_raw else {"raw"})
        view = {k: v for k, v in post.items() if k not in hidden}
        view.update({"read": True, "link_counts": []})
        return view

    def _topic_posts(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /t/{id}/posts.json (TopicsController#posts → TopicView#filter_posts).

        With ``post_ids[]``: those posts of the topic (filter_posts_by_ids). With ``post_number``:
        the chunk after it (``asc=true``) or before it, newest first (filter_posts_by_post_number).
        Without either: the *first* chunk of the topic, ``TopicView::CHUNK_SIZE`` = 20 posts
        (filter_posts_paged, page 1) — never the latest ones. ``raw`` only with ``include_raw``
        (TopicViewPostsSerializer ``include_raw: !!params[:include_raw]``)."""
        topic = self._topic_or_404(match.group("id"))
        include_raw = bool(_scalar(params.get("include_raw")))
        stream = self._stream(topic)
        ids_param = params.get("post_ids[]", params.get("post_ids"))
        number = _scalar(params.get("post_number"))
        if ids_param:
            items = ids_param if isinstance(ids_param, list) else str(ids_param).split(",")
            wanted = {int(i) for i in (str(x).strip() for x in items) if i.isdigit()}
            chosen = [p for p in stream if p["id"] in wanted]
        elif number and number.isdigit() and stream:
            # get_sort_order: the post with that number, else the one with the nearest number.
            anchor = min(stream, key=lambda p: abs(int(p["post_number"]) - int(number)))["post_number"]
            if _scalar(params.get("asc")) in ("true", "1", "t"):
                chosen = [p for p in stream if p["post_number"] > anchor][:CHUNK_SIZE]
            else:
                chosen = [p for p in stream if p["post_number"] < anchor][-CHUNK_SIZE:][::-1]
        else:
            chosen = stream[:CHUNK_SIZE]
        posts = [self._post_view(p, include_raw) for p in chosen]
        return {"post_stream": {"posts": posts}, "id": topic["id"]}

    def _topic_show(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /t/{id}.json (TopicsController#show, TopicViewSerializer): the topic with the first
        chunk of posts and ``post_stream.stream``, the ids of *all* its posts in order (for topics
        under TopicView::MEGA_TOPIC_POSTS_COUNT posts). With a slug in the path that is not the
        topic's, Discourse answers a 301 to the right URL; without one, JSON is served directly."""
        topic = self._topic_or_404(match.group("id"))
        slug = match.groupdict().get("slug")
        if slug is not None and slug != topic["slug"]:
            raise _HttpError(301, {}, {"Location": f"/t/{topic['slug']}/{topic['id']}.json"})
        stream = self._stream(topic)
        author = self._user_by_id(str(topic["user_id"])) if topic.get("user_id") is not None else None
        last = self._user_by_id(str(stream[-1]["user_id"])) if stream else author
        return {
            "post_stream": {
                "posts": [self._post_view(p, False) for p in stream[:CHUNK_SIZE]],
                "stream": [p["id"] for p in stream],
            },
            "timeline_lookup": [[1, 0]] if stream else [],
            "suggested_topics": [],
            "tags": [],
            "tags_descriptions": {},
            "id": topic["id"],
            "title": topic["title"],
            "fancy_title": html.escape(str(topic["title"])),
            "posts_count": len(stream),
            "created_at": topic["created_at"],
            "views": 0,
            "reply_count": max(0, len(stream) - 1),
            "like_count": 0,
            "last_posted_at": stream[-1]["created_at"] if stream else None,
            "visible": True,
            "closed": False,
            "archived": False,
            "has_summary": False,
            "archetype": topic["archetype"],
            "slug": topic["slug"],
            "category_id": topic.get("category_id"),
            "word_count": sum(len(str(p["raw"]).split()) for p in stream),
            "deleted_at": None,
            "user_id": topic["user_id"],
            "featured_link": None,
            "pinned_globally": False,
            "pinned_at": None,
            "pinned_until": None,
            "image_url": None,
            "slow_mode_seconds": 0,
            "draft": None,
            "draft_key": f"topic_{topic['id']}",
            "draft_sequence": 0,
            "unpinned": None,
            "pinned": False,
            "highest_post_number": max((int(p["post_number"]) for p in stream), default=0),
            "deleted_by": None,
            "has_deleted": False,
            "actions_summary": [{"id": i, "count": 0, "hidden": False, "can_act": True} for i in (4, 8, 7)],
            "chunk_size": CHUNK_SIZE,
            "bookmarked": False,
            "bookmarks": [],
            "topic_timer": None,
            "message_bus_last_id": 0,
            "participant_count": len({p["user_id"] for p in stream}),
            "show_read_indicator": False,
            "thumbnails": None,
            "slow_mode_enabled_until": None,
            "details": {
                "can_edit": True,
                "notification_level": 1,
                "can_move_posts": True,
                "can_delete": True,
                "can_remove_allowed_users": True,
                "can_create_post": True,
                "can_reply_as_new_topic": True,
                "can_convert_topic": True,
                "can_review_topic": True,
                "can_close_topic": True,
                "can_archive_topic": True,
                "can_split_merge_topic": True,
                "can_edit_staff_notes": True,
                "can_toggle_topic_visibility": True,
                "can_pin_unpin_topic": True,
                "can_moderate_category": True,
                "can_remove_self_id": -1,
                "created_by": self._basic_user_brief(author),
                "last_poster": self._basic_user_brief(last),
            },
        }

    @staticmethod
    def _basic_user_brief(user: JSONDict | None) -> JSONDict | None:
        """BasicUserSerializer: id, username, name, avatar_template."""
        if user is None:
            return None
        return {k: user[k] for k in ("id", "username", "name", "avatar_template")}

    def _pms_sent(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /topics/private-messages-sent/{username}.json (ListController, TopicQuery
        #list_private_messages_sent): PM topics the user took part in, newest first, 30 a page."""
        return self._topics_of(match.group("username"), "private_message")

    def _topics_created_by(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /topics/created-by/{username}.json (config/routes.rb ``list#topics_by``, TopicQuery
        #list_topics_by): the regular topics the user created, newest first, 30 a page."""
        return self._topics_of(match.group("username"), "regular")

    def _topics_of(self, username: str, archetype: str) -> JSONDict:
        """A TopicListSerializer list of the topics `username` started with that archetype."""
        user = self._find_user(username)
        if user is None:
            raise self._not_found()
        topics = [
            {
                "id": t["id"],
                "title": t["title"],
                "slug": t["slug"],
                "archetype": t["archetype"],
                "posts_count": t["posts_count"],
                "created_at": t["created_at"],
            }
            for t in sorted(self.topics.values(), key=lambda t: -int(t["id"]))
            if t["archetype"] == archetype and t["user_id"] == user["id"]
        ]
        return {"users": [], "topic_list": {"topics": topics[:30], "per_page": 30}}
