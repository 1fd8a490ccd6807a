"""Slack gets its HTTP answer the moment a listener calls `ack()`, not at Bolt's next poll.

Bolt's asyncio runner (with `process_before_response` off, as here) starts the listener in a
task of its own and then looks every 10 ms whether `ack()` was called (`asyncio.sleep(0.01)` in
a loop, `slack_bolt/listener/asyncio_runner.py`). An answer ready after 3 ms therefore leaves at
10 ms, one ready after 11 ms at 20 ms: every slash command, click and form waited for the next
tick. `PromptAckRunner` leaves Bolt's run as it is — its error handling, auto-ack, lazy
listeners, completion handlers and 3-second ack timeout — and only stops waiting for it as soon
as the listener's ack has set the response. That response is the one Bolt's run would return at
its next tick (it returns `ack.response` once set); Bolt's run then finishes in the background.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener import AsyncListener
from slack_bolt.listener.asyncio_runner import AsyncioListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger("ambassador_bot.slack")


class _PromptAck(AsyncAck):
    """`ack()` that also tells the runner it was called."""

    def __init__(self, acked: asyncio.Future[None], response: BoltResponse | None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Bolt's __init__ has no annotations
        self.response = response
        self.acked = acked
        if response is not None:
            acked.set_result(None)

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await super().__call__(*args, **kwargs)
        if not self.acked.done():
            self.acked.set_result(None)
        return response


def _settled(task: asyncio.Task[BoltResponse | None]) -> None:
    # Bolt's run went on after the answer left; it handles a listener's errors itself, so only
    # a failure of the runner itself is left, as one line.
    if not task.cancelled() and task.exception() is not None:
        log.warning("Slack listener runner failed after the answer: %s", type(task.exception()).__name__)


class PromptAckRunner(AsyncioListenerRunner):
    """Bolt's asyncio runner, answering at `ack()` (module docstring)."""

    async def run(
        self,
        request: AsyncBoltRequest,
        response: BoltResponse,
        listener_name: str,
        listener: AsyncListener,
        starting_time: float | None = None,
    ) -> BoltResponse | None:
        if self.process_before_response or request.lazy_only:
            return await super().run(request, response, listener_name, listener, starting_time)
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        earlier = request.context.get("ack")  # a middleware may have made (or called) it already
        ack = _PromptAck(acked, earlier.response if isinstance(earlier, AsyncAck) else None)
        request.context["ack"] = ack  # what Bolt's run, and the listener's `ack` argument, use
        bolt = asyncio.ensure_future(super().run(request, response, listener_name, listener, starting_time))
        await asyncio.wait((bolt, acked), return_when=asyncio.FIRST_COMPLETED)
        if bolt.done():
            acked.cancel()
            return bolt.result()
        bolt.add_done_callback(_settled)
        # What Bolt's run returns once ack.response is set (asyncio_runner.py, after its loop).
        return response if response is not None else ack.response


def answer_at_ack(app: AsyncApp) -> None:
    """Make `app` answer Slack at `ack()`. Its runner keeps every setting (error handlers set
    with `app.error` included): only its class changes, to the subclass above."""
    runner = app.listener_runner
    if type(runner) is AsyncioListenerRunner:
        runner.__class__ = PromptAckRunner
