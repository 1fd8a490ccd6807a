"""Time-to-ack of ``/ambassador status`` next to a bare Bolt app, over real HTTP on loopback.

Run from the repository root::

    python -m bench.ack_latency [--requests 400] [--concurrency 1] [--db URL] [--json PATH]

Both targets are served by uvicorn in this process and event loop, share one Slack stand-in,
and are driven by the same ``SlackActor`` class, so they get the same kind of signed,
form-encoded slash command. Requests alternate between the targets in blocks (ABBA order),
so machine noise lands on both. Nothing here asserts on time; it only prints numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.sandbox.http import serve_asgi
from bot.sandbox.slack_standin import SlackActor
from handlers.slack.blocks import status_message
from tests.stack import (
    ALICE,
    BOT_TOKEN,
    MOD,
    MOD_CHANNEL,
    SIGNING_SECRET,
    Stack,
    pg_database,
    start_stack,
)

COMMAND_TEXT = "status"
# The test stack polls the outbox every 50 ms; a deployed bot uses the default of 1 s. The worker
# shares the event loop with the request handlers, so use the production value here.
PRODUCTION_OUTBOX = {"poll_seconds": 1.0}


# ---------------------------------------------------------------------------------------------- targets


@dataclass
class Target:
    name: str
    actor: SlackActor
    check: Callable[[httpx.Response], str | None]
    samples: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: Counter[str] = field(default_factory=Counter)
    busy_seconds: float = 0.0  # wall time spent in this target's blocks

    def reset(self) -> None:
        self.samples = []
        self.errors = Counter()
        self.busy_seconds = 0.0

    async def one(self) -> None:
        started = time.perf_counter()
        try:
            response = await self.actor.slash(ALICE, COMMAND_TEXT)
        except Exception as exc:
            self.errors[f"{type(exc).__name__}: {exc}"[:200]] += 1
            return
        elapsed = time.perf_counter() - started
        problem = self.check(response)
        if problem is not None:
            self.errors[problem] += 1
            return
        self.samples.append(elapsed)


def _check_status_code(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:120]!r}"
    return None


def _check_bot(response: httpx.Response) -> str | None:
    problem = _check_status_code(response)
    if problem is not None:
        return problem
    try:
        text = str(response.json().get("text", ""))
    except ValueError:
        return f"answer is not JSON: {response.text[:120]!r}"
    if "Onboarding" not in text:
        return f"status answer lacks the onboarding checklist: {text[:120]!r}"
    return None


def _bare_app(slack_url: str) -> tuple[Starlette, AsyncApp]:
    """The baseline: Bolt + Starlette adapter, one slash command whose listener only acks."""
    bolt = AsyncApp(
        signing_secret=SIGNING_SECRET,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=f"{slack_url}/api/"),
    )

    @bolt.command("/ambassador")
    async def _noop(ack: AsyncAck) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])]), bolt


# ---------------------------------------------------------------------------------------------- setup


@contextlib.asynccontextmanager
async def _database(db: str | None) -> AsyncIterator[tuple[str, str]]:
    """Yield (url, label). PostgreSQL URLs are only used to create a throwaway database."""
    if db is None:
        with tempfile.TemporaryDirectory(prefix="ack-bench-") as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/bot.db", "sqlite (temp file)"
        return
    if db.startswith("postgres"):
        async with pg_database(db) as url:
            yield url, "postgresql (throwaway database)"
        return
    yield db, db.split(":", 1)[0]


async def _make_alice_an_ambassador(stack: Stack) -> None:
    review = await stack.apply()
    resp = await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    if resp.status_code != 200:
        raise RuntimeError(f"approve click answered HTTP {resp.status_code}")
    await stack.settle()
    resp = await stack.actor.slash(ALICE, COMMAND_TEXT)
    problem = _check_bot(resp)
    if problem is None and "You are an ambassador" not in resp.json().get("text", ""):
        problem = f"unexpected status answer: {resp.json().get('text', '')[:120]!r}"
    if problem is not None:
        raise RuntimeError(f"setup check failed: {problem}")


# ---------------------------------------------------------------------------------------------- running


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


async def _interleaved(targets: list[Target], total: int, block: int, concurrency: int) -> None:
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


def _pct(sorted_ms: list[float], q: float) -> float:
    """Percentile by linear interpolation between closest ranks."""
    if len(sorted_ms) == 1:
        return sorted_ms[0]
    pos = (len(sorted_ms) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (pos - lo)


def _summary(target: Target) -> dict[str, Any]:
    ms = sorted(s * 1000 for s in target.samples)
    out: dict[str, Any] = {"n": len(ms), "errors": sum(target.errors.values())}
    if ms:
        out.update(
            p50_ms=_pct(ms, 0.50),
            p90_ms=_pct(ms, 0.90),
            p99_ms=_pct(ms, 0.99),
            max_ms=ms[-1],
            mean_ms=statistics.fmean(ms),
            requests_per_second=(len(ms) / target.busy_seconds) if target.busy_seconds else None,
        )
    out["error_messages"] = dict(target.errors.most_common(10))
    out["samples_ms"] = [round(v, 4) for v in (s * 1000 for s in target.samples)]
    return out


def _ratio(bot: dict[str, Any], bare: dict[str, Any], key: str) -> float | None:
    if key in bot and key in bare and bare[key] > 0:
        return float(bot[key]) / float(bare[key])
    return None


def _print_table(title: str, bot: Target, bare: Target, result: dict[str, Any]) -> None:
    print(f"\n{title}")
    cols = ("p50 ms", "p90 ms", "p99 ms", "max ms", "req/s")
    header = f"{'target':<6} {'n':>5} {'err':>4} " + " ".join(f"{c:>8}" for c in cols)
    print(header)
    print("-" * len(header))
    for target in (bot, bare):
        s = result[target.name]
        if s["n"] == 0:
            print(f"{target.name:<6} {0:>5} {s['errors']:>4}  (no successful requests)")
            continue
        rps = s["requests_per_second"]
        print(
            f"{target.name:<6} {s['n']:>5} {s['errors']:>4} {s['p50_ms']:>8.2f} {s['p90_ms']:>8.2f} "
            f"{s['p99_ms']:>8.2f} {s['max_ms']:>8.2f} {rps if rps is not None else float('nan'):>8.0f}"
        )
    for key in ("p50", "p99"):
        value = result[f"{key}_ratio"]
        shown = f"{value:.2f}" if value is not None else "n/a"
        print(f"{key} ratio bot/bare = {shown}")
    for target in (bot, bare):
        for message, count in target.errors.most_common(5):
            print(f"  error [{target.name}] x{count}: {message}")


async def _phase(
    bot: Target, bare: Target, requests: int, block: int, concurrency: int, title: str
) -> dict[str, Any]:
    for target in (bot, bare):
        target.reset()
    await _interleaved([bot, bare], requests, block, concurrency)
    result: dict[str, Any] = {"concurrency": concurrency, bot.name: _summary(bot), bare.name: _summary(bare)}
    result["p50_ratio"] = _ratio(result[bot.name], result[bare.name], "p50_ms")
    result["p99_ratio"] = _ratio(result[bot.name], result[bare.name], "p99_ms")
    _print_table(title, bot, bare, result)
    return result


async def _pre_ack_work(stack: Stack, n: int) -> dict[str, Any]:
    """What the bot's status listener does before ack(), timed in-process (no HTTP, no Bolt)."""
    services = stack.runtime.services
    command = stack.settings.slack.command
    samples: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        status_message(await services.applications.status(ALICE), command)
        samples.append(time.perf_counter() - started)
    ms = sorted(v * 1000 for v in samples)
    result = {"n": n, "p50_ms": _pct(ms, 0.50), "p99_ms": _pct(ms, 0.99), "max_ms": ms[-1]}
    print(
        f"\nbot pre-ack work in-process (status query + blocks, no HTTP/Bolt): p50 {result['p50_ms']:.2f} ms,"
        f" p99 {result['p99_ms']:.2f} ms, max {result['max_ms']:.2f} ms (n={n})"
    )
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    async with _database(args.db) as (db_url, db_label):
        async with start_stack(db_url, outbox=PRODUCTION_OUTBOX) as stack:
            t0 = time.perf_counter()
            await _make_alice_an_ambassador(stack)
            setup_problems = len(stack.actor.problems)
            bare_asgi, bare_bolt = _bare_app(stack.slack.base_url)
            async with (
                serve_asgi(bare_asgi) as bare_url,
                SlackActor(stack.slack, bare_url, SIGNING_SECRET) as bare_actor,
            ):
                bot = Target("bot", stack.actor, _check_bot)
                bare = Target("bare", bare_actor, _check_status_code)
                print(
                    f"ack latency of `/ambassador {COMMAND_TEXT}` (bot, {db_label}) vs a bare Bolt no-op "
                    f"(bare); python {platform.python_version()} on {platform.system()} "
                    f"{platform.machine()}, {os.cpu_count()} CPUs; setup {time.perf_counter() - t0:.1f} s"
                )
                print(
                    f"warm-up {args.warmup}/target, then {args.requests}/target in alternating blocks "
                    f"of {args.block} (ABBA); times are send -> full response, client in the same process"
                )
                await _interleaved([bot, bare], args.warmup, args.block, 1)
                results: dict[str, Any] = {
                    "config": {
                        "requests": args.requests,
                        "warmup": args.warmup,
                        "block": args.block,
                        "concurrency": args.concurrency,
                        "database": db_label,
                        "outbox": PRODUCTION_OUTBOX,
                        "python": platform.python_version(),
                        "platform": platform.platform(),
                        "cpus": os.cpu_count(),
                    },
                    "sequential": await _phase(
                        bot, bare, args.requests, args.block, 1, "sequential (one request in flight)"
                    ),
                }
                if args.concurrency > 1:
                    block = max(args.block, args.concurrency * 4)
                    results["concurrent"] = await _phase(
                        bot,
                        bare,
                        args.requests,
                        block,
                        args.concurrency,
                        f"concurrent ({args.concurrency} in flight per target, blocks of {block})",
                    )
                results["pre_ack_work"] = await _pre_ack_work(stack, args.requests)
                modes = {
                    "bot": stack.runtime.bolt.process_before_response,
                    "bare": bare_bolt.process_before_response,
                }
                results["process_before_response"] = modes
                if not any(modes.values()):
                    print(
                        "note: both apps run Bolt with process_before_response=False, which polls for ack()"
                        " every 10 ms;\n      work that finishes inside that tick does not show up in the"
                        " HTTP numbers (see bench/README.md)"
                    )
                slow = stack.actor.problems[setup_problems:] + bare_actor.problems
                if slow:
                    print(f"\n{len(slow)} request(s) took longer than Slack's 3 s ack deadline")
                results["slow_acks"] = len(slow)
                await stack.settle()
                return results


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ack_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=_positive, default=400, help="measured requests per target")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured requests per target first")
    parser.add_argument("--block", type=_positive, default=20, help="requests per target per block")
    parser.add_argument(
        "--concurrency", type=_positive, default=1, help="if > 1, also run with this many in flight"
    )
    parser.add_argument(
        "--db",
        default=None,
        help="database URL (default: SQLite in a temp dir); a PostgreSQL URL is used as an admin "
        "connection to create and drop a throwaway database",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results (and samples) here")
    args = parser.parse_args(argv)
    try:
        results = asyncio.run(run(args))
    except RuntimeError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
