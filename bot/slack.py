"""The Bolt app: listeners from handlers.slack, friendly failures (bot.server verifies first).

This is composition, not edge: it wires Bolt to the handlers, so it stays outside bot.platforms
(which never imports handlers). The Web API client it is given comes from bot.platforms.slack.client.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

import handlers.slack
from bot.config import Settings
from bot.platforms.slack.prompt_ack import answer_at_ack
from handlers.slack.blocks import notice_modal

log = logging.getLogger("ambassador_bot.slack")

SORRY = "Sorry, something went wrong on our side and nothing was changed. Please try again in a minute."
BUSY = "Slack is busy right now and did not let that through. Please try again in a few seconds."


async def _on_error(error: Exception, body: dict[str, Any], response: BoltResponse | None) -> None:
    if isinstance(error, BoltUnhandledRequestError):
        # A verified, well-formed payload no listener takes (a button of an older version of the
        # bot, another app's command): acknowledged quietly, so Slack neither retries nor shows
        # an error, and logged as one line without the payload (Bolt's own warning prints it).
        log.info("Slack request no listener takes: %s", str(body.get("type") or "command")[:40])
        if response is not None:
            response.status, response.body = 200, ""
        return
    if isinstance(error, SlackApiError):
        # Slack refused one of the listener's calls (an unknown user, an expired trigger_id): a
        # platform answer, not a bug, so one line with Slack's error code and no traceback.
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        log.warning("Slack refused a call of a listener (%s): %s", body.get("type") or "command", code)
    else:
        # Log the type and where, never the payload (it can hold tokens).
        kind = body.get("type") or "command"
        log.error("Slack listener failed: %s (%s)", type(error).__name__, kind, exc_info=error)
    # Never a traceback in chat.
    if response is None:
        # Already acknowledged, so the HTTP answer is gone; without a word the person would see
        # nothing happen (a modal Slack refused to open). Tell them privately where Slack lets us.
        await _tell_privately(body, BUSY if _rate_limited(error) else SORRY)
        return
    response.status = 200
    response.headers["content-type"] = ["application/json;charset=utf-8"]
    if body.get("type") == "view_submission":
        response.body = json.dumps({"response_action": "update", "view": notice_modal(SORRY)})
    else:
        response.body = json.dumps({"response_type": "ephemeral", "text": SORRY})


def _rate_limited(error: Exception) -> bool:
    return isinstance(error, SlackApiError) and getattr(error.response, "status_code", None) == 429


async def _tell_privately(body: dict[str, Any], text: str) -> None:
    url = body.get("response_url")
    if not isinstance(url, str) or not url:
        return  # a form submission or an event: Slack gave no way to answer
    try:
        await AsyncWebhookClient(url, timeout=5).send(text=text, response_type="ephemeral")
    except Exception as err:  # the answer is a courtesy; its failure is one line, no traceback
        log.warning("could not tell the person the call failed: %s", type(err).__name__)


def build_bolt_app(settings: Settings, client: AsyncWebClient) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack.signing_secret,
        # bot.server checks the signature on the raw bytes before anything parses them and only
        # dispatches verified requests; Bolt's own check would parse first and, on failure, log
        # the entire body at INFO.
        request_verification_enabled=False,
        raise_error_for_unhandled_request=True,
        logger=logging.getLogger("ambassador_bot.bolt"),
    )
    app.error(_on_error)
    answer_at_ack(app)  # Slack's answer leaves at ack(), not at Bolt's next 10 ms poll
    handlers.slack.register(app, settings.slack.command)
    return app
