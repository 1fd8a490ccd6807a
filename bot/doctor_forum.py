"""`doctor`'s webhook check: the forum's webhook to this bot exists, is active, sends JSON with
our secret, and sends every event the bot handles (the rules of bot.program.badges.setup).

A missing webhook is a warning: the bot still works, and the nightly reconciliation brings the
badges and groups in line, only later. A webhook that exists but is wrong fails: its deliveries
are refused (secret, content type) or never sent (inactive, events missing).
"""

from __future__ import annotations

from typing import Protocol

from bot.config import Settings
from bot.platforms.discourse.admin import AdminRefused, ForumAdmin
from bot.platforms.discourse.gateway import DiscourseGateway
from bot.program.badges.setup import BOT_EVENTS, WEBHOOK_PATH, find_webhook, payload_url_for, webhook_problems
from bot.program.failures import DeliveryError

FIX = "run `ambassador-bot setup discourse`"


class Checks(Protocol):
    def ok(self, what: str) -> None: ...
    def warn(self, what: str, fix: str) -> None: ...
    def fail(self, what: str, fix: str) -> None: ...


async def check_webhook(gateway: DiscourseGateway, settings: Settings, r: Checks) -> None:
    url = payload_url_for(settings.server.public_url)
    try:
        hooks, _types = await ForumAdmin(gateway).web_hooks()
    except AdminRefused as err:
        r.warn(
            f"the forum's webhooks are not readable ({err.status})", "use an admin's API key to check them"
        )
        return
    except DeliveryError as err:
        r.warn(f"the forum's webhooks could not be read: {err}", "try again")
        return
    hook = find_webhook(hooks, url)
    if hook is None:
        elsewhere = [h.payload_url for h in hooks if h.payload_url.rstrip("/").endswith(WEBHOOK_PATH)]
        seen = f" (one posts to {elsewhere[0]}; is server.public_url right?)" if elsewhere else ""
        r.warn(f"no forum webhook posts to {url}{seen}", FIX)
        return
    problems = webhook_problems(hook, settings.discourse.webhook_secret)
    for problem in problems:
        r.fail(f"webhook {hook.id} to {url}: {problem}", FIX)
    if not problems:
        r.ok(f"webhook {hook.id} to {url}: active, JSON, all {len(BOT_EVENTS)} events the bot handles")


async def check_directory_topic(gateway: DiscourseGateway, settings: Settings, r: Checks) -> None:
    """With `discourse.directory_topic_id` set: the topic exists and has a first post, which the
    bot keeps in step with the public directory (bot/program/public/forum_topic.py)."""
    topic = settings.discourse.directory_topic_id
    if not topic:
        return
    fix = "create the topic (its first post a wiki post) or fix discourse.directory_topic_id"
    try:
        post = await gateway.first_post(topic)
    except DeliveryError as err:
        r.fail(f"directory topic {topic}: {err}", fix)
        return
    wiki = " (a wiki post)" if post.get("wiki") else ""
    r.ok(f"directory topic {topic}: the bot keeps its first post{wiki} in step with the public directory")
