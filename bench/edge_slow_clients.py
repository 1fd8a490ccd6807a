"""How fast /healthz answers while the bot is under the slow-client attack of issue 12.

20 connections stall mid-request (half never finish their headers, half never send the body they
announced) and one request sends its body in one-byte chunks (200 000 of them), all at once,
while /healthz is polled every 20 ms over a keep-alive connection. Prints the p50, p99 and max of
those polls, and the same without the attack. Nothing is asserted on time (the suite's
tests/hostile/test_slow_clients.py checks that the attackers are dropped and /healthz answers).

    .venv/bin/python -m bench.edge_slow_clients            # SQLite, one run
    .venv/bin/python -m bench.edge_slow_clients --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile

from bot.sandbox.harness.slow_clients import Polls, attack, poll_health
from bot.sandbox.harness.stack import start_stack


def _row(name: str, polls: Polls) -> str:
    ms = [s * 1000 for s in polls.seconds]
    failed = sum(s != 200 for s in polls.statuses)
    return (
        f"{name:<22} polls {len(ms):>4}  p50 {statistics.median(ms):6.1f} ms  "
        f"p99 {polls.p99() * 1000:6.1f} ms  max {max(ms):6.1f} ms  non-200 {failed}"
    )


async def run(runs: int, chunks: int) -> None:
    with tempfile.TemporaryDirectory(prefix="edge-bench-") as tmp:
        async with start_stack(f"sqlite+aiosqlite:///{tmp}/bot.db") as stack:
            stop = asyncio.Event()
            quiet = asyncio.create_task(poll_health(stack.bot_url, stop))
            await asyncio.sleep(3)
            stop.set()
            print(_row("/healthz, idle", await quiet))
            for i in range(runs):
                held, (sent, _answer), polls = await attack(stack.bot_url, stalls=20, chunks=chunks)
                dropped = sum(closed for closed, _ in held)
                print(
                    _row(f"/healthz, attack {i + 1}", polls)
                    + f"  stalled dropped {dropped}/20  chunks written {sent}"
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--chunks", type=int, default=200_000)
    args = parser.parse_args(argv)
    asyncio.run(run(args.runs, args.chunks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
