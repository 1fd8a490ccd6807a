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
import contextlib
import os
import platform
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
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
from bench.ack_targets import (
    COMMANDS,
    ModalClock,
    Target,
    check_find,
    check_status,
    check_status_code,
    interleaved,
    print_table,
    ratio_of,
    summary,
)
from bot.program.text import plural
from bot.sandbox.harness.directory_seed import bulk_seed, synthetic
from bot.sandbox.harness.stack import (
    ALICE,
    BOT_TOKEN,
    MOD,
    MOD_CHANNEL,
    SIGNING_SECRET,
    Stack,
    pg_database,
    start_stack,
)
from bot.sandbox.http import serve_asgi
from bot.sandbox.slack import SlackActor
from handlers.slack.applications.views import application_modal, status_message
from storage import migrate
from storage.db import make_engine

# The test stack polls the outbox every 50 ms; a deployed bot uses the default of 1 s. The worker
# shares the event loop with the request handlers, so use the production value here.
PRODUCTION_OUTBOX = {"poll_seconds": 1.0}


# ---------------------------------------------------------------------------------------------- targets


BOT_CHECKS: dict[str, Callable[[httpx.Response], str | None]] = {
    "status": check_status,
    "find": check_find,
    "apply": check_status_code,  # an empty ack; the modal is checked through views.open
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
    problem = check_status(resp)
    if problem is None and "You are an ambassador" not in resp.json().get("text", ""):
        problem = f"unexpected status answer: {resp.json().get('text', '')[:120]!r}"
    if problem is not None:
        raise RuntimeError(f"setup check failed: {problem}")


# ---------------------------------------------------------------------------------------------- running


async def _phase(
    targets: list[Target], requests: int, block: int, concurrency: int, title: str
) -> dict[str, Any]:
    for target in targets:
        target.reset()
    await interleaved(targets, requests, block, concurrency)
    result: dict[str, Any] = {}
    for target in targets:
        result.setdefault(target.command, {})[target.name] = summary(target)
    for r in result.values():
        r["p50_ratio"] = ratio_of(r["bot"], r["bare"], "p50_ms")
        r["p99_ratio"] = ratio_of(r["bot"], r["bare"], "p99_ms")
        if "modal" in r["bot"]:
            r["modal_p50_ratio"] = ratio_of(r["bot"]["modal"], r["bare"]["modal"], "p50_ms")
            r["modal_p99_ratio"] = ratio_of(r["bot"]["modal"], r["bare"]["modal"], "p99_ms")
    print_table(title, targets, result)
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
        what = "command" if len(unknown) == 1 else "commands"
        raise RuntimeError(f"unknown {what} {unknown}; choose from {', '.join(COMMANDS)}")
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
                    targets.append(Target("bare", command, bare_actor, check_status_code, clock))
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
                await interleaved(targets, args.warmup, args.block, 1)
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
                        "note: the bare app keeps Bolt's runner, which polls for ack() every 10 ms; the bot"
                        " answers\n      at ack() (bot/platforms/slack/prompt_ack.py; see bench/README.md)"
                    )
                slow = stack.actor.problems[setup_problems:] + bare_actor.problems
                if slow:
                    print(f"\n{plural(len(slow), 'request')} took longer than Slack's 3 s ack deadline")
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
