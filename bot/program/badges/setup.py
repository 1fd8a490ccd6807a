"""`ambassador-bot setup discourse`: what the forum needs for the bot, and the plan to get there.

Pure rules, no I/O: the caller reads the forum (badges, the group, the webhooks and the event
types the forum offers), `plan` compares that with what is wanted and says, per item, whether it
was *found* as it should be, must be *created*, or must be *updated* (and what changes). Running
the plan a second time finds everything, so it creates and changes nothing (idempotent).

The rules:

- the badge is the configured one (discourse.ambassador_badge_id) when the forum has it, else the
  one of that name, case-insensitively (Discourse's badge names are unique that way); a disabled
  one is enabled;
- the group is found by name; a new one is private: visible to its members only, and so is its
  member list (Group.visibility_levels ``members`` = 2);
- the webhook is the one whose payload URL is ours (``<public_url>/discourse/webhooks``, compared
  without a trailing ``/``); it must be active, send JSON (content type 1), carry our secret, and
  subscribe to every event the bot handles (`BOT_EVENTS`) — or be a wildcard hook. Extra events
  are left alone (the bot answers 200 "ignored" to them). Without our secret, a webhook's
  existing secret is adopted rather than replaced (the config then gets it), so a second run
  does not rotate it;
- an event the forum does not offer (an older Discourse) cannot be subscribed: that is a problem
  the plan names, not something it can fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# The events the bot's webhook handlers take (handlers/discourse ROUTES; a test keeps the two
# equal). Discourse names its webhook event types after the events they send
# (db/fixtures/007_web_hook_event_types.rb), e.g. "user_added_to_group" in the group_user group.
BOT_EVENTS: tuple[str, ...] = (
    "post_created",
    "topic_created",
    "user_created",
    "user_badge_granted",
    "user_badge_revoked",
    "user_added_to_group",
    "user_removed_from_group",
)
JSON_CONTENT_TYPE = 1  # WebHook.content_types: 1 = application/json, 2 = form-encoded
MEMBERS_ONLY = 2  # Group.visibility_levels: public 0, logged_on_users 1, members 2, staff 3, owners 4
WEBHOOK_PATH = "/discourse/webhooks"
MIN_SECRET = 12  # app/models/web_hook.rb: validates :secret, length: { minimum: 12 }


class Step(StrEnum):
    FOUND = "found"
    CREATE = "create"
    UPDATE = "update"


@dataclass(frozen=True)
class ForumBadge:
    id: int
    name: str
    enabled: bool = True


@dataclass(frozen=True)
class ForumGroup:
    id: int
    name: str
    visibility_level: int = 0


@dataclass(frozen=True)
class EventType:
    id: int
    name: str


@dataclass(frozen=True)
class ForumWebhook:
    id: int
    payload_url: str
    content_type: int
    active: bool
    secret: str
    wildcard: bool
    event_names: frozenset[str]


@dataclass(frozen=True)
class Wanted:
    badge_name: str
    group_name: str
    payload_url: str
    # The configured discourse.webhook_secret, or "" (then `new_secret` is used for a new hook).
    secret: str
    new_secret: str
    badge_id: int | None = None  # the configured discourse.ambassador_badge_id


@dataclass(frozen=True)
class WebhookSpec:
    """The webhook fields to send when creating or updating it."""

    payload_url: str
    secret: str
    event_type_ids: tuple[int, ...]
    content_type: int = JSON_CONTENT_TYPE
    active: bool = True


@dataclass(frozen=True)
class Item:
    what: str  # "badge", "group", "webhook"
    step: Step
    label: str  # e.g. "badge 'Ambassador' (id 100)"
    changes: tuple[str, ...] = ()
    existing_id: int | None = None


@dataclass(frozen=True)
class Plan:
    badge: Item
    group: Item
    webhook: Item
    webhook_spec: WebhookSpec
    secret: str  # the secret the bot must be configured with once the plan is carried out
    problems: tuple[str, ...] = field(default=())

    @property
    def items(self) -> tuple[Item, Item, Item]:
        return (self.badge, self.group, self.webhook)

    @property
    def changes(self) -> int:
        return sum(1 for i in self.items if i.step is not Step.FOUND)


def payload_url_for(public_url: str) -> str:
    return public_url.rstrip("/") + WEBHOOK_PATH


def _same_url(a: str, b: str) -> bool:
    return a.strip().rstrip("/") == b.strip().rstrip("/")


def find_badge(badges: Iterable[ForumBadge], name: str) -> ForumBadge | None:
    wanted = name.strip().casefold()
    return next((b for b in badges if b.name.strip().casefold() == wanted), None)


def find_webhook(hooks: Iterable[ForumWebhook], payload_url: str) -> ForumWebhook | None:
    return next((h for h in hooks if _same_url(h.payload_url, payload_url)), None)


def missing_events(hook: ForumWebhook) -> list[str]:
    if hook.wildcard:
        return []
    return [e for e in BOT_EVENTS if e not in hook.event_names]


def webhook_problems(hook: ForumWebhook, secret: str) -> list[str]:
    """What is wrong with our webhook, one phrase each (empty: nothing). `secret` "" skips the
    secret check (the bot has none configured yet)."""
    problems: list[str] = []
    if not hook.active:
        problems.append("it is inactive")
    if hook.content_type != JSON_CONTENT_TYPE:
        problems.append("it sends form-encoded bodies, not JSON")
    missing = missing_events(hook)
    if missing:
        noun = "event" if len(missing) == 1 else "events"
        problems.append(f"it does not send the {noun} {', '.join(missing)}")
    if secret and not hook.secret:
        problems.append("it has no secret")
    elif secret and hook.secret != secret:
        problems.append("its secret is not discourse.webhook_secret")
    return problems


def _badge_item(badges: Sequence[ForumBadge], name: str, badge_id: int | None) -> Item:
    badge = next((b for b in badges if b.id == badge_id), None) or find_badge(badges, name)
    if badge is None:
        return Item("badge", Step.CREATE, f"badge {name!r}")
    if not badge.enabled:
        label = f"badge {badge.name!r} (id {badge.id})"
        return Item("badge", Step.UPDATE, label, ("it is disabled",), badge.id)
    return Item("badge", Step.FOUND, f"badge {badge.name!r} (id {badge.id})", existing_id=badge.id)


def _group_item(group: ForumGroup | None, name: str) -> Item:
    if group is None:
        return Item("group", Step.CREATE, f"group {name!r} (private: visible to its members only)")
    label = f"group {group.name!r} (id {group.id})"
    if group.visibility_level < MEMBERS_ONLY:
        label += ", visible to more than its members (change that in the group's settings if meant private)"
    return Item("group", Step.FOUND, label, existing_id=group.id)


def _webhook_item(hook: ForumWebhook | None, wanted: Wanted, secret: str) -> Item:
    url = wanted.payload_url
    if hook is None:
        return Item("webhook", Step.CREATE, f"webhook to {url}")
    label = f"webhook {hook.id} to {url}"
    problems = webhook_problems(hook, secret)
    step = Step.UPDATE if problems else Step.FOUND
    return Item("webhook", step, label, tuple(problems), hook.id)


def plan(
    wanted: Wanted,
    badges: Sequence[ForumBadge],
    group: ForumGroup | None,
    hooks: Sequence[ForumWebhook],
    event_types: Sequence[EventType],
) -> Plan:
    hook = find_webhook(hooks, wanted.payload_url)
    secret = wanted.secret or (hook.secret if hook is not None and hook.secret else "") or wanted.new_secret
    offered = {t.name: t.id for t in event_types}
    unknown = [e for e in BOT_EVENTS if e not in offered]
    ids = [offered[e] for e in BOT_EVENTS if e in offered]
    if hook is not None:
        # Keep the events the hook already sends besides ours: someone chose them.
        ids += [offered[e] for e in sorted(hook.event_names) if e in offered and e not in BOT_EVENTS]
    problems: tuple[str, ...] = ()
    if unknown:
        noun = "event type" if len(unknown) == 1 else "event types"
        problems = (f"the forum offers no webhook {noun} {', '.join(unknown)} (is it an old Discourse?)",)
    return Plan(
        badge=_badge_item(badges, wanted.badge_name, wanted.badge_id),
        group=_group_item(group, wanted.group_name),
        webhook=_webhook_item(hook, wanted, secret),
        webhook_spec=WebhookSpec(wanted.payload_url, secret, tuple(ids)),
        secret=secret,
        problems=problems,
    )
