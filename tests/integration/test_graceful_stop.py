"""SIGTERM of a worker: it stops claiming at once, finishes what it holds (or, past its grace period, hands it back),
writes every outcome before it exits, and spends no attempt; nothing runs twice."""

from __future__ import annotations

import asyncio

import pytest
from harness import consistency_problems, eventually, executions_by_call, fetch, fetchval
from it_leases import Napper


async def running_count(url: str) -> int:
    return await fetchval(url, "SELECT count(*) FROM waymark.actions WHERE status = 'running'")


@pytest.mark.slow
async def test_sigterm_finishes_held_calls_claims_nothing_more_and_loses_no_outcome(make_cluster, client) -> None:
    # a long polling interval: a stopping worker must not sit out a poll before it exits
    cluster = make_cluster(
        ["it_leases"],
        env={"WAYMARK_WORKER_CONCURRENCY": "4", "WAYMARK_POLL_SECONDS": "300", "WAYMARK_LEASE_SECONDS": "2"},
    )
    cluster.start_all(workers=1)
    handles = await asyncio.gather(*(Napper.start(index=i, seconds=2.0) for i in range(10)))
    await eventually(lambda: running_count(client), timeout=60, what="the worker to hold calls")
    stopping = cluster.procs["workers-0"]
    signalled = await fetchval(client, "SELECT clock_timestamp()")
    assert stopping.terminate(timeout=60) == 0, stopping.tail()  # finishes what it holds, then exits 0

    rows = await fetch(client, "SELECT status, worker_id, started_at FROM waymark.actions")
    held = [r for r in rows if r["worker_id"]]
    assert held
    assert {r["status"] for r in held} == {"succeeded"}, "an outcome was lost on the way out"
    assert all(r["started_at"] <= signalled for r in held), "claimed after SIGTERM"
    assert {r["status"] for r in rows if not r["worker_id"]} == {"queued"}

    cluster.start("workers", "workers-1")
    results = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 90)
    assert [index for index, _ in results] == list(range(10))
    rows = await fetch(client, "SELECT attempt, redeliveries FROM waymark.actions")
    assert all((r["attempt"], r["redeliveries"]) == (1, 0) for r in rows)
    starts = executions_by_call(cluster.executions())
    assert len(starts) == 10 and all(len(runs) == 1 for runs in starts.values()), "a call ran twice"
    assert await fetchval(client, "SELECT count(*) FROM waymark.late_outcomes") == 0
    assert not await consistency_problems(client)
    # an idle worker (waiting for work, with a 300 s poll) stops at once too
    idle = cluster.procs["workers-1"]
    assert idle.terminate(timeout=60) == 0, idle.tail()


@pytest.mark.slow
async def test_sigterm_hands_back_what_outlasts_the_grace_period(make_cluster, client) -> None:
    cluster = make_cluster(["it_leases"], env={"WAYMARK_SHUTDOWN_GRACE_SECONDS": "1", "WAYMARK_LEASE_SECONDS": "30"})
    cluster.start_all(workers=1)
    handles = await asyncio.gather(*(Napper.start(index=i, seconds=600.0 if i < 3 else 3.0) for i in range(6)))

    async def all_running() -> bool:
        return await running_count(client) == 6

    await eventually(all_running, timeout=60, what="6 calls running")
    stopping = cluster.procs["workers-0"]
    assert stopping.terminate(timeout=60) == 0, stopping.tail()
    # handed back at once (the 30 s lease did not have to expire): queued again, no attempt spent
    rows = await fetch(client, "SELECT status, attempt, redeliveries, args::text FROM waymark.actions ORDER BY call_id")
    assert [r["status"] for r in rows] == ["queued"] * 6
    assert all((r["attempt"], r["redeliveries"]) == (1, 0) for r in rows)

    # a new worker runs them: the short ones finish, the long ones are simply running again
    cluster.start("workers", "workers-1")
    fast = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles[3:])), 90)
    assert [index for index, _ in fast] == [3, 4, 5]
    starts = executions_by_call(cluster.executions())
    assert sorted(len(runs) for runs in starts.values()) == [2] * 6  # started, handed back, started again
    assert {e.attempt for runs in starts.values() for e in runs} == {1}
