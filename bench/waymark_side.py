"""The Waymark half of every scenario: services as separate processes on a fresh database, driven by the public
client (`Workflow.start`, `handle.result`), measured from Postgres (its clock, its tables, `pg_stat_database`)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from waymark import _client

from bench import harness
from bench.flows import LongLoop, OneStep, Sleeper, TenSteps

Figures = dict[str, Any]


class DoneWatcher:
    """Counts runs reaching a terminal state from `NOTIFY waymark_done` (no polling, so it costs no commits)."""

    def __init__(self) -> None:
        self.done: set[str] = set()
        self.changed = asyncio.Event()
        self.hints = 0
        self._conn: asyncpg.Connection | None = None

    async def start(self, url: str) -> None:
        self._conn = await asyncpg.connect(url)
        await self._conn.add_listener("waymark_done", self._on)

    def _on(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        text = str(payload)
        if text:
            self.done.update(p for p in text.split(",") if p)
        else:
            self.hints += 1
        self.changed.set()

    async def wait_for(self, ids: set[str], url: str, timeout: float) -> None:
        """Until every id is done; an empty payload (a cut notification) triggers one query."""
        deadline = time.monotonic() + timeout
        while not ids <= self.done:
            if self.hints:
                self.hints = 0
                conn = await asyncpg.connect(url)
                try:
                    rows = await conn.fetch(
                        "SELECT run_id::text FROM waymark.runs"
                        " WHERE run_id = ANY($1::uuid[]) AND finished_at IS NOT NULL",
                        list(ids - self.done),
                    )
                finally:
                    await conn.close()
                self.done.update(r[0] for r in rows)
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(ids - self.done)} of {len(ids)} runs did not finish within {timeout}s")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 5.0))

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()


async def _gather_limited(factories: list[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(factory: Callable[[], Awaitable[Any]]) -> Any:
        async with semaphore:
            return await factory()

    return await asyncio.gather(*(one(f) for f in factories))


@contextlib.asynccontextmanager
async def _cluster(url: str, workers: int, env: dict[str, str] | None = None) -> Any:
    os.environ["WAYMARK_DATABASE_URL"] = url
    async with harness.Cluster(url, workers=workers, env=env or {}) as cluster:
        try:
            # warm-up: every process has connected, compiled, loaded the program and prepared its statements
            handles = [await OneStep.start() for _ in range(8 * workers)]
            for handle in handles:
                await handle.result(timeout=60)
            yield cluster
        finally:
            await _client.close()


async def throughput(admin: str, url: str, *, workflows: int, steps: int, workers: int) -> Figures:
    async with _cluster(url, workers) as cluster:
        watcher = DoneWatcher()
        await watcher.start(url)
        meter = harness.CpuMeter(cluster.service_pids(), admin, url)
        await asyncio.sleep(harness.STATS_SETTLE_SECONDS)
        commits0 = await harness.commits(admin, url)
        await meter.start()
        t0 = time.perf_counter()
        handles = await _gather_limited([lambda: TenSteps.start(steps=steps) for _ in range(workflows)], 32)
        t_started = time.perf_counter()
        await watcher.wait_for({str(h.run_id) for h in handles}, url, timeout=600)
        elapsed = time.perf_counter() - t0
        cpu = await meter.stop()
        await watcher.close()
        await _client.close()
        cluster.check_alive()
        await cluster.stop()  # every backend exits, so its counts reach pg_stat_database now
        await asyncio.sleep(0.5)
        commits1 = await harness.commits(admin, url)
        conn = await asyncpg.connect(url)
        try:
            completed = await conn.fetchval(
                "SELECT count(*) FROM waymark.runs WHERE run_id = ANY($1::uuid[]) AND status = 'completed'"
                " AND result::text = $2",
                [h.run_id for h in handles],
                str(sum(range(steps))),
            )
            actions = await conn.fetchval(
                "SELECT count(*) FROM waymark.actions WHERE run_id = ANY($1::uuid[]) AND status = 'succeeded'",
                [h.run_id for h in handles],
            )
        finally:
            await conn.close()
        if completed != workflows or actions != workflows * steps:
            raise RuntimeError(f"throughput: {completed}/{workflows} runs completed, {actions} actions succeeded")
    total = workflows * steps
    return {
        "steps_per_s": total / elapsed,
        "elapsed_s": elapsed,
        "start_s": t_started - t0,
        "commits_per_action": (commits1 - commits0) / total,
        "commits": commits1 - commits0,
        "cpu_s": {k: round(v, 2) for k, v in cpu["cpu"].items()},
        "cpu_us_per_step": 1e6 * sum(cpu["cpu"].values()) / total,
    }


async def latency(admin: str, url: str, *, count: int, rate: float, workers: int) -> Figures:
    """Light load: one-action workflows started at `rate` per second (open loop), each awaited by its own task."""
    del admin
    async with _cluster(url, workers):
        results: list[float] = []
        run_ids: list[uuid.UUID] = []

        async def one() -> None:
            t = time.perf_counter()
            handle = await OneStep.start()
            run_ids.append(handle.run_id)
            assert await handle.result(timeout=60) == 1
            results.append(time.perf_counter() - t)

        tasks = []
        t0 = time.perf_counter()
        for i in range(count):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                """
                SELECT EXTRACT(EPOCH FROM a.started_at - a.created_at)::float8 AS pickup,
                       EXTRACT(EPOCH FROM a.finished_at - a.started_at)::float8 AS execute,
                       EXTRACT(EPOCH FROM r.finished_at - r.created_at)::float8 AS run
                FROM waymark.actions a JOIN waymark.runs r USING (run_id)
                WHERE a.run_id = ANY($1::uuid[])
                """,
                run_ids,
            )
        finally:
            await conn.close()
    pickup = [r["pickup"] * 1000 for r in rows]
    run = [r["run"] * 1000 for r in rows]
    client = [x * 1000 for x in results]
    return {
        "pickup_p50_ms": harness.percentile(pickup, 50),
        "pickup_p99_ms": harness.percentile(pickup, 99),
        "result_p50_ms": harness.percentile(client, 50),
        "result_p99_ms": harness.percentile(client, 99),
        "run_db_p50_ms": harness.percentile(run, 50),
        "samples": len(client),
    }


async def resume(admin: str, url: str, *, steps: int, workers: int) -> Figures:
    """One run of `steps` sequential actions: the time of each step, early versus late."""
    del admin
    async with _cluster(url, workers):
        conn = await asyncpg.connect(url)
        try:
            handle = await LongLoop.start(steps=steps)
            sizes: dict[int, int] = {}

            async def sample_snapshots() -> None:
                while True:
                    row = await conn.fetchrow(
                        "SELECT (SELECT count(*) FROM waymark.actions WHERE run_id = $1) AS n,"
                        " octet_length(snapshot) AS size FROM waymark.runs WHERE run_id = $1",
                        handle.run_id,
                    )
                    if row is not None and row["size"] is not None:
                        sizes[int(row["n"])] = int(row["size"])
                    await asyncio.sleep(0.2)

            sampler = asyncio.create_task(sample_snapshots())
            try:
                await handle.result(timeout=3600)
            finally:
                sampler.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sampler
            rows = await conn.fetch(
                "SELECT seq, EXTRACT(EPOCH FROM created_at)::float8 AS t FROM waymark.actions"
                " WHERE run_id = $1 ORDER BY seq",
                handle.run_id,
            )
        finally:
            await conn.close()
    times = [r["t"] for r in rows]
    step = [(b - a) * 1000 for a, b in itertools.pairwise(times)]  # step i: action i done -> action i+1
    early = step[1:41]  # 40 steps from step 2 (the first is a warm-up): around step 10, wide enough for noise
    late = step[len(step) - 40 :]  # the last 40 steps
    first_size = sizes[min(sizes)] if sizes else None
    last_size = sizes[max(sizes)] if sizes else None
    return {
        "step10_ms": harness.median(early),
        "step_last_ms": harness.median(late),
        "ratio": harness.median(late) / harness.median(early),
        "ratio_fastest": min(late) / min(early),  # the fastest step of each window: blind to bursts of machine load
        "step_p50_ms": harness.percentile(step, 50),
        "snapshot_bytes_early": first_size,
        "snapshot_bytes_late": last_size,
        "steps": steps,
    }


async def sleepers(admin: str, url: str, *, count: int, seconds: float, workers: int) -> Figures:
    """`count` runs sleeping at once: wake-up lateness, and every process's RSS as the number of sleepers grows."""
    del admin
    async with _cluster(url, workers) as cluster:
        pids = cluster.service_pids()
        conn = await asyncpg.connect(url)
        samples: list[tuple[int, dict[str, float]]] = []

        async def sample() -> None:
            while True:
                sleeping = await conn.fetchval("SELECT count(*) FROM waymark.timers WHERE fired_at IS NULL")
                samples.append((int(sleeping), {name: harness.rss_mb(pid) for name, pid in pids.items()}))
                await asyncio.sleep(0.25)

        watcher = DoneWatcher()
        await watcher.start(url)
        sampler = asyncio.create_task(sample())
        try:
            await asyncio.sleep(0.6)
            t0 = time.perf_counter()
            handles = await _gather_limited([lambda: Sleeper.start(seconds=seconds) for _ in range(count)], 32)
            started_s = time.perf_counter() - t0
            await watcher.wait_for({str(h.run_id) for h in handles}, url, timeout=seconds + 600)
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
            await watcher.close()
        rows = await conn.fetch(
            """
            SELECT EXTRACT(EPOCH FROM r.finished_at - t.due_at)::float8 AS late,
                   EXTRACT(EPOCH FROM t.fired_at - t.due_at)::float8 AS fired_late
            FROM waymark.timers t JOIN waymark.runs r USING (run_id)
            WHERE t.kind = 'sleep' AND r.status = 'completed'
            """
        )
        await conn.close()
        cluster.check_alive()
    if len(rows) != count:
        raise RuntimeError(f"sleepers: {len(rows)} of {count} runs completed")
    late = [r["late"] * 1000 for r in rows]
    fired = [r["fired_late"] * 1000 for r in rows]
    peak = max(samples, key=lambda s: s[0])
    base = samples[0]
    return {
        "late_p50_ms": harness.percentile(late, 50),
        "late_p99_ms": harness.percentile(late, 99),
        "late_max_ms": max(late),
        "fired_p99_ms": harness.percentile(fired, 99),
        "peak_sleeping": peak[0],
        "start_s": started_s,
        "rss_base_mb": {k: round(v, 1) for k, v in base[1].items()},
        "rss_peak_mb": {k: round(v, 1) for k, v in peak[1].items()},
        "rss_growth_mb": {k: round(peak[1][k] - base[1][k], 1) for k in base[1]},
        "rss_series": rss_series(samples, count),
    }


def rss_series(samples: list[tuple[int, dict[str, float]]], count: int) -> list[tuple[int, float]]:
    """(sleeping runs, RSS of all processes in MB) at the first sample past each tenth of `count`, while it grows."""
    series: list[tuple[int, float]] = []
    for tenth in range(11):
        for sleeping, rss in samples:
            if sleeping >= count * tenth / 10:
                point = (sleeping, round(sum(rss.values()), 1))
                if point not in series:
                    series.append(point)
                break
    return series
