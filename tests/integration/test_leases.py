"""Leases end to end: a hung worker loses its call to another worker; an at-most-once call whose worker dies fails
with a catchable `waymark.ActionLost`; a call that keeps killing its worker is redelivered a bounded number of times,
then fails with `ActionLost` too (DESIGN §2.1)."""

from __future__ import annotations

import pytest
from harness import Cluster, consistency_problems, eventually, executions_by_call, fetch, fetchval
from it_leases import Blocker, Napper, OnceOnly, Poisoned


async def holder_of(url: str, action: str) -> str:
    """The worker id (host:pid:random) that holds the running call of `action`."""

    async def running() -> str | None:
        return await fetchval(
            url, "SELECT worker_id FROM waymark.actions WHERE status = 'running' AND action_name = $1", action
        )

    return await eventually(running, timeout=60, what=f"a worker to run {action}")


def worker_named(cluster: Cluster, worker_id: str) -> str:
    pid = int(worker_id.split(":")[1])
    return next(name for name, proc in cluster.procs.items() if proc.pid == pid)


@pytest.mark.slow
async def test_a_hung_worker_loses_its_call_to_another_worker(make_cluster, client) -> None:
    cluster = make_cluster(["it_leases"], env={"WAYMARK_LEASE_SECONDS": "2"})
    cluster.start_all(workers=2)
    handle = await Napper.start(index=7, seconds=8.0)  # long enough to be paused mid-nap, even on a loaded machine
    hung = worker_named(cluster, await holder_of(client, "nap_step"))
    cluster.procs[hung].pause()  # SIGSTOP: its heartbeats stop with it (the whole process is frozen)

    result = await handle.result(timeout=90)
    healthy = next(name for name in cluster.procs if name.startswith("workers") and name != hung)
    assert result == [7, cluster.procs[healthy].pid], "the result did not come from the worker that took over"
    row = (await fetch(client, "SELECT attempt, redeliveries, status FROM waymark.actions"))[0]
    assert (row["attempt"], row["redeliveries"], row["status"]) == (1, 1, "succeeded")  # no attempt spent

    # the hung worker wakes up: its heartbeat learns the lease is gone, and nothing it says is used
    cluster.procs[hung].resume()
    late = await fetchval(client, "SELECT count(*) FROM waymark.late_outcomes")
    assert late in (0, 1)  # it may still finish (then its outcome is recorded as late) or be cancelled first
    assert await handle.result(timeout=5) == result
    cluster.assert_alive()
    assert not await consistency_problems(client)


@pytest.mark.slow
async def test_at_most_once_action_whose_worker_dies_fails_with_action_lost(make_cluster, client) -> None:
    cluster = make_cluster(["it_leases"], env={"WAYMARK_LEASE_SECONDS": "2"})
    cluster.start_all(workers=1)
    handle = await OnceOnly.start(seconds=30.0)
    holder = worker_named(cluster, await holder_of(client, "once_step"))
    cluster.kill(holder)
    cluster.restart(holder)  # a live worker must NOT get the call again

    result = await handle.result(timeout=90)
    assert result.startswith("lost: action once_step"), result
    assert "at_most_once" in result
    starts = executions_by_call(cluster.executions())
    assert [len(runs) for runs in starts.values()] == [1], "an at-most-once call ran twice"
    row = (await fetch(client, "SELECT status, attempt, redeliveries FROM waymark.actions"))[0]
    assert (row["status"], row["attempt"], row["redeliveries"]) == ("failed", 1, 0)
    assert not await consistency_problems(client)


@pytest.mark.slow
async def test_redeliveries_are_bounded_then_action_lost(make_cluster, client) -> None:
    bound = 2
    cluster = make_cluster(["it_leases"], env={"WAYMARK_LEASE_SECONDS": "1", "WAYMARK_MAX_REDELIVERIES": str(bound)})
    cluster.start_all(workers=1)
    handle = await Poisoned.start()

    # the poison kills each worker that takes it: keep one worker alive until the run ends
    async def finished_while_restarting_workers() -> bool:
        if not cluster.procs["workers-0"].alive():
            cluster.restart("workers-0")
        return await handle.status() in ("completed", "failed")

    await eventually(finished_while_restarting_workers, timeout=120, what="the poisoned run to end")
    result = await handle.result(timeout=5)
    assert result.startswith("lost: action poison_step"), result
    assert f"after {bound} redeliveries" in result
    starts = executions_by_call(cluster.executions())
    assert [len(runs) for runs in starts.values()] == [bound + 1]
    assert {e.attempt for runs in starts.values() for e in runs} == {1}  # redeliveries never spend attempts
    row = (await fetch(client, "SELECT status, attempt, redeliveries FROM waymark.actions"))[0]
    assert (row["status"], row["attempt"], row["redeliveries"]) == ("failed", 1, bound)
    assert not await consistency_problems(client)


@pytest.mark.slow
async def test_an_action_blocking_the_event_loop_keeps_its_lease(make_cluster, client) -> None:
    """Heartbeats come from their own thread: an action that blocks the worker's loop for several leases is not
    redelivered (DESIGN §2)."""
    cluster = make_cluster(["it_leases"], env={"WAYMARK_LEASE_SECONDS": "1"})
    cluster.start_all(workers=2)
    assert await Blocker().run(seconds=5.0) == "unblocked"
    row = (await fetch(client, "SELECT status, attempt, redeliveries FROM waymark.actions"))[0]
    assert (row["status"], row["attempt"], row["redeliveries"]) == ("succeeded", 1, 0)
    assert [len(runs) for runs in executions_by_call(cluster.executions()).values()] == [1]
