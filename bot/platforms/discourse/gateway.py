"""Discourse: the paced, off-loop API client, and the look-ups made through it.

pydiscourse is synchronous (requests + time.sleep), so every call runs in a worker thread, and
every call first waits for a slot of the pacer so the process (or, on PostgreSQL, every replica
together) stays under the forum's site-wide admin API limit (60 requests per minute by default).
Its errors are mapped to the outbox's delivery errors. `ForumLookups` answers the id → name
questions of the webhooks and the services (bot.program.ports), cached per process. The webhook
signature is in `inbound`.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.platforms.budget import Budget, LocalBudget
from bot.program.badges.grants import Badge
from bot.program.failures import Permanent, RateLimited, Transient

if TYPE_CHECKING:
    import requests
    from pydiscourse import DiscourseClient

T = TypeVar("T")

TOPIC_CHUNK = 20  # lib/topic_view.rb TopicView::CHUNK_SIZE: posts per page of a topic
BADGE_HOLDERS_PAGE = 96  # UserBadgesController::MAX_BADGES
MEMBERS_PAGE = 200  # GroupsController#members allows up to 1 000 a page


class _RateLimitedResponse(Exception):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after


def _retry_after(response: requests.Response) -> float:
    header = response.headers.get("Retry-After")
    try:
        if header is not None:
            return max(1.0, float(header))
    except ValueError:
        pass
    try:
        return max(1.0, float(response.json()["extras"]["wait_seconds"]))
    except (ValueError, KeyError, TypeError):
        return 10.0


@functools.cache
def _client_class() -> type[Any]:
    """pydiscourse (and requests under it, some 5 MB) is imported at the first forum call, not
    when the bot starts: a bot whose forum is quiet never pays for it."""
    from pydiscourse import DiscourseClient

    class _Client(DiscourseClient):  # type: ignore[misc]
        """pydiscourse, but a 429 surfaces at once (with Retry-After) instead of sleeping in a thread."""

        def _request(self, verb: str, path: str, *args: Any, **kwargs: Any) -> Any:
            def on_response(response: requests.Response, *_a: Any, **_k: Any) -> requests.Response:
                if response.status_code == 429:
                    raise _RateLimitedResponse(_retry_after(response))
                return response

            override = dict(kwargs.pop("override_request_kwargs", None) or {})
            override["hooks"] = {"response": [on_response]}
            return super()._request(verb, path, *args, override_request_kwargs=override, **kwargs)

    return _Client


def _mapped(err: Exception) -> Exception | None:
    """A pydiscourse or requests error as the outbox's delivery error (None: not one of theirs)."""
    import requests
    from pydiscourse.exceptions import DiscourseClientError, DiscourseError, DiscourseServerError

    if isinstance(err, DiscourseServerError):
        return Transient(f"Discourse server error: {err}")
    if isinstance(err, DiscourseClientError):
        status = getattr(getattr(err, "response", None), "status_code", 400)
        return Permanent(f"Discourse refused ({status}): {err}")
    if isinstance(err, DiscourseError):
        # Redirects (bad key/host), wrong content type: the forum is misconfigured or down.
        return Transient(f"Discourse answered unexpectedly: {err}")
    if isinstance(err, requests.RequestException):
        return Transient(f"Discourse unreachable: {type(err).__name__}")
    return None


def not_found(err: Exception) -> bool:
    """Whether a pydiscourse error is the forum's 404."""
    from pydiscourse.exceptions import DiscourseClientError

    return isinstance(err, DiscourseClientError) and (
        getattr(getattr(err, "response", None), "status_code", None) == 404
    )


