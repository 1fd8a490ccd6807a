"""The Socket Mode transport of ``SlackActor``: the body the actor would POST to ``/slack/events``
goes out as an envelope on the stand-in's WebSocket instead, and the ack's payload comes back as
the HTTP answer would have (https://api.slack.com/apis/socket-mode, "Acknowledging events": the
ack's ``payload`` carries what the HTTP response body would, e.g. a view submission's
``response_action`` or a slash command's message).

The envelope type follows the body: a form with ``payload`` is ``interactive``, a form with
``command`` is ``slash_commands`` (its fields as a JSON object of strings, as Slack sends them over
Socket Mode), a JSON body is ``events_api``.
"""

from __future__ import annotations

import json
import urllib.parse

import httpx

from bot.sandbox.slack.common import JSONDict
from bot.sandbox.slack.socket_mode import EnvelopeType, SocketModeServer

__all__ = ["as_envelope", "send_envelope"]


def as_envelope(body: str, content_type: str) -> tuple[EnvelopeType, JSONDict]:
    """The envelope type and payload Slack would send over Socket Mode for this HTTP body."""
    if content_type.split(";")[0].strip() == "application/json":
        return "events_api", json.loads(body)
    fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
    if "payload" in fields:
        return "interactive", json.loads(fields["payload"])
    return "slash_commands", dict(fields)


async def send_envelope(server: SocketModeServer, body: str, content_type: str) -> httpx.Response:
    """Deliver over the socket and give the ack back as the 200 an HTTP delivery would get (an
    ack without a payload is an empty body)."""
    kind, payload = as_envelope(body, content_type)
    answer = await server.deliver(kind, payload)
    request = httpx.Request("POST", f"{server.base_url}/link/")
    if not answer:
        return httpx.Response(200, content=b"", request=request)
    return httpx.Response(200, json=answer, request=request)
