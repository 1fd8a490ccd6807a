"""Discourse webhook handlers, one module per event, routed by the X-Discourse-Event header."""

from __future__ import annotations

import logging
from typing import Any

from bot.platforms.discourse.parse import Malformed
from bot.program.errors import ProgramError
from bot.program.failures import DeliveryError
from bot.services import Services
from handlers.discourse import group_user, post_created, topic_created, user_badge, user_created

log = logging.getLogger("ambassador_bot.webhooks")


async def handle_webhook(
    services: Services, event: str, event_type: str, payload: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Return (HTTP status, JSON answer). 2xx only once the effect is committed."""
    if event == "ping" or event_type == "ping":
        return 200, {"ok": True, "event": "ping"}
    if event_type and event_type not in payload:
        return 400, {"error": f"body has no {event_type!r} object"}
    try:
        if event == post_created.EVENT:
            outcome = await post_created.handle(services, payload)
        elif event == topic_created.EVENT:
            outcome = await topic_created.handle(services, payload)
        elif event in user_badge.EVENTS:
            outcome = await user_badge.handle(services, payload, event)
        elif event in group_user.EVENTS:
            outcome = await group_user.handle(services, payload, event)
        elif event == user_created.EVENT:
            outcome = await user_created.handle(services, payload)
        else:
            return 200, {"ok": True, "ignored": event or event_type or "unknown"}
    except Malformed as err:
        return 400, {"error": f"malformed {event} payload: {err}"}
    except ProgramError as err:
        return 422, {"error": err.message}
    except DeliveryError as err:
        # Looking up ids on the forum failed (it is down or rate-limits us): not committed, so
        # ask Discourse to deliver again later.
        log.warning("webhook %s deferred: %s", event, err)
        return 503, {"error": "the forum could not be reached to resolve ids; deliver again later"}
    log.info("webhook %s: %s (%s)", event, outcome.result, outcome.note)
    return 200, {"ok": True, "result": outcome.result, "note": outcome.note}
