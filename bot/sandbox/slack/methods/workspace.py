"""api.test, auth.test, users.info, users.lookupByEmail and usergroups.users.list.

Derived from Slack's method pages:
https://api.slack.com/methods/auth.test
https://api.slack.com/methods/users.info
https://api.slack.com/methods/users.lookupByEmail
https://api.slack.com/methods/usergroups.users.list
"""

from __future__ import annotations

import copy
import math
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.sandbox.slack.common import ApiError, JSONDict, RateLimited, truthy

if TYPE_CHECKING:
    from bot.sandbox.slack.standin import SlackStandIn


def api_test(s: SlackStandIn, params: JSONDict) -> JSONDict:
    return {"ok": True, "args": {k: v for k, v in params.items() if k != "token"}}


def auth_test(s: SlackStandIn, params: JSONDict) -> JSONDict:
    return {
        "ok": True,
        "url": f"https://{s.team_domain}.slack.com/",
        "team": s.team_name,
        "user": "ambassador",
        "team_id": s.team_id,
        "user_id": s.bot_user_id,
        "bot_id": s.bot_id,
        "is_enterprise_install": False,
    }


def users_info(s: SlackStandIn, params: JSONDict) -> JSONDict:
    user_id = params.get("user")
    if not user_id or str(user_id) not in s.users:
        raise ApiError("user_not_found")
    user = copy.deepcopy(s.users[str(user_id)])
    if truthy(params.get("include_locale")):
        user["locale"] = "en-US"
    return {"ok": True, "user": user}


def usergroups_users_list(s: SlackStandIn, params: JSONDict) -> JSONDict:
    group = params.get("usergroup")
    if not group or str(group) not in s.usergroups:
        raise ApiError("no_such_subteam")
    return {"ok": True, "users": list(s.usergroups[str(group)])}


@dataclass(frozen=True)
class Tier:
    """A Web API rate-limit tier: `per_minute` calls, with bursts up to `burst`
    (https://api.slack.com/docs/rate-limits: "Tier 3: 50+ per minute", bursts allowed)."""

    per_minute: float
    burst: int


TIER_3 = Tier(50, 50)
_LOOKUP_TIERS: weakref.WeakKeyDictionary[SlackStandIn, Tier] = weakref.WeakKeyDictionary()


def set_lookup_tier(s: SlackStandIn, tier: Tier) -> None:
    """Give this stand-in's users.lookupByEmail another limit (a test that must not wait minutes)."""
    _LOOKUP_TIERS[s] = tier


def users_lookup_by_email(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/users.lookupByEmail: the member with that address (compared
    without regard to case); an unknown address, or a deactivated member's, is `users_not_found`;
    no `email` argument is `invalid_arguments`. Rate limited as Tier 3 (HTTP 429 + Retry-After,
    a refused call consumes nothing). The stand-in grants every scope, so `missing_scope`
    (without `users:read.email`) is never answered unless a test forces it with `fail_next`."""
    email = str(params.get("email") or "").strip().lower()
    if not email:
        raise ApiError("invalid_arguments")
    tier = _LOOKUP_TIERS.get(s, TIER_3)
    rate = tier.per_minute / 60.0
    bucket = s._refill("users.lookupByEmail", tier.burst, rate, s.clock())
    if bucket.tokens < 1.0:
        raise RateLimited(max(1, math.ceil((1.0 - bucket.tokens) / rate)))
    bucket.tokens -= 1.0
    for user in s.users.values():
        if str(user["profile"].get("email", "")).lower() == email and not user.get("deleted"):
            return {"ok": True, "user": copy.deepcopy(user)}
    raise ApiError("users_not_found")
