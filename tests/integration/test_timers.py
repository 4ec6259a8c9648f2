"""The timer service under kill -9 and with two replicas: every due timer fires, and fires exactly once."""

from __future__ import annotations

import asyncio

import pytest
from harness import consistency_problems, eventually, fetch, fetchval
from it_timers import ParallelSleeper, Sleeper


async def timer_events_per_seq(url: str) -> dict[tuple[str, str], int]:
    rows = await fetch(
        url,
        "SELECT run_id::text AS run_id, payload->>'seq' AS seq, count(*) AS n FROM waymark.events "
        "WHERE kind = 'timer' GROUP BY 1, 2",
    )
    return {(r["run_id"], r["seq"]): r["n"] for r in rows}


@pytest.mark.slow
async def test_timer_killed_while_sleeps_are_pending_fires_them_all_once_after_restart(make_cluster, client) -> None:
    cluster = make_cluster(["it_timers"])
    cluster.start_all()
    handles = await asyncio.gather(*(Sleeper.start(naps=2, seconds=4.0, workflow_id=f"nap-{i}") for i in range(25)))

    # every run sleeps its first sleep: kill the timer while all 25 are pending
    async def first_sleeps_pending() -> bool:
        pending = await fetchval(client, "SELECT count(*) FROM waymark.timers WHERE fired_at IS NULL")
        return pending == 25

    await eventually(first_sleeps_pending, timeout=60, what="25 pending sleeps")
    cluster.kill("timer")

    # without a timer nothing fires, however overdue (the rows wait in Postgres, not in a process)
    async def all_overdue() -> bool:
        return await fetchval(
            client, "SELECT bool_and(due_at < clock_timestamp() - interval '1 second') FROM waymark.timers"
        )

    await eventually(all_overdue, timeout=30, what="the sleeps to be overdue")
    assert await fetchval(client, "SELECT count(*) FROM waymark.timers WHERE fired_at IS NOT NULL") == 0
    assert {await h.status() for h in handles} == {"waiting"}

    cluster.restart("timer")
    results = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 90)
    assert results == [2] * 25
    fired = await timer_events_per_seq(client)
    assert len(fired) == 50 and set(fired.values()) == {1}
    assert await fetchval(client, "SELECT count(*) FROM waymark.timers WHERE fired_at IS NULL") == 0
    assert not await consistency_problems(client)


@pytest.mark.slow
async def test_two_timer_replicas_fire_every_timer_exactly_once(make_cluster, client) -> None:
    cluster = make_cluster(["it_timers"])
    cluster.start_all()
    cluster.start("timer", "timer-2")
    sequential = [Sleeper.start(naps=4, seconds=0.3, workflow_id=f"seq-{i}") for i in range(30)]
    parallel = [ParallelSleeper.start(naps=5, seconds=0.5, workflow_id=f"par-{i}") for i in range(20)]
    handles = await asyncio.gather(*sequential, *parallel)
    results = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 120)
    assert results == [4] * 30 + [5] * 20

    fired = await timer_events_per_seq(client)
    assert len(fired) == 30 * 4 + 20 * 5
    duplicates = {key: n for key, n in fired.items() if n != 1}
    assert not duplicates, f"timers fired more than once: {duplicates}"
    assert not await consistency_problems(client)
    cluster.assert_alive()
