"""What stands before every Slack Web API method: auth, rate limits, outages and the faults a test
arms (storms, hangs, forced failures), answered the way Slack answers them.

- auth: a bot token as ``Authorization: Bearer`` or a ``token`` argument; none is ``not_authed``,
  a wrong one ``invalid_auth`` (https://api.slack.com/authentication/token-types,
  https://api.slack.com/web#authentication);
- rate limits: HTTP 429 with ``Retry-After`` and ``error: ratelimited``
  (https://api.slack.com/docs/rate-limits); ``chat.postMessage`` allows about one message per
  second per channel with short bursts (https://api.slack.com/methods/chat.postMessage#rate_limiting);
- an unknown method is ``unknown_method`` (https://api.slack.com/web#responses).
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.sandbox.faults import Faults, ForcedFailure, Hang, Storm, StormStatus
from bot.sandbox.slack.common import ApiError, Bucket, JSONDict, RateLimited, json_response, read_params

__all__ = ["ApiGate"]

_WORKSPACE = "\x00workspace"


class ApiGate:
    """The gate half of ``SlackStandIn`` (a mixin: the stand-in holds the state)."""

    bot_token: str
    down: bool
    calls: list[tuple[str, JSONDict]]
    rate_limited: int
    post_burst: int
    post_rate_per_second: float
    workspace_rate_per_second: float | None
    workspace_burst: int
    clock: Callable[[], float]
    faults: Faults
    _buckets: dict[str, Bucket]
    _handlers: dict[str, Callable[[JSONDict], JSONDict]]

    # ------------------------------------------------------------------ faults a test arms

    def fail_next(
        self, method: str, times: int = 1, status: int = 429, retry_after: int = 2, error: str | None = None
    ) -> None:
        """Force the next ``times`` calls of ``method`` to fail.

        429 -> ``ratelimited`` with ``Retry-After``; 200 -> ``ok: false`` with ``error``
        (default ``fatal_error``); other statuses -> that status with a plain-text body, or a
        JSON ``ok: false`` body if ``error`` is given.
        """
        self.faults.arm(ForcedFailure(method, "", times, status, retry_after, error))

    def storm(
        self,
        status: StormStatus,
        seconds: float,
        methods: list[str] | None = None,
        retry_after: int = 1,
        hang_seconds: float = 5.0,
    ) -> Storm:
        """For ``seconds`` (of ``clock``), every call of ``methods`` (default: all) fails: 429 with
        ``Retry-After``, another HTTP status with a plain-text body, or ``"hang"`` (held for
        ``hang_seconds``, then 504, with no effect)."""
        return self.faults.storm(
            status, seconds, methods=methods, retry_after=retry_after, hang_seconds=hang_seconds
        )

    def hang_next(self, method: str, times: int = 1, seconds: float = 5.0, after_effect: bool = True) -> Hang:
        """Hold the answer to the next ``times`` calls of ``method`` for ``seconds``; with
        ``after_effect`` the call takes effect first (only its answer is late)."""
        return self.faults.arm(Hang(method, "", times, seconds, after_effect))

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_api(self, request: Request) -> Response:
        method = request.path_params["method"]
        try:
            params = await read_params(request)
        except ApiError as exc:
            self.calls.append((method, {}))
            return json_response({"ok": False, "error": exc.error})
        self.calls.append((method, params))
        if self.down:
            return PlainTextResponse(
                "Service Unavailable: Slack is having trouble right now.", status_code=503
            )
        storm = self.faults.storming(method)
        if storm is not None:
            return await self._storm_response(storm)
        forced = self.faults.take_failure(method)
        if forced is not None:
            return self._forced_response(forced)
        hang = self.faults.take_hang(method)
        if hang is not None and not hang.after_effect:
            await self.faults.hold(hang.seconds)
            return PlainTextResponse("Gateway Timeout (held by SlackStandIn)", status_code=504)
        response = self._answer(request, method, params)
        if hang is not None:
            await self.faults.hold(hang.seconds)
        return response

    def _ratelimited(self, retry_after: int) -> Response:
        self.rate_limited += 1
        return json_response(
            {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
        )

    async def _storm_response(self, storm: Storm) -> Response:
        if storm.status == "hang":
            await self.faults.hold(storm.hang_seconds)
            return PlainTextResponse("Gateway Timeout (storm by SlackStandIn)", status_code=504)
        if storm.status == 429:
            return self._ratelimited(storm.retry_after)
        return PlainTextResponse(f"HTTP {storm.status} (storm by SlackStandIn)", storm.status)

    def _forced_response(self, failure: ForcedFailure) -> Response:
        if failure.status == 429:
            return self._ratelimited(failure.retry_after)
        if failure.status == 200 or failure.error is not None:
            return json_response(
                {"ok": False, "error": failure.error or "fatal_error"}, status=failure.status
            )
        return PlainTextResponse(f"HTTP {failure.status} (forced by SlackStandIn)", failure.status)

    def _answer(self, request: Request, method: str, params: JSONDict) -> Response:
        handler = self._handlers.get(method)
        if handler is None:
            return json_response({"ok": False, "error": "unknown_method", "req_method": method})
        auth_error = self._check_auth(request, params)
        if auth_error is not None:
            return json_response({"ok": False, "error": auth_error})
        try:
            body = handler(params)
        except ApiError as exc:
            return json_response({"ok": False, "error": exc.error, **exc.extra})
        except RateLimited as exc:
            return self._ratelimited(exc.retry_after)
        return json_response(body)

    def _check_auth(self, request: Request, params: JSONDict) -> str | None:
        header = request.headers.get("authorization")
        token: str | None = None
        if header:
            scheme, _, value = header.partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else ""
        elif params.get("token"):
            token = str(params["token"])
        if token is None:
            return "not_authed"
        if not hmac.compare_digest(token.encode(), self.bot_token.encode()):
            return "invalid_auth"
        return None

    # ------------------------------------------------------------------ rate limits

    def _refill(self, key: str, burst: int, rate: float, now: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = Bucket(tokens=float(burst), updated=now)
            self._buckets[key] = bucket
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(burst), bucket.tokens + elapsed * rate)
        bucket.updated = now
        return bucket

    def _take_post_token(self, channel_id: str) -> None:
        """chat.postMessage: "one message per second per channel, with short bursts", refused with
        HTTP 429 and ``Retry-After`` (https://api.slack.com/methods/chat.postMessage#rate_limiting,
        https://api.slack.com/docs/rate-limits); a refused call consumes nothing."""
        now = self.clock()
        buckets = [
            (
                self._refill(channel_id, self.post_burst, self.post_rate_per_second, now),
                self.post_rate_per_second,
            )
        ]
        if self.workspace_rate_per_second:
            rate = self.workspace_rate_per_second
            buckets.append((self._refill(_WORKSPACE, self.workspace_burst, rate, now), rate))
        waits = [(1.0 - bucket.tokens) / rate for bucket, rate in buckets if bucket.tokens < 1.0]
        if waits:  # refused: nothing is consumed
            raise RateLimited(max(1, math.ceil(max(waits))))
        for bucket, _rate in buckets:
            bucket.tokens -= 1.0
