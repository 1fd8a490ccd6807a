"""The Web API methods of the Slack stand-in, by family; each takes the stand-in and the call's
parameters and returns the ``ok: true`` body (or raises ``ApiError``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.sandbox.slack.common import JSONDict
from bot.sandbox.slack.methods import chat, conversations, files, views, workspace

if TYPE_CHECKING:
    from bot.sandbox.slack.standin import SlackStandIn

Method = Callable[["SlackStandIn", JSONDict], JSONDict]

METHODS: dict[str, Method] = {
    "api.test": workspace.api_test,
    "auth.test": workspace.auth_test,
    "chat.postMessage": chat.chat_post_message,
    "chat.update": chat.chat_update,
    "chat.delete": chat.chat_delete,
    "chat.postEphemeral": chat.chat_post_ephemeral,
    "conversations.open": conversations.conversations_open,
    "conversations.info": conversations.conversations_info,
    "conversations.history": conversations.conversations_history,
    "conversations.replies": conversations.conversations_replies,
    "views.open": views.views_open,
    "views.update": views.views_update,
    "views.push": views.views_push,
    "views.publish": views.views_publish,
    "users.info": workspace.users_info,
    "users.lookupByEmail": workspace.users_lookup_by_email,
    "usergroups.users.list": workspace.usergroups_users_list,
    "files.getUploadURLExternal": files.files_get_upload_url_external,
    "files.completeUploadExternal": files.files_complete_upload_external,
}

__all__ = ["METHODS", "Method", "files"]
