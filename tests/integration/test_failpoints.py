"""Crashes at exact points (waymark_store.failpoints): mid-advance and mid-action, then recovery.

- A scheduler killed between the VM call and COMMIT leaves nothing behind: the runs resume from their previous
  committed snapshot, with the same events, and no action is scheduled twice.
- A worker killed after an attempt but before its outcome is written: the call is redelivered (at-least-once)
  without spending an attempt. Killed right after the outcome committed: that step never runs again.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from harness import (
    Cluster,
    at_least_once_problems,
    consistency_problems,
    executions_by_call,
    fetch,
    fetchval,
    wait_until,
)
from it_chain import Chain, expected_chain

RUNS, STEPS = 12, 3


def died_at(cluster: Cluster, name: str, point: str) -> None:
    """Wait until process `name` killed itself at `point` (SIGKILL, as with kill -9)."""
    proc = cluster.procs[name]
    wait_until(
        lambda: not proc.alive(), timeout=120, what=f"{name} to reach failpoint {point}", describe=lambda: proc.tail(5)
    )
    assert proc.returncode == -9, f"{name} exited with {proc.returncode}, not by its failpoint:\n{proc.tail()}"
    assert f"failpoint {point} reached" in proc.text()


async def start_chains(prefix: str, steps: int = STEPS) -> list:
    return await asyncio.gather(
        *(Chain.start(seed=i, steps=steps, pause=0.3, work=0.2, workflow_id=f"{prefix}-{i}") for i in range(RUNS))
    )


@pytest.mark.slow
async def test_scheduler_killed_mid_advance_resumes_from_the_committed_snapshot(make_cluster, client) -> None:
    cluster = make_cluster(["it_chain"], env={"WAYMARK_LEASE_SECONDS": "3"})
    cluster.start_compiler()
    cluster.start("timer")
    cluster.start("workers")
    cluster.wait_registered()
    handles = await start_chains("advance")

    # Three scheduler lives, each killed at another point of the advance transaction, then one that survives.
    for point in ("scheduler.after_claim:2", "scheduler.after_vm:2", "scheduler.before_commit:2"):
        name = point.split(":")[0]
        before = await fetch(client, "SELECT run_id, status, snapshot FROM waymark.runs ORDER BY run_id")
        cluster.start("scheduler", env={"WAYMARK_FAILPOINT": point})
        died_at(cluster, "scheduler", name)
        # the advance that died left no trace: every run is exactly as some committed advance left it, and the
        # events it had read are still unconsumed
        unconsumed = await fetchval(client, "SELECT count(*) FROM waymark.events WHERE consumed_at IS NULL")
        assert unconsumed > 0, f"{name}: the crashed advance consumed its events"
        assert len(before) == RUNS
    cluster.start("scheduler")
    results = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 120)
    assert results == [expected_chain(i, STEPS) for i in range(RUNS)]

    # no action was scheduled twice: one row per (run, seq), each step one call, executed once (no worker died)
    rows = await fetch(client, "SELECT run_id::text, seq, attempt, redeliveries FROM waymark.actions")
    assert len(rows) == RUNS * STEPS
    assert all(r["attempt"] == 1 and r["redeliveries"] == 0 for r in rows)
    starts = executions_by_call(cluster.executions())
    assert len(starts) == RUNS * STEPS
    assert all(len(runs) == 1 for runs in starts.values()), "a step executed twice"
    per_run = Counter(run_id for run_id, _ in starts)
    assert set(per_run.values()) == {STEPS}
    problems, _ = await at_least_once_problems(client, cluster.executions())
    assert not problems, problems
    assert not await consistency_problems(client)


@pytest.mark.slow
async def test_worker_killed_before_or_after_writing_outcomes(make_cluster, client) -> None:
    cluster = make_cluster(["it_chain"], env={"WAYMARK_LEASE_SECONDS": "2"})
    cluster.start_compiler()
    cluster.start("scheduler")
    cluster.start("timer")
    lives, handles = {}, []
    for point in ("worker.before_record:2", "worker.after_record:1", "worker.after_claim:1"):
        name = point.split(":")[0]
        proc = cluster.start("workers", env={"WAYMARK_FAILPOINT": point})
        if not handles:
            cluster.wait_registered()
            handles = await start_chains("worker", steps=4)
        died_at(cluster, "workers", name)
        lives[name] = proc.pid
    cluster.start("workers")
    results = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 120)
    assert results == [expected_chain(i, 4) for i in range(RUNS)]

    records = cluster.executions()
    problems, figures = await at_least_once_problems(client, records)
    assert not problems, problems
    rows = await fetch(
        client, "SELECT run_id::text, seq, attempt, redeliveries, worker_id FROM waymark.actions ORDER BY call_id"
    )
    assert all(r["attempt"] == 1 for r in rows), "a redelivery spent an attempt"
    starts = executions_by_call(records)
    # before_record: what that worker executed was lost with it, so it ran again elsewhere (at-least-once)
    lost = [key for key, runs in starts.items() if any(e.pid == lives["worker.before_record"] for e in runs)]
    assert lost
    redone = [key for key in lost if len(starts[key]) >= 2]
    assert redone, "nothing the killed worker executed ran again"
    # after_record: what that worker committed never ran again
    marker = f":{lives['worker.after_record']}:"  # worker ids are host:pid:random
    committed = {(r["run_id"], r["seq"]) for r in rows if r["worker_id"] and marker in r["worker_id"]}
    assert committed, "the worker killed after writing committed nothing"
    for key in committed:  # its last start was that worker's (an earlier one may have been lost with life 1)
        assert starts[key][-1].pid == lives["worker.after_record"], f"committed step {key} ran again"
    print(f"\nexecutions: {figures}")
    assert not await consistency_problems(client)
