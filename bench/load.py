"""N applicants at once through the Telegram webhook path; compared with a bare aiogram echo bot.

Each simulated applicant sends the updates of the whole text part of the form (from /start to
the language of testing: 14 updates) one after another, as a person does, all applicants
concurrently. Updates are POSTed to `/webhooks/telegram` of the real app (`create_app`, the
real flow, PostgreSQL, Redis state and events isolation); the Bot API is the local fake of the
tests. Latency per update: from the webhook POST to the bot's first reply arriving at the fake.

The baseline is a bare aiogram Dispatcher that echoes every message and button press, behind
aiogram's own webhook handler on the same path, with the same fake, Redis FSM storage and
Redis events isolation, driven by the same updates.

Usage: .venv/bin/python bench/load.py [--applicants 500] [--profile out.prof]
    DATABASE_URL (default postgresql+asyncpg://postgres@127.0.0.1/postgres: a temporary
    database is created next to it and dropped), REDIS_URL (default redis://127.0.0.1:6379/0,
    keys under a prefix of their own, deleted afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load_world import (  # noqa: E402
    TOKEN,
    BenchWorld,
    TimedFakeAPI,
    applicant_updates,
    echo_app,
    ours_app,
)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
Result = dict[str, float]


async def drive(
    api: TimedFakeAPI, url: str, secret: str, world: BenchWorld, *, concurrency: int
) -> Result:
    """Send every applicant's updates, one after another per applicant, all at once."""
    latencies: list[float] = []
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def one(number: int, phone: str) -> None:
            chat_id = 8_000_000 + number
            for step, build in enumerate(applicant_updates(number, phone)):
                update = build(api.new_update_id(), chat_id, api.last_message(chat_id))
                replied = api.expect_reply(chat_id)
                started = time.perf_counter()
                async with session.post(
                    url, json=update, headers={SECRET_HEADER: secret}
                ) as response:
                    if response.status != 200:
                        raise RuntimeError(f"webhook answered {response.status}")
                try:
                    arrived = await asyncio.wait_for(replied, timeout=30)
                except TimeoutError:
                    last = api.last_message(chat_id)
                    raise RuntimeError(f"no reply to step {step}; last: {last}") from None
                latencies.append(arrived - started)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(n, phone) for n, phone in world.applicants))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu  # the driver's share included: the same in both runs
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "updates": len(latencies),
        "seconds": elapsed,
        "updates_per_s": len(latencies) / elapsed,
        "cpu_ms": cpu * 1000 / len(latencies),
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
    }


async def measure(
    name: str,
    build_app: Callable[[TimedFakeAPI], Awaitable[tuple[web.Application, str, Any]]],
    world: BenchWorld,
    *,
    profile: Path | None = None,
) -> Result:
    api = TimedFakeAPI(token=TOKEN)
    await api.start()
    app, secret, closing = await build_app(api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhooks/telegram"
    profiler = cProfile.Profile() if profile else None
    try:
        if profiler:
            profiler.enable()
        result = await drive(api, url, secret, world, concurrency=len(world.applicants))
        if profiler:
            profiler.disable()
    finally:
        await runner.cleanup()
        await closing()
        await api.close()
    if profiler and profile:
        profiler.dump_stats(profile)
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(r"/work/main/(bot|flows|storage|admin_web|config)/", 30)
    print(
        f"{name:>8}: {result['updates']:.0f} updates in {result['seconds']:.1f} s = "
        f"{result['updates_per_s']:.0f} updates/s; latency p50 {result['p50_ms']:.0f} ms, "
        f"p95 {result['p95_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms; "
        f"CPU {result['cpu_ms']:.1f} ms/update",
        flush=True,
    )
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--profile", type=Path, help="profile our run into this file")
    parser.add_argument("--only", choices=("ours", "baseline"))
    parser.add_argument("--count-sql", action="store_true", help="print our SQL per update")
    args = parser.parse_args()
    database_url = os.environ.get(
        "DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1/postgres"
    )
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    async with BenchWorld.create(database_url, redis_url, prefix, args.applicants) as world:
        print(f"{args.applicants} applicants × 14 updates, webhook, PostgreSQL + Redis", flush=True)
        if args.count_sql:
            world.statements = Counter()
        results = {}
        if args.only != "ours":
            results["baseline"] = await measure("baseline", echo_app(world), world)
        if args.only != "baseline":
            results["ours"] = await measure("ours", ours_app(world), world, profile=args.profile)
    if args.count_sql and "ours" in results:
        per_update = results["ours"]["updates"]
        total = sum(world.statements.values())
        print(f"SQL statements per update: {total / per_update:.1f}")
        for statement, count in world.statements.most_common(12):
            print(f"  {count / per_update:5.2f}  {statement}")
    if len(results) == 2:
        ours, base = results["ours"], results["baseline"]
        print(
            f"ours/baseline: throughput {ours['updates_per_s'] / base['updates_per_s']:.2f}, "
            f"p50 latency {ours['p50_ms'] / base['p50_ms']:.1f}×, "
            f"p99 latency {ours['p99_ms'] / base['p99_ms']:.1f}×, "
            f"CPU per update {ours['cpu_ms'] / base['cpu_ms']:.1f}×"
        )


if __name__ == "__main__":
    asyncio.run(main())
