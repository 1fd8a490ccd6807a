"""The listener factories: `on_button` (a button answered in a message), `on_form_button` (a
button that opens a modal; both are `on_press` with the body `answering` or `opening`) and
`on_submit` (a view submission), and what they share.

Every button listener has the same body: ack within 3 s, find the id the button carries (a stale
or forged value is answered with `STALE`), one service call, a `ProgramError` told privately to
whoever clicked, the success phrased, and the Home tab redrawn when the click came from it. Every
view-submission listener maps `InvalidInput` to field errors (or a notice) and any other
`ProgramError` to a notice replacing the modal. Written once here, each listener module only says
what varies: how to get the id, which service call, how to phrase the result.

A click arrives from a message (container type "message": channel, ts and a response_url) or
from a view such as the App Home tab (container type "view": a view id, no channel, no
response_url). Listeners handle both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.parse import Click, Submission
from bot.program.errors import InvalidInput, ProgramError
from bot.services import Services
from handlers.slack.blocks import Block, notice_modal
from handlers.slack.context import click, services, submission
from handlers.slack.home.publish import publish_home

V = TypeVar("V")  # what a button carries (an id, a pair of ids, a string)
R = TypeVar("R")  # what the service call returns

Listener = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class ActionTarget:
    user: str
    app_id: int | None  # the button's numeric value (an application, nomination or ambassador id)
    channel: str | None
    message_ts: str | None
    view_id: str | None = None

    @property
    def in_view(self) -> bool:
        return self.view_id is not None


def action_target(click: Click) -> ActionTarget:
    """Where the (strictly parsed) click came from and the id its button carries."""
    if click.in_view:
        return ActionTarget(click.user.id, click.value_id, None, None, click.view_id)
    return ActionTarget(click.user.id, click.value_id, click.channel_id, click.message_ts)


STALE = "That button is out of date; nothing was changed."


async def tell(
    respond: AsyncRespond | None,
    text: str,
    *,
    client: AsyncWebClient | None = None,
    body: dict[str, Any] | None = None,
) -> None:
    """A private answer to whoever pressed the button; the message itself stays as it is.

    A click in the App Home tab has no response_url, so the answer opens as a small modal
    (with the click's trigger_id) instead.
    """
    if respond is not None and respond.response_url:
        await respond(text=text, response_type="ephemeral", replace_original=False)
        return
    trigger_id = (body or {}).get("trigger_id")
    if client is not None and trigger_id:
        await client.views_open(trigger_id=trigger_id, view=notice_modal(text))


# -- buttons -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Press(Generic[V]):
    """A button press, with what its button carries already parsed."""

    id: V
    target: ActionTarget
    click: Click
    services: Services
    client: AsyncWebClient
    respond: AsyncRespond | None
    body: dict[str, Any]
    modal_fallback: bool = True

    async def tell(self, text: str) -> None:
        """A private answer to whoever pressed (from the Home tab: a notice modal, unless the
        listener answers only through the response_url)."""
        await tell(self.respond, text, client=self.client if self.modal_fallback else None, body=self.body)


# What a button listener does once its press is parsed.
Body = Callable[[Press[V]], Awaitable[None]]


def value_id(pressed: Click) -> int | None:
    """The default: the button's value is one numeric id."""
    return pressed.value_id


def on_press(carried: Callable[[Click], V | None], then: Body[V], *, modal_fallback: bool = True) -> Listener:
    """A block_actions listener: ack at once, parse what the button carries (a stale or forged
    value is answered with `STALE`), then `then`."""

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond | None,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        pressed = click(context)
        value = carried(pressed)
        if value is None:
            await tell(respond, STALE, client=client if modal_fallback else None, body=body)
            return
        target = action_target(pressed)
        await then(Press(value, target, pressed, services(context), client, respond, body, modal_fallback))

    return listener


def answering(
    call: Callable[[Press[V]], Awaitable[R]],
    say: Callable[[R, Press[V]], str | None],
    *,
    home: bool = True,
    replace: bool = False,
) -> Body[V]:
    """`call` → a `ProgramError` told → `say` told (None: nothing) → the Home tab redrawn when
    the click came from it. `replace` answers in place of the message (when it has a
    response_url)."""

    async def run(press: Press[V]) -> None:
        try:
            result = await call(press)
        except ProgramError as err:
            await press.tell(err.message)
            return
        text = say(result, press)
        if text is not None:
            if replace and press.respond is not None and press.respond.response_url:
                await press.respond(text=text, response_type="ephemeral", replace_original=True)
            else:
                await press.tell(text)
        if home and press.target.in_view:  # clicked in the Home tab: redraw it without that item
            await publish_home(press.client, press.services, press.target.user)

    return run


def opening(
    loading: Callable[[Press[V]], Block], fill: Callable[[Press[V]], Awaitable[Block | None]]
) -> Body[V]:
    """A modal opened from a button: the trigger_id dies 3 s after the click, so `loading` opens
    at once, then `fill` (the checks and look-ups) replaces it (None: keep it), or a
    `ProgramError` replaces it with the reason."""

    async def run(press: Press[V]) -> None:
        opened = await press.client.views_open(trigger_id=press.click.trigger_id, view=loading(press))
        view_id, view_hash = opened["view"]["id"], opened["view"].get("hash")
        try:
            view = await fill(press)
        except ProgramError as err:
            await press.client.views_update(view_id=view_id, hash=view_hash, view=notice_modal(err.message))
            return
        if view is not None:
            await press.client.views_update(view_id=view_id, hash=view_hash, view=view)

    return run


def on_button(
    call: Callable[[Press[V]], Awaitable[R]],
    say: Callable[[R, Press[V]], str | None],
    *,
    carried: Callable[[Click], V | None] = value_id,  # type: ignore[assignment]
    home: bool = True,
    replace: bool = False,
    modal_fallback: bool = True,
) -> Listener:
    """The usual button: ack → the carried id → `call` → its answer (see `answering`).
    `modal_fallback` False answers only through the response_url (no notice modal)."""
    return on_press(carried, answering(call, say, home=home, replace=replace), modal_fallback=modal_fallback)


def on_form_button(
    loading: Callable[[Press[V]], Block],
    fill: Callable[[Press[V]], Awaitable[Block | None]],
    *,
    carried: Callable[[Click], V | None] = value_id,  # type: ignore[assignment]
) -> Listener:
    """A button that opens a modal (see `opening`)."""
    return on_press(carried, opening(loading, fill))


# -- view submissions ----------------------------------------------------------------------------

OUT_OF_DATE = "This form is out of date; nothing changed."


class OutOfDate(Exception):
    """Raised by a submission's call when its private metadata is missing or forged."""


class FieldErrors(Exception):
    """Raised by a submission's call to show these errors beside the fields (checked in the edge)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(dict(errors))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Sent:
    """A submitted view, with the services to call."""

    submission: Submission
    services: Services
    client: AsyncWebClient

    @property
    def user(self) -> str:
        return self.submission.user.id


def as_fields(err: InvalidInput, sent: Sent) -> Mapping[str, str]:
    """The default: the service's field errors as they are (none: a notice with the message)."""
    return err.fields


def in_block(block: str) -> Callable[[InvalidInput, Sent], Mapping[str, str]]:
    """Forms with one text field: the first error (or the message) shown beside `block`."""

    def errors(err: InvalidInput, sent: Sent) -> Mapping[str, str]:
        return {block: next(iter(err.fields.values()), err.message)}

    return errors


def on_submit(
    call: Callable[[Sent], Awaitable[R]],
    answer: Callable[[R, Sent], Block | None],
    *,
    errors: Callable[[InvalidInput, Sent], Mapping[str, str]] = as_fields,
    after: Callable[[R, Sent], Awaitable[None]] | None = None,
) -> Listener:
    """A view_submission listener: `call` → `InvalidInput` shown beside the fields (`errors`; none:
    a notice) → any other `ProgramError` as a notice → `answer` replaces the modal (None: it
    closes) → `after` (e.g. redraw the Home tab)."""

    async def listener(ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext) -> None:
        sent = Sent(submission(context), services(context), client)
        try:
            result = await call(sent)
        except OutOfDate:
            await ack(response_action="update", view=notice_modal(OUT_OF_DATE))
            return
        except FieldErrors as err:
            await ack(response_action="errors", errors=err.errors)
            return
        except InvalidInput as err:
            shown = errors(err, sent)
            if shown:
                await ack(response_action="errors", errors=dict(shown))
            else:
                await ack(response_action="update", view=notice_modal(err.message))
            return
        except ProgramError as err:
            await ack(response_action="update", view=notice_modal(err.message))
            return
        view = answer(result, sent)
        if view is None:
            await ack()
        else:
            await ack(response_action="update", view=view)
        if after is not None:
            await after(result, sent)

    return listener


async def redraw_home(sent: Sent) -> None:
    """Redraw the submitter's Home tab (a form opened from a button in it)."""
    await publish_home(sent.client, sent.services, sent.user)
