"""Prometheus metrics: request counts and latency (measured as they happen); what this process
did (reminders decided, deliveries, the platforms' 429s: counters kept in memory); and the state of
the outbox and the reminders in the database (gauges, the same on every replica)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.platforms.slack.client import rate_limited as slack_rate_limited

if TYPE_CHECKING:
    from bot.runtime import Runtime

KNOWN_ROUTES = {
    "/slack/events",
    "/discourse/webhooks",
    "/healthz",
    "/livez",
    "/readyz",
    "/metrics",
    "/calendar.ics",
    "/program",  # the public pages (bot/web/)
    "/program/ambassadors",
    "/program/groups",
    "/program/events",
}


def route_label(path: str) -> str:
    if path in KNOWN_ROUTES:
        return path
    if path.startswith("/calendar/"):
        return "/calendar/{token}.ics"
    if path.startswith("/program/static/"):
        return "/program/static/{file}"
    return "other"  # never a raw path: unbounded label values would grow memory


class Snapshot:
    """The numbers a scrape reads from the database, refreshed before each scrape."""

    def __init__(self) -> None:
        self.outbox: dict[str, int] = {}
        self.oldest_age: float = 0.0
        self.reminders: dict[str, int] = {}


class _StateCollector(Collector):
    def __init__(self, runtime: Callable[[], Runtime | None], snapshot: Snapshot) -> None:
        self._runtime = runtime
        self._snapshot = snapshot

    def collect(self) -> Iterator[Any]:
        rt = self._runtime()
        depth = GaugeMetricFamily("ambassador_outbox_rows", "Outbox rows by status", labels=["status"])
        for status, n in sorted(self._snapshot.outbox.items()):
            depth.add_metric([status], n)
        yield depth
        yield GaugeMetricFamily(
            "ambassador_outbox_oldest_waiting_seconds",
            "Age of the oldest undelivered outbox row",
            value=self._snapshot.oldest_age,
        )
        rows = GaugeMetricFamily(
            "ambassador_reminder_rows",
            "Reminders decided so far, by outcome, as the database holds them (the same on every replica)",
            labels=["status"],
        )
        for status, n in sorted(self._snapshot.reminders.items()):
            rows.add_metric([status], n)
        yield rows
        rem = CounterMetricFamily(
            "ambassador_reminders",
            "Reminders this process decided: sent (queued for delivery) or skipped (found too late)",
            labels=["kind", "status"],
        )
        limited = CounterMetricFamily(
            "ambassador_platform_rate_limited",
            "429 answers this process met, each counted once: Slack in listeners and deliveries, "
            "Discourse on every forum call",
            labels=["platform"],
        )
        if rt is not None:
            for (kind, status), n in sorted(rt.services.reminders.decided.items()):
                rem.add_metric([kind, status], n)
            limited.add_metric(["slack"], slack_rate_limited(rt.slack_client))
            if rt.discourse is not None:
                limited.add_metric(["discourse"], rt.discourse.rate_limited)
            delivered = CounterMetricFamily("ambassador_outbox_delivered", "Deliveries done by this process")
            delivered.add_metric([], rt.worker.delivered)
            yield delivered
        yield rem
        yield limited


class Metrics:
    def __init__(self, runtime: Callable[[], Runtime | None]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ambassador_http_requests", "HTTP requests", ["route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "ambassador_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self.snapshot = Snapshot()
        self._runtime = runtime
        self.registry.register(_StateCollector(runtime, self.snapshot))

    async def refresh(self) -> None:
        rt = self._runtime()
        if rt is None:
            return
        now = datetime.now(UTC)
        async with rt.uow() as uow:
            stats = await uow.outbox.stats(now)
            self.snapshot.reminders = await uow.calendar.reminder_counts()
        self.snapshot.outbox = {str(k): int(v) for k, v in stats["counts"].items()}
        oldest = stats["oldest_pending"]
        self.snapshot.oldest_age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request (pure ASGI, so streaming bodies are untouched)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = route_label(str(scope.get("path", "")))
            self.metrics.requests.labels(route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)
