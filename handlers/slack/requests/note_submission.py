"""The text form of a request was submitted: a rejection reason, a question or an answer."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.messages import slack_message
from bot.program.requests import Decision
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.requests.views import NOTE_BLOCK, NOTE_VIEW


async def _note(s: kit.Sent) -> Decision:
    meta = s.submission.metadata
    request_id, op = meta.id("request_id"), meta.text("op")
    if request_id is None or op not in ("reject", "ask", "answer"):
        raise kit.OutOfDate
    text = s.submission.values.get(NOTE_BLOCK) or ""
    ref = slack_message(meta.text("channel"), meta.text("ts"))
    if op == "reject":
        return await s.services.requests.reject(request_id, s.user, text, ref)
    if op == "ask":
        return await s.services.requests.ask(request_id, s.user, text, ref)
    return await s.services.requests.answer(request_id, s.user, text)


def _done(decision: Decision, s: kit.Sent) -> Block:
    r = decision.request
    done = {
        "reject": f"{r.reference} is rejected; <@{r.requester}> gets your reason.",
        "ask": f"Your question about {r.reference} went to <@{r.requester}>.",
        "answer": f"Thank you! Your answer about {r.reference} went to the moderators.",
    }[s.submission.metadata.text("op") or ""]
    return blocks.notice_modal(done, title="Done")


async def _redraw(_decision: Decision, s: kit.Sent) -> None:
    meta = s.submission.metadata
    if meta.text("op") != "answer" and not meta.text("channel"):  # the button was in the Home tab
        await kit.redraw_home(s)


on_submit = kit.on_submit(_note, _done, errors=kit.in_block(NOTE_BLOCK), after=_redraw)


def register(app: AsyncApp) -> None:
    app.view(NOTE_VIEW)(on_submit)
