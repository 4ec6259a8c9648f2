"""Child workflows, signals and cancellation through the real services (separate processes, real Postgres)."""

from __future__ import annotations

import asyncio

import pytest
import waymark
from harness import eventually, fetch, fetchval
from it_links import Approval, BusyJob, CancelsChild, CatchingParent, Doubler, FanOutParent, LongJob, Rejected


@pytest.fixture
def cluster(make_cluster):
    cluster = make_cluster(["it_links"])
    cluster.start_all()
    return cluster


async def test_children_fan_out_and_report_back(cluster, client) -> None:
    assert await asyncio.wait_for(FanOutParent().run(n=5), 60) == [0, 2, 4, 6, 8]
    rows = await fetch(
        client, "SELECT workflow_name, status, parent_seq FROM waymark.runs WHERE parent_run_id IS NOT NULL"
    )
    assert len(rows) == 5
    assert {(r["workflow_name"], r["status"]) for r in rows} == {("Doubler", "completed")}


async def test_a_failed_child_raises_its_exception_in_the_parent(cluster, client) -> None:
    assert await asyncio.wait_for(CatchingParent().run(x=-3), 60) == "child failed: negative input -3"
    assert await asyncio.wait_for(CatchingParent().run(x=4), 60) == "child gave 8"
    with pytest.raises(Rejected, match="negative input -1"):  # and the client rebuilds it, too
        await asyncio.wait_for(Doubler().run(x=-1), 60)


async def test_signal_resumes_a_waiting_run_and_its_timeout_timer_is_dropped(cluster, client) -> None:
    handle = await Approval.start(timeout=600)

    async def waiting() -> bool:
        return await handle.status() == "waiting"

    await eventually(waiting, timeout=60, what="the run to wait for its signal")
    await handle.signal("decision", {"by": "ana"})
    assert await asyncio.wait_for(handle.result(), 60) == "decided: ana"
    # the signal timeout will never fire: it is done without an event
    assert await fetchval(client, "SELECT count(*) FROM waymark.timers WHERE fired_at IS NULL") == 0
    assert await fetchval(client, "SELECT count(*) FROM waymark.events WHERE kind = 'timer'") == 0


async def test_signal_timeout_raises_timeout_error_in_the_workflow(cluster, client) -> None:
    assert await asyncio.wait_for(Approval().run(timeout=0.5), 60) == "timed out"


async def test_a_signal_sent_before_the_wait_is_kept(cluster, client) -> None:
    handle = await Approval.start(timeout=600)
    await handle.signal("decision", {"by": "early"})
    assert await asyncio.wait_for(handle.result(), 60) == "decided: early"


async def test_cancel_runs_finally_cleanup_and_ends_cancelled(cluster, client) -> None:
    handle = await LongJob.start(label="parent")

    async def sleeping() -> bool:
        return await fetchval(client, "SELECT count(*) FROM waymark.timers WHERE fired_at IS NULL") == 1

    await eventually(sleeping, timeout=60, what="the hour-long sleep")
    await handle.cancel()
    with pytest.raises(waymark.WorkflowCancelled):
        await asyncio.wait_for(handle.result(), 60)
    assert await handle.status() == "cancelled"
    cleanup = await fetch(client, "SELECT result, status FROM waymark.actions WHERE action_name = 'record_cleanup'")
    assert [(r["result"], r["status"]) for r in cleanup] == [('"cleaned parent"', "succeeded")]
    assert await fetchval(client, "SELECT count(*) FROM waymark.timers WHERE fired_at IS NULL") == 0


async def test_cancelling_a_parent_cancels_its_child(cluster, client) -> None:
    handle = await CancelsChild.start()

    async def child_sleeping() -> bool:
        return await fetchval(client, "SELECT count(*) FROM waymark.timers WHERE fired_at IS NULL") == 1

    await eventually(child_sleeping, timeout=60, what="the child's sleep")
    await handle.cancel()
    with pytest.raises(waymark.WorkflowCancelled):
        await asyncio.wait_for(handle.result(), 60)

    async def child_cancelled() -> bool:
        status = await fetchval(client, "SELECT status FROM waymark.runs WHERE parent_run_id IS NOT NULL")
        return status == "cancelled"

    await eventually(child_cancelled, timeout=60, what="the child to be cancelled too")
    assert await fetchval(client, "SELECT count(*) FROM waymark.actions WHERE action_name = 'record_cleanup'") == 1


async def test_cancel_reaches_a_running_action_through_its_heartbeat(make_cluster, client) -> None:
    cluster = make_cluster(["it_links"], env={"WAYMARK_LEASE_SECONDS": "1.5"})
    cluster.start_all()
    handle = await BusyJob.start()

    async def running() -> bool:
        return await fetchval(client, "SELECT count(*) FROM waymark.actions WHERE status = 'running'") == 1

    await eventually(running, timeout=60, what="the hour-long action to run")
    await handle.cancel()
    with pytest.raises(waymark.WorkflowCancelled):
        await asyncio.wait_for(handle.result(), 60)

    async def action_stopped() -> bool:
        row = await fetch(client, "SELECT status, cancel_requested FROM waymark.actions")
        return [(r["status"], r["cancel_requested"]) for r in row] == [("failed", True)]

    await eventually(action_stopped, timeout=60, what="the worker to stop the cancelled action")
    assert await fetchval(client, "SELECT redeliveries FROM waymark.actions") == 0
