"""The targets bench.ack_latency measures side by side (the bot and a bare Bolt app): how a request
to each is timed and checked, the modal clock, the interleaved blocks and the printed table."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench._common import latency_summary, print_header
from bot.sandbox.harness.stack import ALICE, BOB
from bot.sandbox.slack import SlackActor, SlackStandIn

COMMANDS: dict[str, tuple[str, str]] = {  # name -> (command text, who sends it)
    "status": ("status", ALICE),
    "find": ("find kubernetes berlin", ALICE),
    "apply": ("apply", BOB),  # BOB may apply: the modal stays open, no views.update
}
MODAL_TIMEOUT = 5.0


class ModalClock:
    """Notes when the Slack stand-in handles each ``views.open``, by trigger id (sequential use)."""

    def __init__(self, slack: SlackStandIn) -> None:
        self._opened: dict[str, float] = {}
        self._waiting: dict[str, asyncio.Future[float]] = {}
        original = slack._handlers["views.open"]

        def views_open(params: dict[str, Any]) -> dict[str, Any]:
            at = time.perf_counter()
            answer = original(params)
            trigger = str(params.get("trigger_id"))
            future = self._waiting.pop(trigger, None)
            if future is None:
                self._opened[trigger] = at
            elif not future.done():
                future.set_result(at)
            return answer

        slack._handlers["views.open"] = views_open

    async def opened_at(self, trigger_id: str, within: float) -> float:
        if trigger_id in self._opened:
            return self._opened.pop(trigger_id)
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[trigger_id] = future
        try:
            return await asyncio.wait_for(future, within)
        finally:
            self._waiting.pop(trigger_id, None)


@dataclass
class Target:
    name: str  # "bot" or "bare"
    command: str  # a key of COMMANDS
    actor: SlackActor
    check: Callable[[httpx.Response], str | None]
    modals: ModalClock | None = None  # set for apply: also time until the modal is open
    samples: list[float] = field(default_factory=list)  # seconds, successful requests only
    modal_samples: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    busy_seconds: float = 0.0  # wall time spent in this target's blocks

    @property
    def label(self) -> str:
        return f"{self.name} {self.command}"

    def reset(self) -> None:
        self.samples = []
        self.modal_samples = []
        self.errors = Counter()
        self.busy_seconds = 0.0

    async def one(self) -> None:
        text, user = COMMANDS[self.command]
        started = time.perf_counter()
        try:
            response = await self.actor.slash(user, text)
        except Exception as exc:
            self.errors[f"{type(exc).__name__}: {exc}"[:200]] += 1
            return
        elapsed = time.perf_counter() - started
        problem = self.check(response)
        if problem is None and self.modals is not None and self.actor.last_trigger_id is not None:
            try:
                opened = await self.modals.opened_at(self.actor.last_trigger_id, MODAL_TIMEOUT)
                self.modal_samples.append(opened - started)
            except TimeoutError:
                problem = f"no views.open within {MODAL_TIMEOUT:g} s"
        if problem is not None:
            self.errors[problem] += 1
            return
        self.samples.append(elapsed)


def check_status_code(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:120]!r}"
    return None


def _answer_text(response: httpx.Response) -> tuple[str | None, str]:
    problem = check_status_code(response)
    if problem is not None:
        return problem, ""
    try:
        return None, str(response.json().get("text", ""))
    except ValueError:
        return f"answer is not JSON: {response.text[:120]!r}", ""


def check_status(response: httpx.Response) -> str | None:
    problem, text = _answer_text(response)
    if problem is None and "Onboarding" not in text:
        problem = f"status answer lacks the onboarding checklist: {text[:120]!r}"
    return problem


def check_find(response: httpx.Response) -> str | None:
    problem, text = _answer_text(response)
    if problem is None and "Ambassadors for" not in text:
        problem = f"find answer lists no ambassadors: {text[:120]!r}"
    return problem


async def _block(target: Target, size: int, concurrency: int) -> None:
    started = time.perf_counter()
    if concurrency <= 1:
        for _ in range(size):
            await target.one()
    else:
        sem = asyncio.Semaphore(concurrency)

        async def limited() -> None:
            async with sem:
                await target.one()

        await asyncio.gather(*(limited() for _ in range(size)))
    target.busy_seconds += time.perf_counter() - started


async def interleaved(targets: list[Target], total: int, block: int, concurrency: int) -> None:
    """``total`` requests per target, alternating blocks in ABBA order."""
    done = 0
    index = 0
    while done < total:
        size = min(block, total - done)
        order = targets if index % 2 == 0 else list(reversed(targets))
        for target in order:
            await _block(target, size, concurrency)
        done += size
        index += 1


def summary(target: Target) -> dict[str, Any]:
    out: dict[str, Any] = latency_summary(target.samples)
    out["errors"] = sum(target.errors.values())
    if target.samples:
        out["requests_per_second"] = (
            len(target.samples) / target.busy_seconds if target.busy_seconds else None
        )
    if target.modals is not None:
        out["modal"] = latency_summary(target.modal_samples)
    out["error_messages"] = dict(target.errors.most_common(10))
    out["samples_ms"] = [round(v, 4) for v in (s * 1000 for s in target.samples)]
    return out


def ratio_of(bot: dict[str, Any], bare: dict[str, Any], key: str) -> float | None:
    if key in bot and key in bare and bare[key] > 0:
        return float(bot[key]) / float(bare[key])
    return None


def print_table(title: str, targets: list[Target], result: dict[str, Any]) -> None:
    print(f"\n{title}")
    cols = ("p50 ms", "p90 ms", "p99 ms", "max ms", "req/s")
    header = f"{'target':<13} {'n':>5} {'err':>4} " + " ".join(f"{c:>8}" for c in cols)
    print_header(header)
    for target in targets:
        s = result[target.command][target.name]
        if s["n"] == 0:
            print(f"{target.label:<13} {0:>5} {s['errors']:>4}  (no successful requests)")
            continue
        rps = s.get("requests_per_second")
        print(
            f"{target.label:<13} {s['n']:>5} {s['errors']:>4} {s['p50_ms']:>8.2f} {s['p90_ms']:>8.2f} "
            f"{s['p99_ms']:>8.2f} {s['max_ms']:>8.2f} {rps if rps is not None else float('nan'):>8.0f}"
        )
    for command, r in result.items():
        if not isinstance(r, dict) or "bot" not in r:
            continue
        line = (
            f"{command}: ack p50 ratio bot/bare = {_fmt(r['p50_ratio'])}, p99 ratio = {_fmt(r['p99_ratio'])}"
        )
        if "modal_p50_ratio" in r:
            bot_modal, bare_modal = r["bot"]["modal"], r["bare"]["modal"]
            line += (
                f"; modal open p50 {_fmt(bot_modal.get('p50_ms'))} vs {_fmt(bare_modal.get('p50_ms'))} ms"
                f" (ratio {_fmt(r['modal_p50_ratio'])}), p99 ratio {_fmt(r['modal_p99_ratio'])}"
            )
        print(line)
    for target in targets:
        for message, count in target.errors.most_common(5):
            print(f"  error [{target.label}] x{count}: {message}")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
