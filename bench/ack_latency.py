"""Time-to-ack of ``/ambassador status``, ``find`` and ``apply`` next to a bare Bolt app, over real
HTTP on loopback.

Run from the repository root::

    python -m bench.ack_latency [--requests 400] [--commands status,find,apply] [--concurrency 1]
                                [--db URL] [--json PATH]

Both targets are served by uvicorn in this process and event loop, share one Slack stand-in,
and are driven by the same ``SlackActor`` class, so they get the same kind of signed,
form-encoded slash command. For every command there is a bot series and a bare series; the
series take turns in blocks (ABBA order), so machine noise lands on all of them. The bare app
only acks (for ``apply`` it then opens the same modal, so the time until the modal is open has
a baseline too). Nothing here asserts on time; it only prints numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
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

from bench._common import add_options, finish, latency_summary
from bot.sandbox.harness.directory_seed import bulk_seed, synthetic
from bot.sandbox.harness.stack import (
    ALICE,
    BOB,
    BOT_TOKEN,
    MOD,
    MOD_CHANNEL,
    SIGNING_SECRET,
    Stack,
    pg_database,
    start_stack,
)
from bot.sandbox.http import serve_asgi
from bot.sandbox.slack import SlackActor, SlackStandIn
from handlers.slack.applications.views import application_modal, status_message
from storage import migrate
from storage.db import make_engine

COMMANDS: dict[str, tuple[str, str]] = {  # name -> (command text, who sends it)
    "status": ("status", ALICE),
    "find": ("find kubernetes berlin", ALICE),
    "apply": ("apply", BOB),  # BOB may apply: the modal stays open, no views.update
}
# The test stack polls the outbox every 50 ms; a deployed bot uses the default of 1 s. The worker
# shares the event loop with the request handlers, so use the production value here.
PRODUCTION_OUTBOX = {"poll_seconds": 1.0}
MODAL_TIMEOUT = 5.0


# ---------------------------------------------------------------------------------------------- modals


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


# ---------------------------------------------------------------------------------------------- targets


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


def _check_status_code(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:120]!r}"
    return None


def _answer_text(response: httpx.Response) -> tuple[str | None, str]:
    problem = _check_status_code(response)
    if problem is not None:
        return problem, ""
    try:
        return None, str(response.json().get("text", ""))
    except ValueError:
        return f"answer is not JSON: {response.text[:120]!r}", ""


def _check_status(response: httpx.Response) -> str | None:
    problem, text = _answer_text(response)
    if problem is None and "Onboarding" not in text:
        problem = f"status answer lacks the onboarding checklist: {text[:120]!r}"
    return problem


def _check_find(response: httpx.Response) -> str | None:
    problem, text = _answer_text(response)
    if problem is None and "Ambassadors for" not in text:
        problem = f"find answer lists no ambassadors: {text[:120]!r}"
    return problem


BOT_CHECKS: dict[str, Callable[[httpx.Response], str | None]] = {
    "status": _check_status,
    "find": _check_find,
    "apply": _check_status_code,  # an empty ack; the modal is checked through views.open
}


def _bare_app(slack_url: str) -> tuple[Starlette, AsyncApp]:
    """The baseline: Bolt + Starlette adapter, one slash command whose listener only acks (and,
    for ``apply``, then opens the same application modal as the bot)."""
    bolt = AsyncApp(
        signing_secret=SIGNING_SECRET,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=f"{slack_url}/api/"),
    )

    @bolt.command("/ambassador")
    async def _noop(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if str(command.get("text", "")).strip() == "apply":
            await client.views_open(trigger_id=command["trigger_id"], view=application_modal())

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


async def _seed_directory(db_url: str, people: int, ambassadors: int) -> float:
    """A directory for `find`: `people` people, the first `ambassadors` active with profiles."""
    started = time.perf_counter()
    engine = make_engine(db_url)
    try:
        await migrate.upgrade(engine)
        if people:
            await bulk_seed(engine, synthetic(people, ambassadors, alumni=ambassadors // 10), batch=5000)
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def _make_alice_an_ambassador(stack: Stack) -> None:
    review = await stack.apply()
    resp = await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    if resp.status_code != 200:
        raise RuntimeError(f"approve click answered HTTP {resp.status_code}")
    await stack.settle()
    resp = await stack.actor.slash(ALICE, "status")
    problem = _check_status(resp)
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


def _summary(target: Target) -> dict[str, Any]:
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


def _ratio(bot: dict[str, Any], bare: dict[str, Any], key: str) -> float | None:
    if key in bot and key in bare and bare[key] > 0:
        return float(bot[key]) / float(bare[key])
    return None


def _print_table(title: str, targets: list[Target], result: dict[str, Any]) -> None:
    print(f"\n{title}")
    cols = ("p50 ms", "p90 ms", "p99 ms", "max ms", "req/s")
    header = f"{'target':<13} {'n':>5} {'err':>4} " + " ".join(f"{c:>8}" for c in cols)
    print(header)
    print("-" * len(header))
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


async def _phase(
    targets: list[Target], requests: int, block: int, concurrency: int, title: str
) -> dict[str, Any]:
    for target in targets:
        target.reset()
    await _interleaved(targets, requests, block, concurrency)
    result: dict[str, Any] = {}
    for target in targets:
        result.setdefault(target.command, {})[target.name] = _summary(target)
    for r in result.values():
        r["p50_ratio"] = _ratio(r["bot"], r["bare"], "p50_ms")
        r["p99_ratio"] = _ratio(r["bot"], r["bare"], "p99_ms")
        if "modal" in r["bot"]:
            r["modal_p50_ratio"] = _ratio(r["bot"]["modal"], r["bare"]["modal"], "p50_ms")
            r["modal_p99_ratio"] = _ratio(r["bot"]["modal"], r["bare"]["modal"], "p99_ms")
    _print_table(title, targets, result)
    return {"concurrency": concurrency, "commands": result}


async def _pre_ack_work(stack: Stack, n: int) -> dict[str, Any]:
    """What the bot's status and find listeners do before ack(), timed in-process (no HTTP, no
    Bolt)."""
    services = stack.runtime.services
    command = stack.settings.slack.command
    out: dict[str, Any] = {}
    for name in ("status", "find"):
        samples: list[float] = []
        for _ in range(n):
            started = time.perf_counter()
            if name == "status":
                status_message(await services.applications.status(ALICE), command)
            else:
                await services.profiles.find(COMMANDS["find"][0].removeprefix("find "))
            samples.append(time.perf_counter() - started)
        out[name] = latency_summary(samples)
        print(
            f"bot pre-ack work in-process ({name}, no HTTP/Bolt): p50 {out[name]['p50_ms']:.2f} ms,"
            f" p99 {out[name]['p99_ms']:.2f} ms, max {out[name]['max_ms']:.2f} ms (n={n})"
        )
    return out


async def run(args: argparse.Namespace) -> dict[str, Any]:
    commands = [c.strip() for c in args.commands.split(",") if c.strip()]
    unknown = [c for c in commands if c not in COMMANDS]
    if unknown or not commands:
        raise RuntimeError(f"unknown command(s) {unknown}; choose from {', '.join(COMMANDS)}")
    async with _database(args.db) as (db_url, db_label):
        seed_s = await _seed_directory(db_url, args.people, args.ambassadors)
        async with start_stack(db_url, outbox=PRODUCTION_OUTBOX) as stack:
            t0 = time.perf_counter()
            await _make_alice_an_ambassador(stack)
            setup_problems = len(stack.actor.problems)
            bare_asgi, bare_bolt = _bare_app(stack.slack.base_url)
            modals = ModalClock(stack.slack)
            async with (
                serve_asgi(bare_asgi) as bare_url,
                SlackActor(stack.slack, bare_url, SIGNING_SECRET) as bare_actor,
            ):
                targets: list[Target] = []
                for command in commands:
                    clock = modals if command == "apply" else None
                    targets.append(Target("bot", command, stack.actor, BOT_CHECKS[command], clock))
                    targets.append(Target("bare", command, bare_actor, _check_status_code, clock))
                print(
                    f"ack latency of `/ambassador {', '.join(commands)}` (bot, {db_label}, directory of "
                    f"{args.people} people / {args.ambassadors} active ambassadors) vs a bare Bolt no-op "
                    f"(bare); python {platform.python_version()} on {platform.system()} "
                    f"{platform.machine()}, {os.cpu_count()} CPUs; seed {seed_s:.1f} s, setup "
                    f"{time.perf_counter() - t0:.1f} s"
                )
                print(
                    f"warm-up {args.warmup}/series, then {args.requests}/series in alternating blocks "
                    f"of {args.block} (ABBA); times are send -> full response, client in the same process"
                )
                await _interleaved(targets, args.warmup, args.block, 1)
                results: dict[str, Any] = {
                    "config": {
                        "commands": commands,
                        "requests": args.requests,
                        "warmup": args.warmup,
                        "block": args.block,
                        "concurrency": args.concurrency,
                        "people": args.people,
                        "ambassadors": args.ambassadors,
                        "database": db_label,
                        "outbox": PRODUCTION_OUTBOX,
                        "python": platform.python_version(),
                        "platform": platform.platform(),
                        "cpus": os.cpu_count(),
                    },
                    "sequential": await _phase(
                        targets, args.requests, args.block, 1, "sequential (one request in flight)"
                    ),
                }
                if args.concurrency > 1:
                    block = max(args.block, args.concurrency * 4)
                    concurrent = [t for t in targets if t.command != "apply"]  # modals: sequential only
                    results["concurrent"] = await _phase(
                        concurrent,
                        args.requests,
                        block,
                        args.concurrency,
                        f"concurrent ({args.concurrency} in flight per series, blocks of {block})",
                    )
                print()
                results["pre_ack_work"] = await _pre_ack_work(stack, min(args.requests, 200))
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
                results["rows"] = table_rows(results)
                await stack.settle()
                return results


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for the suite's table (sequential phase)."""
    rows: list[dict[str, Any]] = []
    for command, r in results["sequential"]["commands"].items():
        for q in ("p50", "p99"):
            rows.append(
                {
                    "benchmark": f"ack /ambassador {command}",
                    "measure": f"ack {q} ms vs bare Bolt no-op",
                    "bot": r["bot"].get(f"{q}_ms"),
                    "baseline": r["bare"].get(f"{q}_ms"),
                    "ratio": r[f"{q}_ratio"],
                }
            )
        if "modal_p50_ratio" in r:
            rows.append(
                {
                    "benchmark": f"ack /ambassador {command}",
                    "measure": "modal open p50 ms vs bare ack+views.open",
                    "bot": r["bot"]["modal"].get("p50_ms"),
                    "baseline": r["bare"]["modal"].get("p50_ms"),
                    "ratio": r["modal_p50_ratio"],
                }
            )
        errors = r["bot"]["errors"] + r["bare"]["errors"]
        if errors:
            rows.append(
                {
                    "benchmark": f"ack /ambassador {command}",
                    "measure": "errors (must be 0)",
                    "bot": r["bot"]["errors"],
                    "baseline": r["bare"]["errors"],
                    "ratio": None,
                }
            )
    return rows


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ack_latency", description=__doc__.split("\n")[0])
    add_options(
        parser,
        ("--requests", _positive, 400, "measured requests per series"),
        ("--warmup", int, 30, "unmeasured requests per series first"),
        ("--block", _positive, 20, "requests per series per block"),
        ("--commands", str, "status,find,apply", "comma-separated: status, find, apply"),
        ("--people", int, 20_000, "people in the seeded directory"),
        ("--ambassadors", int, 2_000, "active ambassadors (with profiles) among them"),
        ("--concurrency", _positive, 1, "if > 1, also run with this many in flight"),
    )
    parser.add_argument(
        "--db",
        default=None,
        help="database URL (default: SQLite in a temp dir); a PostgreSQL URL is used as an admin "
        "connection to create and drop a throwaway database",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results (and samples) here")
    args = parser.parse_args(argv)
    return finish(run(args), args.json, errors=(RuntimeError,))


if __name__ == "__main__":
    sys.exit(main())
