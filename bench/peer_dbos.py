"""The DBOS Transact half of every scenario, run in its own process (`python -m bench.peer_dbos SCENARIO ...`) so that
its global state and threads never share a process with Waymark's client. Prints one JSON line prefixed `RESULT `.

Completion is measured from DBOS's own table (`dbos.workflow_status`), not from handles (PEERS.md: handles poll once a
second); the polls this process makes are subtracted from the commit count.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import psutil
from dbos import DBOS, Queue

from bench import harness

STEP_TIMES: list[float] = []
STARTED: dict[str, float] = {}
LATENESS: list[float] = []
SLEEPING = 0


@DBOS.step()
async def noop(i: int) -> int:
    return i


@DBOS.step()
async def timed_noop(i: int) -> int:
    STEP_TIMES.append(time.perf_counter())
    return i


@DBOS.workflow()
async def ten_steps(steps: int) -> int:
    total = 0
    for i in range(steps):
        total += await noop(i)
    return total


@DBOS.workflow()
async def one_step() -> int:
    return await noop(1)


@DBOS.workflow()
async def queued_one_step(tag: str) -> int:
    STARTED[tag] = time.perf_counter()
    return await noop(1)


@DBOS.workflow()
async def long_loop(steps: int) -> int:
    total = 0
    for i in range(steps):
        total += await timed_noop(i)
    return total


@DBOS.workflow()
async def sleeper(seconds: float) -> int:
    global SLEEPING
    due = time.time() + seconds
    SLEEPING += 1
    await DBOS.sleep_async(seconds)
    SLEEPING -= 1
    LATENESS.append(time.time() - due)
    return 1


def launch(url: str) -> None:
    logging.getLogger("dbos").setLevel(logging.WARNING)
    DBOS(config={"name": "waymark-bench", "system_database_url": url, "log_level": "WARNING"})
    DBOS.launch()


async def _gather_limited(factories: list[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(factory: Callable[[], Awaitable[Any]]) -> Any:
        async with semaphore:
            return await factory()

    return await asyncio.gather(*(one(f) for f in factories))


async def _wait_success(conn: asyncpg.Connection, ids: list[str], timeout: float) -> int:
    """Poll dbos.workflow_status until every id succeeded; returns the number of polls (each one a commit)."""
    polls = 0
    deadline = time.monotonic() + timeout
    while True:
        polls += 1
        done = await conn.fetchval(
            "SELECT count(*) FROM dbos.workflow_status WHERE workflow_uuid = ANY($1::text[]) AND status = 'SUCCESS'",
            ids,
        )
        if done == len(ids):
            return polls
        if time.monotonic() > deadline:
            raise TimeoutError(f"DBOS: {len(ids) - done} of {len(ids)} workflows did not finish in {timeout}s")
        await asyncio.sleep(0.02)


async def throughput(admin: str, url: str, workflows: int, steps: int) -> dict[str, Any]:
    launch(url)
    conn = await asyncpg.connect(url)
    await asyncio.sleep(harness.STATS_SETTLE_SECONDS)
    commits0 = await harness.commits(admin, url)
    meter = harness.CpuMeter({}, admin, url)  # this process (DBOS runs in it) and the database's backends
    await meter.start()
    t0 = time.perf_counter()
    handles = await _gather_limited([lambda: DBOS.start_workflow_async(ten_steps, steps) for _ in range(workflows)], 32)
    started = time.perf_counter() - t0
    polls = await _wait_success(conn, [h.get_workflow_id() for h in handles], 600)
    elapsed = time.perf_counter() - t0
    cpu = await meter.stop()
    await conn.close()
    DBOS.destroy()  # its connections close, so their counts reach pg_stat_database now
    await asyncio.sleep(0.5)
    commits1 = await harness.commits(admin, url)
    total = workflows * steps
    return {
        "steps_per_s": total / elapsed,
        "elapsed_s": elapsed,
        "start_s": started,
        "commits_per_action": (commits1 - commits0 - polls) / total,
        "commits": commits1 - commits0 - polls,
        "cpu_s": {k: round(v, 2) for k, v in cpu["cpu"].items()},
        "cpu_us_per_step": 1e6 * sum(cpu["cpu"].values()) / total,
    }


async def latency(admin: str, url: str, count: int, rate: float) -> dict[str, Any]:
    del admin
    launch(url)
    queue: Queue = await DBOS.register_queue_async("bench", polling_interval_sec=0.1)
    await asyncio.sleep(0.5)
    # enqueue -> start, through a queue polled every 0.1 s (PEERS.md)
    enqueued: dict[str, float] = {}
    handles = []
    t0 = time.perf_counter()
    for i in range(count):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tag = f"q{i}"
        enqueued[tag] = time.perf_counter()
        handles.append(await queue.enqueue_async(queued_one_step, tag))
    await asyncio.gather(*(handle.get_result() for handle in handles))
    pickup = [(STARTED[t] - enqueued[t]) * 1000 for t in enqueued if t in STARTED]
    # start -> result of a one-step workflow, in process (DBOS runs the workflow in the caller's process)
    results: list[float] = []

    async def one() -> None:
        t = time.perf_counter()
        handle = await DBOS.start_workflow_async(one_step)
        assert await handle.get_result() == 1
        results.append((time.perf_counter() - t) * 1000)

    tasks = []
    t0 = time.perf_counter()
    for i in range(count):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    return {
        "pickup_p50_ms": harness.percentile(pickup, 50),
        "pickup_p99_ms": harness.percentile(pickup, 99),
        "result_p50_ms": harness.percentile(results, 50),
        "result_p99_ms": harness.percentile(results, 99),
        "samples": len(results),
    }


async def resume(admin: str, url: str, steps: int) -> dict[str, Any]:
    del admin
    launch(url)
    handle = await DBOS.start_workflow_async(long_loop, steps)
    await handle.get_result()
    step = [(b - a) * 1000 for a, b in itertools.pairwise(STEP_TIMES)]
    early = step[1:41]  # 40 steps from step 2 (the first is a warm-up): around step 10, wide enough for noise
    late = step[len(step) - 40 :]  # the last 40 steps
    return {
        "step10_ms": harness.median(early),
        "step_last_ms": harness.median(late),
        "ratio": harness.median(late) / harness.median(early),
        "ratio_fastest": min(late) / min(early),  # the fastest step of each window: blind to bursts of machine load
        "step_p50_ms": harness.percentile(step, 50),
        "steps": steps,
    }


async def sleepers(admin: str, url: str, count: int, seconds: float) -> dict[str, Any]:
    del admin
    launch(url)
    me = psutil.Process(os.getpid())
    samples: list[tuple[int, float]] = []

    async def sample() -> None:
        while True:
            samples.append((SLEEPING, me.memory_info().rss / 2**20))
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample())
    await asyncio.sleep(0.6)
    t0 = time.perf_counter()
    handles = await _gather_limited([lambda: DBOS.start_workflow_async(sleeper, seconds) for _ in range(count)], 32)
    started = time.perf_counter() - t0
    conn = await asyncpg.connect(url)
    await _wait_success(conn, [h.get_workflow_id() for h in handles], seconds + 600)
    await conn.close()
    sampler.cancel()
    peak = max(samples, key=lambda s: s[0])
    late = [x * 1000 for x in LATENESS]
    return {
        "late_p50_ms": harness.percentile(late, 50),
        "late_p99_ms": harness.percentile(late, 99),
        "late_max_ms": max(late),
        "peak_sleeping": peak[0],
        "start_s": started,
        "rss_base_mb": {"dbos": round(samples[0][1], 1)},
        "rss_peak_mb": {"dbos": round(peak[1], 1)},
        "rss_growth_mb": {"dbos": round(peak[1] - samples[0][1], 1)},
        "rss_series": rss_series(samples, count),
    }


def rss_series(samples: list[tuple[int, float]], count: int) -> list[tuple[int, float]]:
    """(sleeping workflows, RSS in MB) at the first sample past each tenth of `count`, while it grows."""
    series: list[tuple[int, float]] = []
    for tenth in range(11):
        for sleeping, rss in samples:
            if sleeping >= count * tenth / 10:
                point = (sleeping, round(rss, 1))
                if point not in series:
                    series.append(point)
                break
    return series


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peer_dbos")
    parser.add_argument("scenario", choices=["throughput", "latency", "resume", "sleepers"])
    parser.add_argument("--admin", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--params", default="{}", help="JSON keyword arguments of the scenario")
    args = parser.parse_args()
    scenario = globals()[args.scenario]

    async def run() -> dict[str, Any]:
        try:
            result: dict[str, Any] = await scenario(args.admin, args.url, **json.loads(args.params))
            return result
        finally:
            DBOS.destroy()

    result = asyncio.run(run())
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