class DiscourseGateway:
    """Async facade over pydiscourse. Errors are mapped to the outbox's delivery errors."""

    def __init__(
        self,
        url: str,
        api_key: str,
        api_username: str,
        per_minute: int = 60,
        timeout: float = 20.0,
        budget: Budget | None = None,
    ) -> None:
        self.url = url
        self._credentials = (api_username, api_key, timeout)
        self._made: DiscourseClient | None = None
        # Calls start evenly spaced, at most `per_minute` in any 60 s window and no bursts; with
        # several replicas on PostgreSQL the budget is the cluster's (bot.platforms.budget).
        self.pacer: Budget = budget if budget is not None else LocalBudget(per_minute / 60.0)
        self._group_ids: dict[str, int] = {}
        self.calls = 0
        self.rate_limited = 0

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        await self.pacer.wait()
        self.calls += 1
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except _RateLimitedResponse as err:
            self.rate_limited += 1
            await self.pacer.push_back(err.retry_after)
            raise RateLimited(err.retry_after, "Discourse rate limit") from None
        except Exception as err:
            mapped = _mapped(err)
            if mapped is None:
                raise
            raise mapped from None

    @property
    def _client(self) -> DiscourseClient:
        if self._made is None:
            username, key, timeout = self._credentials
            self._made = _client_class()(self.url, api_username=username, api_key=key, timeout=timeout)
        return self._made

    @property
    def client(self) -> DiscourseClient:
        return self._client

    async def group_id(self, name: str) -> int:
        if name not in self._group_ids:
            data = await self.call(self._client.group, name)
            self._group_ids[name] = int(data["group"]["id"])
        return self._group_ids[name]

    def _user_or_none(self, username: str) -> dict[str, Any] | None:
        """GET /u/{username}.json in the worker thread; None for a 404 (no such account)."""
        try:
            return dict(self._client.user(username) or {})
        except Exception as err:
            if not_found(err):
                return None
            raise

    async def user(self, username: str) -> dict[str, Any] | None:
        """The forum's user record (UserSerializer, with its ``groups``), or None if there is none."""
        return await self.call(self._user_or_none, username)

    async def username_for_email(self, email: str) -> str | None:
        """The username of the account whose primary address is `email`, or None. GET
        /admin/users/list/active.json?email= (Admin::UsersController#index, AdminUserIndexQuery
        ``filter_by_search``: an exact, case-insensitive match; a staff key). Without
        ``show_emails`` the filter still applies, and the forum neither logs a "show emails"
        staff action nor sends the address back."""
        rows = await self.call(self._client.list_users, "active", email=email)
        for row in rows if isinstance(rows, list) else []:
            if row.get("username"):
                return str(row["username"])
        return None

    async def user_badge_ids(self, username: str) -> dict[int, int]:
        """badge_id -> user_badge id for the badges the user holds."""
        data = await self.call(self._client.user_badges, username)
        return {int(ub["badge_id"]): int(ub["id"]) for ub in (data or {}).get("user_badges", [])}

    async def grant_badge(self, username: str, badge_id: int, reason: str | None = None) -> int | None:
        kwargs = {"reason": reason} if reason else {}
        data = await self.call(self._client.grant_badge_to, username, badge_id, **kwargs)
        ub = (data or {}).get("user_badge") or {}
        return int(ub["id"]) if "id" in ub else None

    async def add_to_group(self, group: str, username: str) -> bool:
        """True when added, False when the user already was a member.

        Discourse refuses to add someone who is already in the group with a 422 whose only
        content is a message in the forum's language (GroupsController#add_members renders
        ``groups.errors.member_already_exist``; no error code). So a refusal is followed by a look
        at the user's groups: a member means the add had already happened (a retry); anything
        else is the refusal it was."""
        gid = await self.group_id(group)
        try:
            await self.call(self._client.add_group_members, gid, [username])
        except Permanent:
            if await self.is_member(group, username):
                return False
            raise
        return True

    async def is_member(self, group: str, username: str) -> bool:
        """Whether the user's forum record lists the group (UserSerializer ``groups``)."""
        user = await self.user(username)
        names = {str(g.get("name", "")).lower() for g in (user or {}).get("groups") or []}
        return group.lower() in names

    async def add_group_owner(self, group: str, username: str) -> list[str]:
        """Make `username` an owner (and so a member) of the group; adding an owner twice is
        harmless. Returns the usernames the forum reports as owners now added."""
        gid = await self.group_id(group)
        # The admin route (Admin::GroupsController#add_owners, body group[usernames]); pydiscourse's
        # add_group_owners calls another route (PUT /groups/{id}/owners.json).
        data = await self.call(
            self._client._put, f"/admin/groups/{gid}/owners.json", **{"group[usernames]": username}
        )
        return [str(u) for u in (data or {}).get("usernames", [])]

    async def revoke_user_badge(self, user_badge_id: int) -> None:
        # pydiscourse has no revoke call; DELETE /user_badges/{id}.json is the forum's own route.
        await self.call(self._client._delete, f"/user_badges/{user_badge_id}.json")

    async def remove_from_group(self, group: str, username: str) -> bool:
        """True when removed, False when the user was not a member."""
        gid = await self.group_id(group)
        data = await self.call(self._client.delete_group_member, gid, username)
        return username.lower() in [u.lower() for u in (data or {}).get("usernames", [])]

    async def create_post(self, payload: dict[str, Any]) -> dict[str, Any]:
        fields = {
            k: payload[k]
            for k in (
                "title",
                "topic_id",
                "target_recipients",
                "archetype",
                "reply_to_post_number",
                "external_id",
            )
            if payload.get(k) is not None
        }
        if payload.get("category") is not None:  # a new topic's category (pydiscourse sends `category`)
            fields["category_id"] = int(payload["category"])
        data = await self.call(self._client.create_post, str(payload["raw"]), **fields)
        return dict(data or {})

    async def find_own_post(self, payload: dict[str, Any], ref: str) -> int | None:
        """The post an earlier attempt already made, found by the reference every bot post carries
        (a reply: among the topic's latest posts; a new topic: by its title among the topics we
        created; a new PM: by its title among the PMs we sent)."""
        if payload.get("topic_id") is not None:
            topic_id = int(payload["topic_id"])
            for post in await self.latest_posts(topic_id):
                if ref in str(post.get("raw", "")) or ref in str(post.get("cooked", "")):
                    return int(post["id"])
            return None
        # pydiscourse wraps the inbox (private-messages), not the sent list nor created-by.
        listing = "private-messages-sent" if payload.get("archetype") == "private_message" else "created-by"
        data = await self.call(self._client._get, f"/topics/{listing}/{self._client.api_username}.json")
        for topic in ((data or {}).get("topic_list") or {}).get("topics", []):
            if ref in str(topic.get("title", "")):
                return int(topic["id"])
        return None

    async def latest_posts(self, topic_id: int) -> list[dict[str, Any]]:
        """The last chunk (20) of a topic's posts, with their raw text.

        ``GET /t/{id}/posts.json`` alone answers the topic's *first* 20 posts (TopicView's first
        page), so the post ids come from the topic's ``post_stream.stream`` (every id, in order)
        and the last 20 are fetched by ``post_ids[]``. pydiscourse's ``topic()`` needs the slug
        (a wrong one is a 301), hence the plain ``GET /t/{id}.json``."""
        topic = await self.call(self._client._get, f"/t/{topic_id}.json")
        stream = [int(i) for i in ((topic or {}).get("post_stream") or {}).get("stream", [])]
        if not stream:
            return []
        data = await self.call(
            self._client.posts, topic_id, post_ids=stream[-TOPIC_CHUNK:], include_raw="true"
        )
        return list(((data or {}).get("post_stream") or {}).get("posts", []))

    async def first_post(self, topic_id: int) -> dict[str, Any]:
        """The topic's first post with its raw text: its id from ``GET /t/{id}.json``
        (``post_stream.posts``, in post-number order), then ``GET /t/{id}/posts.json?post_ids[]=``
        with ``include_raw`` (the topic view itself carries no raw)."""
        topic = await self.call(self._client._get, f"/t/{topic_id}.json")
        posts = ((topic or {}).get("post_stream") or {}).get("posts") or []
        first = next((p for p in posts if int(p.get("post_number", 0)) == 1), None)
        if first is None:
            raise Permanent(f"topic {topic_id} has no first post")
        data = await self.call(self._client.posts, topic_id, post_ids=[int(first["id"])], include_raw="true")
        found = ((data or {}).get("post_stream") or {}).get("posts") or [first]
        return dict(found[0])

    async def edit_post(self, post_id: int, raw: str, reason: str) -> dict[str, Any]:
        """``PUT /posts/{id}.json`` with ``post[raw]`` and ``post[edit_reason]``
        (PostsController#update): the post as it now is."""
        fields = {"post[raw]": raw, "post[edit_reason]": reason}
        data = await self.call(self._client._put, f"/posts/{post_id}.json", **fields)
        return dict((data or {}).get("post") or {})

    async def badge_holders(self, badge_id: int) -> dict[str, int]:
        """username (lower-case) -> user_badge id, for everyone holding the badge.

        ``GET /user_badges.json?badge_id=`` pages by 96 and its ``grant_count`` is null unless a
        username is given (UserBadgesController#index), so paging ends at a short page. pydiscourse
        has no call for this listing (its ``user_badges`` is one user's badges)."""
        holders: dict[str, int] = {}
        offset = 0
        while True:
            data = await self.call(self._client._get, "/user_badges.json", badge_id=badge_id, offset=offset)
            names = {int(u["id"]): str(u["username"]) for u in (data or {}).get("users", [])}
            page = ((data or {}).get("user_badge_info") or {}).get("user_badges", [])
            for ub in page:
                name = names.get(int(ub["user_id"]))
                if name:
                    holders[name.lower()] = int(ub["id"])
            offset += len(page)
            if len(page) < BADGE_HOLDERS_PAGE:
                return holders

    def _all_members(self, group: str) -> list[dict[str, Any]]:
        try:
            return list(self._client.group_members(group, limit=MEMBERS_PAGE))
        except RuntimeError:
            # pydiscourse's pager raises this when a page comes back short of meta.total, e.g.
            # when someone left the group between two pages: worth another try, not a crash.
            raise Transient("the group's member list changed while it was read") from None

    async def group_members(self, group: str) -> set[str]:
        """Lower-case usernames of everyone in the group (pydiscourse pages through them)."""
        return {str(m["username"]).lower() for m in await self.call(self._all_members, group)}

    async def badges(self) -> list[dict[str, Any]]:
        data = await self.call(self._client.badges)
        return list((data or {}).get("badges", []))

    async def basic_info(self) -> dict[str, Any]:
        # pydiscourse's get_site_info is /site.json (categories and all); this is the small one.
        data = await self.call(self._client._get, "/site/basic-info.json")
        return dict(data or {})


