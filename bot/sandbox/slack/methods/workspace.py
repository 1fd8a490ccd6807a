"""api.test, auth.test, users.info and usergroups.users.list.

Derived from Slack's method pages:
https://api.slack.com/methods/auth.test
https://api.slack.com/methods/users.info
https://api.slack.com/methods/usergroups.users.list
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from bot.sandbox.slack.common import ApiError, JSONDict, truthy

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
