"""The text form of a request was submitted: a rejection reason, a question or an answer."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import InvalidInput, ProgramError
from bot.program.requests import Decision
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.home.publish import publish_home
from handlers.slack.requests.views import NOTE_BLOCK, NOTE_VIEW


async def on_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    meta = submission(context).metadata
    request_id, op = meta.id("request_id"), meta.text("op")
    if request_id is None or op not in ("reject", "ask", "answer"):
        await ack(
            response_action="update", view=blocks.notice_modal("This form is out of date; nothing changed.")
        )
        return
    text = dict(submission(context).values).get(NOTE_BLOCK) or ""
    user = submission(context).user.id
    svc = services(context)
    channel, ts = meta.text("channel"), meta.text("ts")
    try:
        decision: Decision
        if op == "reject":
            decision = await svc.requests.reject(request_id, user, text, channel, ts)
        elif op == "ask":
            decision = await svc.requests.ask(request_id, user, text, channel, ts)
        else:
            decision = await svc.requests.answer(request_id, user, text)
    except InvalidInput as err:
        await ack(response_action="errors", errors={NOTE_BLOCK: next(iter(err.fields.values()), err.message)})
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    r = decision.request
    done = {
        "reject": f"{r.reference} is rejected; <@{r.requester}> gets your reason.",
        "ask": f"Your question about {r.reference} went to <@{r.requester}>.",
        "answer": f"Thank you! Your answer about {r.reference} went to the moderators.",
    }[op]
    await ack(response_action="update", view=blocks.notice_modal(done, title="Done"))
    if op != "answer" and not channel:  # the button was in the Home tab: redraw its queue
        await publish_home(client, svc, user)


def register(app: AsyncApp) -> None:
    app.view(NOTE_VIEW)(on_submit)
