"""The core crash loop of the issue: separate service processes, kill -9 mid-flight, restart, everything finishes.

Guarantees (DESIGN §4): kill -9 of any service loses no workflow, result or timer (3); transitions are exactly-once
and actions at-least-once (2); every started workflow reaches exactly one terminal state (1).
"""

from __future__ import annotations

import asyncio

import pytest
from harness import at_least_once_problems, consistency_problems, eventually, fetchval, timed
from it_chain import Chain, expected_chain

RECOVERY_SECONDS = 90  # the bound, used as a deadline only


@pytest.mark.slow
async def test_kill_scheduler_and_workers_mid_flight_all_runs_finish(make_cluster, client) -> None:
    cluster = make_cluster(["it_chain"], env={"WAYMARK_LEASE_SECONDS": "3"})
    cluster.start_all(workers=2)
    handles = await asyncio.gather(*(Chain.start(seed=i, workflow_id=f"chain-{i}") for i in range(40)))

    # mid-flight: some steps committed, some actions executing right now, sleeps pending
    async def mid_flight() -> bool:
        done = await fetchval(client, "SELECT count(*) FROM waymark.actions WHERE status = 'succeeded'")
        running = await fetchval(client, "SELECT count(*) FROM waymark.actions WHERE status = 'running'")
        return done >= 50 and running > 0

    await eventually(mid_flight, timeout=120, what="40 runs to be mid-flight")
    cluster.kill("scheduler", "workers-0", "workers-1")
    with timed() as elapsed:
        cluster.restart("scheduler")
        cluster.restart("workers-0")
        cluster.restart("workers-1")
        results = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), RECOVERY_SECONDS)
        recovery = elapsed()
    assert results == [expected_chain(i) for i in range(40)]
    print(f"\nall 40 runs finished {recovery:.1f}s after the restart")

    problems, figures = await at_least_once_problems(client, cluster.executions())
    assert not problems, problems
    print(f"executions: {figures}")
    assert figures["interrupted"] > 0, "the kill landed between actions: nothing was interrupted mid-action"
    assert await fetchval(client, "SELECT count(*) FROM waymark.actions WHERE attempt <> 1") == 0
    assert not await consistency_problems(client)
    cluster.assert_alive()
