"""What the forum directory topic's sweep costs the bot between changes, next to a baseline from
the same run.

Run from the repository root::

    python -m bench.directory_topic [--listed 2000] [--rounds 15] [--json /tmp/x.json]
                                    [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test]

It bulk-loads N listed ambassadors (every field shown) and measures, in blocks that alternate:

- the baseline: `listed_ambassadors` (the data every public page and the topic draw from);
- `DirectoryTopic.post()`: the data, the topic's Markdown and its hash (what an edit draws);
- ten `DirectoryTopic.sweep()` calls with nothing changed: what ten sweep ticks cost while the
  directory stays as it is (nine read only the directory's fingerprint, one draws the post);
- ten `post()` calls: what the same ten ticks cost when every one draws the post (the sweep
  without the fingerprint check).

Ratios are ÷ the baseline's median. Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import update

from bench._common import add_options, add_pg_json, database, finish, machine, positive
from bot.config import settings_from_mapping
from bot.program.ports import SystemClock
from bot.program.public.directory import listed_ambassadors
from bot.program.public.forum_topic import DirectoryTopic
from bot.sandbox.harness.directory_seed import bulk_seed, synthetic
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.profiles import Profile
from storage.uow import UnitOfWorkFactory

ALL = "name,location,expertise,help_with,contact,home_group"


async def run(args: argparse.Namespace) -> dict[str, Any]:
    async with database(args.pg, "directory-topic-bench-") as (url, label):
        settings = settings_from_mapping(
            {
                "database": {"url": url},
                "discourse": {
                    "url": "http://127.0.0.1:9",
                    "api_key": "bench",
                    "webhook_secret": "bench-secret-0123",
                    "directory_topic_id": 10,
                },
            },
            env={},
        )
        engine = make_engine(url)
        try:
            await migrate.upgrade(engine)
            await bulk_seed(engine, synthetic(args.listed, args.listed), batch=5000)
            async with engine.begin() as conn:
                await conn.execute(update(Profile).values(public_listed=True, public_fields=ALL))
            uow = UnitOfWorkFactory(make_sessionmaker(engine))
            topic = DirectoryTopic(uow, settings, SystemClock(), listed_ambassadors)

            async def data() -> None:
                async with uow() as u:
                    if len(await listed_ambassadors(u, settings)) != args.listed:
                        raise RuntimeError("not everyone seeded is listed")

            async def ten_sweeps() -> None:
                for _ in range(10):
                    await topic.sweep()

            async def ten_posts() -> None:
                for _ in range(10):
                    await topic.post()

            await topic.sweep()  # the first one queues the edit; the rest find nothing new
            post = await topic.post()
            timed: dict[str, Callable[[], Awaitable[Any]]] = {
                "baseline: listed_ambassadors": data,
                "post(): data + Markdown + hash": topic.post,
                "10 × sweep(), nothing changed": ten_sweeps,
                "10 × post() (no fingerprint check)": ten_posts,
            }
            samples: dict[str, list[float]] = {name: [] for name in timed}
            for i in range(args.rounds):
                order = list(timed.items()) if i % 2 == 0 else list(reversed(timed.items()))
                for name, fn in order:
                    started = time.perf_counter()
                    await fn()
                    samples[name].append(time.perf_counter() - started)
        finally:
            await engine.dispose()
    base = statistics.median(samples["baseline: listed_ambassadors"])
    print(f"{label}: {args.listed} listed; the post is {len(post.raw)} characters")
    rows = []
    for name, values in samples.items():
        median = statistics.median(values)
        rows.append({"measure": name, "median_ms": median * 1000, "ratio": median / base})
        print(f"  {name:<34} median {median * 1000:8.1f} ms   ratio {median / base:5.2f}")
    return {
        "benchmark": "directory_topic",
        "database": label,
        "listed": args.listed,
        "rows": rows,
        **machine(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_options(
        parser,
        ("--listed", positive, 2000, "listed ambassadors"),
        ("--rounds", positive, 15, "alternating rounds of each measure"),
    )
    add_pg_json(parser, "run on PostgreSQL instead of SQLite: an admin URL for a throwaway database")
    args = parser.parse_args()
    return finish(run(args), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
