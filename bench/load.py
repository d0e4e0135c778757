"""Our Telegram webhook against a bare aiogram echo bot: interleaved rounds, closed and open loop.

Each simulated applicant sends the updates of the whole text part of the form (from /start to
the language of testing: 14 updates) one after another, as a person does. Updates are POSTed
to `/webhooks/telegram` of the real app (`create_app`: the channel, the turn runner, the flow,
PostgreSQL in a temporary database, Redis state); the Bot API is the tests' fake on loopback.
Latency per update: from the webhook POST to the bot's first reply (send or edit) at the fake.

The baseline is a bare aiogram Dispatcher that echoes every message and button press, behind
aiogram's own webhook handler, with Redis FSM storage and Redis events isolation, driven by
the same updates. Everything runs in one process and event loop, the same for both.

The machine is shared, so the bots run interleaved in rounds (baseline, ours shipped, ours
stripped, baseline, ...), each round printing the load average when it starts; ratios are
taken within a round and their median reported.

- closed loop: `--applicants` at once, each sending its next update as soon as the last was
  answered: throughput, and CPU ms per update (the process's CPU time / updates; the driver
  and the fake are in the process, the same for both bots).
- open loop: applicants arriving at a fixed rate so that `--rate` updates/s are offered
  (20: the national peak), each thinking `--think` s on average (exponential) between an
  answer and the next update, for `--duration` s of arrivals: latency p50/p95/p99.
- configurations of ours: "shipped" is the app as `ortbot serve` builds it (the message rate
  limiter on, the pool as configured); "stripped" has no message rate limit and no pool
  pre-ping.
- wire counts (`bench/wire.py`): a separate pass of a few applicants one after another with
  the shipped configuration: SQL statements and round trips on the PostgreSQL socket
  (transaction control and pings included) and Redis round trips, per update.

Usage: .venv/bin/python bench/load.py [--rounds 3] [--applicants 100] [--rate 20]
        [--duration 15] [--think 0.5] [--modes closed,open,wire] [--profile out.prof]
        [--bots baseline,shipped,stripped]
    DATABASE_URL (default postgresql+asyncpg://postgres@127.0.0.1/postgres: a temporary
    database is created next to it and dropped), REDIS_URL (default redis://127.0.0.1:6379/0,
    keys under a prefix of their own, deleted afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import itertools
import os
import pstats
import random
import statistics
import sys
import time
import uuid
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
    import_both_apps,
    ours_app,
)
from bench.wire import Wire  # noqa: E402
from bot.collector import tune_for_serving  # noqa: E402

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
STEPS = 14
# Which of the 14 steps are typed text answers (PIN, passport, city, village, street).
TEXT_ANSWERS = (4, 6, 7, 8, 9)
Result = dict[str, float]
# Update ids are unique across the runs of one bench: every run shares one database, where
# an update id seen before is a redelivery.
_UPDATE_IDS = itertools.count(1)
App = Callable[[TimedFakeAPI], Awaitable[tuple[web.Application, str, Any]]]


class Driver:
    """Posts one applicant's updates and times the replies."""

    def __init__(
        self, api: TimedFakeAPI, url: str, secret: str, session: Any, *, form: bool
    ) -> None:
        self.api, self.url, self.secret, self.session = api, url, secret, session
        self.form = form  # ours: the last reply must be the form's next question
        self.latencies: list[float] = []

    async def step(self, number: int, phone: str, step: int) -> None:
        chat_id = 8_000_000 + number
        build = applicant_updates(number, phone)[step]
        update = build(next(_UPDATE_IDS), chat_id, self.api.last_message(chat_id))
        replied = self.api.expect_reply(chat_id)
        started = time.perf_counter()
        headers = {SECRET_HEADER: self.secret}
        async with self.session.post(self.url, json=update, headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(f"webhook answered {response.status}")
        try:
            arrived = await asyncio.wait_for(replied, timeout=30)
        except TimeoutError:
            last = self.api.last_message(chat_id)
            raise RuntimeError(f"no reply to step {step}; last: {last}") from None
        self.latencies.append(arrived - started)
        last = str(self.api.last_message(chat_id))
        if self.form and step == STEPS - 1 and "фотограф" not in last:
            # The form changed under the bench: it would be timing error replies.
            raise RuntimeError(f"the form did not reach the photos: {update}")


async def closed_loop(driver: Driver, applicants: list[tuple[int, str]]) -> None:
    async def one(number: int, phone: str) -> None:
        for step in range(STEPS):
            await driver.step(number, phone, step)

    await asyncio.gather(*(one(n, phone) for n, phone in applicants))


def open_loop(rate: float, duration: float, think: float, seed: int) -> Any:
    async def run(driver: Driver, applicants: list[tuple[int, str]]) -> None:
        chance = random.Random(seed)  # noqa: S311 - a load pattern, not a secret
        arrivals = rate / STEPS  # applicants per second offering `rate` updates per second
        count = min(len(applicants), round(arrivals * duration))

        async def one(number: int, phone: str, delay: float) -> None:
            await asyncio.sleep(delay)
            for step in range(STEPS):
                if step:
                    await asyncio.sleep(chance.expovariate(1 / think))
                await driver.step(number, phone, step)

        await asyncio.gather(
            *(one(n, phone, i / arrivals) for i, (n, phone) in enumerate(applicants[:count]))
        )

    return run


async def serve(
    build_app: App,
    body: Callable[[Driver, list[tuple[int, str]]], Awaitable[None]],
    applicants: list[tuple[int, str]],
    *,
    profile: Path | None = None,
    form: bool = True,
) -> Result:
    """Start an app on loopback, run `body` against it, return its figures."""
    api = TimedFakeAPI(token=TOKEN)
    await api.start()
    app, secret, closing = await build_app(api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhooks/telegram"
    # CPU time, not wall time: on a shared machine waiting is not what the profile is for.
    profiler = cProfile.Profile(time.process_time) if profile else None
    timeout = aiohttp.ClientTimeout(total=120)
    # No limit: each applicant holds at most one connection, posting one update at a time. (The
    # limit was the length of `applicants`, which `_fresh` leaves empty: one connection for all,
    # so the webhook saw one update at a time and the "closed loop" timed a single turn.)
    connector = aiohttp.TCPConnector(limit=0)
    try:
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            driver = Driver(api, url, secret, session, form=form)
            # Every bot starts its run with nothing left to collect from the runs before.
            gc.collect()
            if profiler:
                profiler.enable()
            started, cpu = time.perf_counter(), time.process_time()
            await body(driver, applicants)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            if profiler:
                profiler.disable()
    finally:
        await runner.cleanup()
        await closing()
        await api.close()
    if profiler and profile:
        profiler.dump_stats(profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(
            r"/(bot|flows|storage|admin_web|config|office|access)/", 30
        )
    latencies = driver.latencies
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "updates": len(latencies),
        "seconds": elapsed,
        "updates_per_s": len(latencies) / elapsed,
        "cpu_ms": cpu * 1000 / len(latencies),
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
        "api_calls": len(api.calls) / len(latencies),
    }


def show(name: str, r: Result) -> None:
    print(
        f"  {name:<16} {r['updates']:5.0f} updates {r['seconds']:5.1f} s "
        f"{r['updates_per_s']:6.1f} upd/s  p50 {r['p50_ms']:6.0f}  p95 {r['p95_ms']:6.0f}  "
        f"p99 {r['p99_ms']:6.0f} ms  CPU {r['cpu_ms']:5.1f} ms/update  "
        f"Bot API calls {r['api_calls']:4.2f}/update",
        flush=True,
    )


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


async def rounds(
    world: BenchWorld, mode: str, body: Any, applicants: list[tuple[int, str]], args: Any
) -> dict[str, list[Result]]:
    """Run the baseline and ours interleaved, `args.rounds` times; print each run."""
    bots: list[tuple[str, App]] = [
        ("baseline", echo_app(world)),
        ("ours shipped", ours_app(world)),
        ("ours stripped", ours_app(world, stripped=True)),
    ]
    if args.bots:
        chosen = args.bots.split(",")
        bots = [(name, build) for name, build in bots if name.split()[-1] in chosen]
    results: dict[str, list[Result]] = {name: [] for name, _ in bots}
    for number in range(1, args.rounds + 1):
        print(f"{mode} round {number}: {load_average()}", flush=True)
        for name, build in bots:
            profile = args.profile if name == "ours shipped" and number == 1 else None
            result = await serve(build, body, applicants, profile=profile, form=name != "baseline")
            results[name].append(result)
            show(name, result)
    return results


def summary(mode: str, results: dict[str, list[Result]]) -> None:
    if "baseline" not in results:
        return  # a subset run (profiling): no ratios
    base = results["baseline"]
    print(f"{mode}: medians over {len(base)} rounds; ratios ours/baseline per round, median")
    for name, runs in results.items():
        median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        show(name, median)
        if name == "baseline":
            continue
        throughput = statistics.median(
            o["updates_per_s"] / b["updates_per_s"] for o, b in zip(runs, base, strict=True)
        )
        cpu = statistics.median(o["cpu_ms"] / b["cpu_ms"] for o, b in zip(runs, base, strict=True))
        p99 = statistics.median(o["p99_ms"] / b["p99_ms"] for o, b in zip(runs, base, strict=True))
        print(
            f"  {name} / baseline: throughput {throughput:.2f}×, CPU per update {cpu:.2f}×, "
            f"p99 {p99:.2f}×",
            flush=True,
        )


async def wire_counts(world: BenchWorld, applicants: list[tuple[int, str]]) -> None:
    """Count what one update puts on the wire, applicants one after another (shipped)."""
    wire = Wire()
    per_step: list[list[tuple[int, int, int]]] = [[] for _ in range(STEPS)]

    async def body(driver: Driver, chosen: list[tuple[int, str]]) -> None:
        stop = wire.watch_redis()
        try:
            for index, (number, phone) in enumerate(chosen):
                for step in range(STEPS):
                    before = wire.snapshot()
                    await driver.step(number, phone, step)
                    # The webhook answers after the turn: its whole cost is in by now.
                    after = wire.snapshot()
                    if index:  # the first applicant warms the pool and the statement cache
                        cost = tuple(a - b for a, b in zip(after, before, strict=True))
                        per_step[step].append(cost)
        finally:
            stop()

    await serve(ours_app(world, wire=wire), body, applicants)
    counted = len(applicants) - 1

    def mean(steps: range | tuple[int, ...], i: int) -> float:
        values = [c[i] for s in steps for c in per_step[s]]
        return sum(values) / len(values)

    print(f"wire, per update (ours shipped; {counted} applicants one after another, after one)")
    print("  step                      SQL statements  SQL round trips  Redis round trips")
    names = (
        "start lang contact student PIN confirm passport city village street skip subject "
        "done test-lang".split()
    )
    for step in range(STEPS):
        print(
            f"  {step:2d} {names[step]:<22} {mean((step,), 0):14.1f} {mean((step,), 1):16.1f} "
            f"{mean((step,), 2):18.1f}"
        )
    print(
        f"  a text answer (PIN, passport, city, village, street): "
        f"{mean(TEXT_ANSWERS, 0):.1f} SQL statements, {mean(TEXT_ANSWERS, 1):.1f} SQL round "
        f"trips, {mean(TEXT_ANSWERS, 2):.1f} Redis round trips"
    )
    print(
        f"  any update (all 14): {mean(range(STEPS), 0):.1f} SQL statements, "
        f"{mean(range(STEPS), 1):.1f} SQL round trips, {mean(range(STEPS), 2):.1f} Redis"
    )
    total = counted * STEPS + STEPS  # the warm-up applicant's updates are in the text counts
    print("  SQL statements by text, per update (all applicants):")
    for text, count in wire.sql_texts.most_common(14):
        print(f"    {count / total:5.2f}  {text}")
    print("  Redis round trips by command, per update:")
    for text, count in wire.redis_commands.most_common(12):
        print(f"    {count / total:5.2f}  {text}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--applicants", type=int, default=100, help="closed loop, at once")
    parser.add_argument("--rate", type=float, default=20.0, help="open loop: updates/s offered")
    parser.add_argument("--duration", type=float, default=15.0, help="open loop: s of arrivals")
    parser.add_argument("--think", type=float, default=0.5, help="open loop: mean s between")
    parser.add_argument("--wire-applicants", type=int, default=6)
    parser.add_argument("--modes", default="closed,open,wire")
    parser.add_argument("--profile", type=Path, help="profile ours shipped (closed, round 1)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--bots", default="", help="a subset, e.g. 'stripped' or 'baseline,shipped' (profiling)"
    )
    args = parser.parse_args()
    modes = args.modes.split(",")
    database_url = os.environ.get(
        "DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1/postgres"
    )
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    opened = round(args.rate / STEPS * args.duration)
    # Every run registers its own applicants: a run never resumes another's chats.
    runs = args.rounds * 3
    need = runs * args.applicants * ("closed" in modes) + runs * opened * ("open" in modes)
    need += args.wire_applicants
    print(f"{os.cpu_count()} CPUs; {load_average()}", flush=True)
    async with BenchWorld.create(database_url, redis_url, prefix, need) as world:
        # The collector is process-wide: both bots run with the settings `ortbot serve` uses,
        # on a heap whose startup part (the applicants, both apps' modules) is frozen once
        # here, so neither pays for walking the other's; each run starts after a collection.
        import_both_apps()
        tune_for_serving()
        pool = iter(_chunks(world.applicants))
        if "closed" in modes:
            print(f"closed loop: {args.applicants} applicants at once × {STEPS} updates")
            results = await rounds(world, "closed", _fresh(closed_loop, pool, args.applicants),
                                   [], args)  # fmt: skip
            summary("closed", results)
        if "open" in modes:
            print(
                f"open loop: {args.rate:g} updates/s offered ({opened} applicants arriving "
                f"over {args.duration:g} s, thinking {args.think:g} s on average)"
            )
            body = open_loop(args.rate, args.duration, args.think, args.seed)
            results = await rounds(world, "open", _fresh(body, pool, opened), [], args)
            summary("open", results)
        if "wire" in modes:
            await wire_counts(world, next(pool)(args.wire_applicants))


def _chunks(applicants: list[tuple[int, str]]) -> Any:
    """Yield takers of fresh applicants: each call hands out the next `n` unused ones."""
    position = 0

    def take(n: int) -> list[tuple[int, str]]:
        nonlocal position
        chunk = applicants[position : position + n]
        position += n
        return chunk

    while True:
        yield take


def _fresh(body: Any, pool: Any, n: int) -> Any:
    take = next(pool)

    async def run(driver: Driver, _unused: list[tuple[int, str]]) -> None:
        await body(driver, take(n))

    return run


if __name__ == "__main__":
    asyncio.run(main())
