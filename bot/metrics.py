"""Prometheus metrics: request counts and latency (measured as they happen), and the state of the
outbox, the reminders and the platforms' rate limits (read when /metrics is scraped)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
}


def route_label(path: str) -> str:
    if path in KNOWN_ROUTES:
        return path
    if path.startswith("/calendar/"):
        return "/calendar/{token}.ics"
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
        rem = CounterMetricFamily("ambassador_reminders", "Reminders decided, by outcome", labels=["status"])
        for status, n in sorted(self._snapshot.reminders.items()):
            rem.add_metric([status], n)
        yield rem
        limited = CounterMetricFamily(
            "ambassador_platform_rate_limited", "429 answers from the platforms", labels=["platform"]
        )
        if rt is not None:
            limited.add_metric(["outbox"], rt.worker.rate_limited)
            if rt.discourse is not None:
                limited.add_metric(["discourse"], rt.discourse.rate_limited)
            delivered = CounterMetricFamily("ambassador_outbox_delivered", "Deliveries done by this process")
            delivered.add_metric([], rt.worker.delivered)
            yield delivered
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
