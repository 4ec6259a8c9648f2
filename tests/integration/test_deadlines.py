"""Workflow timeouts, attempt deadlines and cron schedules across real processes (services killed with -9)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import waymark
from harness import Cluster, consistency_problems, eventually, fetch, fetchval
from it_deadlines import Dawdler, ShortLived, Stubborn, Ticker
from it_unregistered import NeverRegistered


def cleanups(cluster: Cluster) -> list[dict[str, str]]:
    path = Path(cluster.state) / "cleanups.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def timeout_events(url: str) -> dict[str, int]:
    rows = await fetch(
        url,
        "SELECT r.workflow_id, count(e.event_id) AS n FROM waymark.runs r "
        "JOIN waymark.events e ON e.run_id = r.run_id AND e.kind = 'timeout' GROUP BY 1",
    )
    return {r["workflow_id"]: r["n"] for r in rows}


@pytest.mark.slow
async def test_workflow_timeouts_end_runs_timed_out_after_their_finally_blocks(make_cluster, client) -> None:
    cluster = make_cluster(["it_deadlines"])
    cluster.start_all()
    sleeping = await Dawdler.start(3600, False, workflow_id="sleeping", workflow_timeout=1.5)
    hanging = await Dawdler.start(600, True, workflow_id="hanging", workflow_timeout=1.5)
    default = await ShortLived.start(3600, workflow_id="default")  # @workflow(timeout=2 s)
    quick = await Dawdler.start(0.01, False, workflow_id="quick", workflow_timeout=3)  # finishes first
    longer = await ShortLived.start(3600, workflow_id="longer", workflow_timeout=3600)  # overrides the default

    for handle in (sleeping, hanging, default):
        with pytest.raises(waymark.WorkflowTimedOut, match="timed out"):
            await asyncio.wait_for(handle.result(), 60)
        assert await handle.status() == "timed_out"
    assert await asyncio.wait_for(quick.result(), 60) == "finished"
    # the cleanup action of every finally block ran, on the timeout path too
    assert sorted(c["workflow_id"] for c in cleanups(cluster)) == ["hanging", "quick", "sleeping"]

    # the hanging action was cancelled through its heartbeat (the run stopped waiting for it), never completed
    async def hang_cancelled() -> bool:
        hung = await fetch(client, "SELECT status, cancel_requested FROM waymark.actions WHERE action_name = 'hang'")
        return [(r["status"], r["cancel_requested"]) for r in hung] == [("failed", True)]

    await eventually(hang_cancelled, timeout=60, what="the hanging action to be cancelled through its heartbeat")

    # the quick run's timeout fires later into nothing: no event, the run stays completed
    async def quick_timeout_fired() -> bool:
        return bool(
            await fetchval(
                client,
                "SELECT t.fired_at IS NOT NULL FROM waymark.timers t JOIN waymark.runs r USING (run_id) "
                "WHERE r.workflow_id = 'quick' AND t.kind = 'workflow_timeout'",
            )
        )

    await eventually(quick_timeout_fired, timeout=60, what="the finished run's timeout row to come due")
    assert await quick.status() == "completed"
    assert await timeout_events(client) == {"sleeping": 1, "hanging": 1, "default": 1}
    assert await longer.status() == "waiting"
    await longer.cancel()
    with pytest.raises(waymark.WorkflowCancelled):
        await asyncio.wait_for(longer.result(), 60)
    assert not await consistency_problems(client)
    cluster.assert_alive()


@pytest.mark.slow
async def test_a_killed_timer_enforces_pending_workflow_timeouts_after_its_restart(make_cluster, client) -> None:
    cluster = make_cluster(["it_deadlines"])
    cluster.start_all()
    handles = [await Dawdler.start(3600, False, workflow_id=f"t-{i}", workflow_timeout=2) for i in range(10)]

    async def all_sleeping() -> bool:
        return await fetchval(client, "SELECT count(*) FROM waymark.timers WHERE kind = 'sleep'") == 10

    await eventually(all_sleeping, timeout=60, what="10 runs sleeping")
    cluster.kill("timer")

    async def timeouts_overdue() -> bool:
        return bool(
            await fetchval(
                client,
                "SELECT bool_and(due_at < clock_timestamp() - interval '1 second') FROM waymark.timers "
                "WHERE kind = 'workflow_timeout'",
            )
        )

    await eventually(timeouts_overdue, timeout=30, what="the workflow timeouts to be overdue")
    # nothing enforces them without a timer: the rows wait in Postgres
    assert {await h.status() for h in handles} == {"waiting"}
    assert await timeout_events(client) == {}

    cluster.restart("timer")
    for handle in handles:
        with pytest.raises(waymark.WorkflowTimedOut):
            await asyncio.wait_for(handle.result(), 60)
    assert await timeout_events(client) == {f"t-{i}": 1 for i in range(10)}
    assert len(cleanups(cluster)) == 10
    assert not await consistency_problems(client)


@pytest.mark.slow
async def test_the_timer_fails_an_attempt_its_worker_cannot_stop_and_fences_its_late_result(
    make_cluster, client
) -> None:
    cluster = make_cluster(["it_deadlines"])
    cluster.start_all(workers=2)
    stuck = await Stubborn.start(False, 12.0, workflow_id="loop-blocked")
    threaded = await Stubborn.start(True, 12.0, workflow_id="thread-blocked")
    # attempt 1 blocks its worker's loop for 12 s; its deadline (1 s + grace) fails it, the policy retries it
    assert await asyncio.wait_for(stuck.result(), 90) == "attempt 2"
    assert await asyncio.wait_for(threaded.result(), 90) == "timed out"
    row = await fetch(
        client,
        "SELECT attempt, status, redeliveries FROM waymark.actions WHERE action_name = 'blocks_loop'",
    )
    assert [(r["attempt"], r["status"], r["redeliveries"]) for r in row] == [(2, "succeeded", 0)]
    # attempt 1 was ended by the timer, never by a lease expiry: the worker kept heartbeating
    assert "attempt deadlines passed: 1 calls to retry" in cluster.procs["timer"].text()

    async def attempt_one_finished() -> bool:  # the blocked attempt ends eventually; its result is never used
        return any(
            e["action"] == "blocks_loop" and e["attempt"] == 1 and e["phase"] == "end" for e in cluster.executions()
        )

    await eventually(attempt_one_finished, timeout=60, what="the blocked attempt to return")
    late = await fetch(
        client,
        "SELECT l.attempt FROM waymark.late_outcomes l JOIN waymark.actions a USING (call_id) "
        "WHERE a.action_name = 'blocks_loop'",
    )
    assert [r["attempt"] for r in late] in ([], [1])  # written late (fenced) or dropped with the lost lease
    assert await stuck.status() == "completed"
    assert not await consistency_problems(client)


async def force_fire(url: str, name: str, minutes_after_2020: int) -> str:
    """Make the schedule due at a distinct past fire time (so each fire has its own workflow_id); returns it."""
    fire_at = await fetchval(
        url,
        "UPDATE waymark.schedules SET next_fire_at = timestamptz '2020-01-01 00:00:00+00' + make_interval(mins => $2) "
        "WHERE name = $1 RETURNING next_fire_at",
        name,
        minutes_after_2020,
    )
    return str(fire_at)


@pytest.mark.slow
async def test_cron_schedules_fire_once_per_fire_across_two_timers_and_a_kill(make_cluster, client) -> None:
    cluster = make_cluster(["it_deadlines"])
    cluster.start_all()
    cluster.start("timer", "timer-2")
    # yearly: no real fire time can fall inside the test; the test forces fires instead
    info = await waymark.schedule(Ticker, cron="0 0 1 1 *", name="ticker", input={"label": "tick"})
    assert (info.next_fire_at.month, info.next_fire_at.day) == (1, 1) and info.last_fire_at is None
    again = await waymark.schedule(Ticker, cron="0 0 1 1 *", name="ticker", input={"label": "tick"})
    assert again.next_fire_at == info.next_fire_at  # idempotent
    with pytest.raises(ValueError, match=r"cron field 2nd \(hour\) '99'"):
        await waymark.schedule(Ticker, cron="0 99 * * *", name="bad")
    with pytest.raises(TypeError, match="label"):
        await waymark.schedule(Ticker, cron="* * * * *", name="bad", input={"label": 5})
    assert [s.name for s in await waymark.schedules()] == ["ticker"]

    fire_times = []
    for round_ in range(5):
        fire_times.append(await force_fire(client, "ticker", round_))
        if round_ == 2:
            cluster.kill("timer")  # kill -9 while the fire is due (or being fired)

        async def fired(expected: int = round_ + 1) -> bool:
            return await fetchval(client, "SELECT count(*) FROM waymark.runs WHERE workflow_id LIKE 'schedule:%'") == (
                expected
            ) and await fetchval(client, "SELECT next_fire_at > clock_timestamp() FROM waymark.schedules")

        await eventually(fired, timeout=60, what=f"fire {round_ + 1} of the schedule")
        if round_ == 2:
            cluster.restart("timer")

    rows = await fetch(client, "SELECT workflow_id, status FROM waymark.runs ORDER BY workflow_id")
    assert len(rows) == 5 and len({r["workflow_id"] for r in rows}) == 5
    assert all(r["workflow_id"].startswith("schedule:ticker:2020-01-01T00:0") for r in rows)

    async def all_completed() -> bool:
        return await fetchval(client, "SELECT bool_and(status = 'completed') FROM waymark.runs")

    await eventually(all_completed, timeout=60, what="the scheduled runs to complete")
    (current,) = await waymark.schedules()
    assert current.last_error is None and current.last_run_id is not None
    assert current.last_workflow_id == rows[-1]["workflow_id"]

    # pause: nothing fires however due; unschedule removes it
    await waymark.pause_schedule("ticker")
    await force_fire(client, "ticker", 100)
    resumed = await waymark.resume_schedule("ticker")  # from the next fire after now: the forced one is skipped
    assert not resumed.paused and resumed.next_fire_at.year > 2020
    assert await waymark.unschedule("ticker") and await waymark.schedules() == []
    assert await fetchval(client, "SELECT count(*) FROM waymark.runs") == 5
    assert not await consistency_problems(client)
    cluster.assert_alive()


@pytest.mark.slow
async def test_a_schedule_of_an_unregistered_workflow_records_the_error_without_a_hot_loop(
    make_cluster, client
) -> None:
    cluster = make_cluster(["it_deadlines"])
    cluster.start_all()
    await waymark.schedule(NeverRegistered, cron="0 0 1 1 *", name="orphan", input={"x": 1})
    await force_fire(client, "orphan", 0)

    async def error_recorded() -> bool:
        (row,) = await waymark.schedules()
        return row.last_error is not None

    await eventually(error_recorded, timeout=60, what="the failed fire to be recorded")
    (row,) = await waymark.schedules()
    assert "NeverRegistered" in (row.last_error or "") and "not registered" in (row.last_error or "")
    assert row.next_fire_at.year > 2020 and not row.paused  # moved on to the next fire, not retried
    assert await fetchval(client, "SELECT count(*) FROM waymark.runs") == 0
    assert cluster.procs["timer"].text().count("schedule orphan") == 1
