"""Guarantee 1 under chaos: scheduler (two replicas), timer, worker and compiler processes are killed (-9) at
random for ~30 s while 160 runs of mixed workflows (actions, sleeps, retries, failures, gathers) progress; afterwards
every run is in exactly the terminal state its input implies, and the tables are consistent (DESIGN §4.1-4.3)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from harness import at_least_once_problems, consistency_problems, eventually, fetch, fetchval, timed
from it_chain import Chain, expected_chain
from it_mixed import MixCatch, MixFail, MixGather, MixRetry
from it_timers import Sleeper

# two scheduler replicas and two worker processes; the compiler only matters to workers that (re)start
VICTIMS = ["scheduler", "scheduler-2", "timer", "workers-0", "workers-1", "compiler"]
WEIGHTS = [3, 3, 3, 3, 3, 1]


def wave(index: int) -> list[tuple[Any, dict[str, Any], Any]]:
    """Forty runs: (workflow, input, expected outcome). An exception instance means "fails with this"."""
    base = index * 1000
    runs: list[tuple[Any, dict[str, Any], Any]] = []
    for i in range(10):
        runs.append((Chain, {"seed": base + i, "steps": 5, "pause": 1.0, "work": 0.6}, expected_chain(base + i)))
    for i in range(6):
        fails = i % 4  # 0..3 failures, within the 4 attempts
        runs.append((MixRetry, {"key": base + i, "fails": fails}, f"{base + i} ok after {fails + 1}"))
    for i in range(6):
        runs.append((MixFail, {"key": base + i}, ValueError(f"broken {base + i}")))
    for i in range(6):
        runs.append((MixCatch, {"key": base + i}, f"caught broken {base + i}"))
    for i in range(6):
        n = 3 + i % 4
        runs.append((MixGather, {"n": n}, sum(x * x for x in range(n))))
    for _ in range(6):
        runs.append((Sleeper, {"naps": 3, "seconds": 0.7}, 3))
    return runs


async def running_actions(url: str) -> int:
    return await fetchval(url, "SELECT count(*) FROM waymark.actions WHERE status = 'running'")


async def outcome(handle: Any) -> Any:
    try:
        return await handle.result(timeout=240)
    except Exception as exc:
        return exc


@pytest.mark.slow
async def test_random_kills_every_run_reaches_its_one_terminal_state(make_cluster, client) -> None:
    rng = random.Random(20261126)
    cluster = make_cluster(["it_chain", "it_mixed", "it_timers"], env={"WAYMARK_LEASE_SECONDS": "2"})
    cluster.start_all(workers=2)
    cluster.start("scheduler", "scheduler-2")
    expected: list[Any] = []
    waiting: list[asyncio.Task[Any]] = []
    kills = 0

    async def start_wave(index: int) -> None:
        for workflow, kwargs, want in wave(index):
            handle = await workflow.start(**kwargs)
            expected.append(want)
            waiting.append(asyncio.create_task(outcome(handle)))

    with timed() as elapsed:
        for index in range(3):  # a wave every ~10 s, so that runs start, sleep and finish all through the chaos
            await start_wave(index)
            until = elapsed() + 10
            while elapsed() < until:
                await asyncio.sleep(rng.uniform(0.5, 2.5))
                victims = set(rng.choices(VICTIMS, WEIGHTS, k=rng.choice([1, 1, 1, 2])))
                cluster.kill(*victims)
                kills += len(victims)
                if rng.random() < 0.3:
                    await asyncio.sleep(rng.uniform(0.5, 2.0))  # an outage, not only a restart
                for victim in victims:
                    cluster.restart(victim)
        # and a last blow: every service but the compiler at once, with a fresh wave in flight
        await start_wave(3)
        await eventually(lambda: running_actions(client), timeout=60, what="actions of the last wave to run")
        everything = [v for v in VICTIMS if v != "compiler"]
        cluster.kill(*everything)
        kills += len(everything)
        for victim in everything:
            cluster.restart(victim)
        chaos = elapsed()
        pending = sum(not task.done() for task in waiting)
        results = await asyncio.wait_for(asyncio.gather(*waiting), 240)
        recovery = elapsed() - chaos
    print(
        f"\n{len(expected)} runs, {kills} kills in {chaos:.0f}s of chaos; {pending} runs still going at the end, "
        f"all done {recovery:.1f}s later"
    )

    wrong = []
    for index, (got, want) in enumerate(zip(results, expected, strict=True)):
        ok = (type(got) is type(want) and str(got) == str(want)) if isinstance(want, Exception) else got == want
        if not ok:
            wrong.append((index, want, got))
    assert not wrong, f"{len(wrong)} runs ended wrongly: {wrong[:5]}"

    statuses = await fetch(client, "SELECT status, count(*) FROM waymark.runs GROUP BY status ORDER BY status")
    assert {r["status"]: r["count"] for r in statuses} == {"completed": 34 * 4, "failed": 6 * 4}
    assert not await consistency_problems(client)
    problems, figures = await at_least_once_problems(client, cluster.executions())
    assert not problems, problems
    print(f"executions: {figures}")
    assert figures["redelivered"] > 0, "no kill landed while an action was running"