class ForumLookups:
    """Id → name look-ups the webhooks need (their payloads carry ids only), cached per process."""

    def __init__(self, gateway: DiscourseGateway) -> None:
        self._g = gateway
        self._usernames: dict[int, str] = {}
        self._badges: dict[int, str] = {}

    async def username_for(self, user_id: int) -> str | None:
        if user_id not in self._usernames:
            try:
                data = await self._g.call(self._g.client.user_by_id, user_id)
            except Permanent:
                return None
            username = (data or {}).get("username")
            if not username:
                return None
            self._usernames[user_id] = str(username)
        return self._usernames[user_id]

    async def badge_name(self, badge_id: int) -> str | None:
        if badge_id not in self._badges:
            await self.all_badges()
        return self._badges.get(badge_id)

    async def all_badges(self) -> list[Badge]:
        """Fresh from the forum each time (a moderator may just have created one)."""
        badges = [
            Badge(int(b["id"]), str(b.get("name", "")), bool(b.get("enabled", True)))
            for b in await self._g.badges()
        ]
        self._badges = {b.id: b.name for b in badges}
        return badges

    async def group_id(self, name: str) -> int:
        return await self._g.group_id(name)

    async def find_account(self, username: str) -> str | None:
        """The forum's spelling of an account's username, or None when there is no such account."""
        user = await self._g.user(username)
        return str(user["username"]) if user and user.get("username") else None

    async def account_for_email(self, email: str) -> str | None:
        """The username of the forum account with that address, or None (nomination by email)."""
        return await self._g.username_for_email(email)

    async def badge_holders(self, badge_id: int) -> dict[str, int]:
        return await self._g.badge_holders(badge_id)

    async def group_members(self, group: str) -> set[str]:
        return await self._g.group_members(group)
