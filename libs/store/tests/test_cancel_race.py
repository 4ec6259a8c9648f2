"""A run stops waiting for a call (cancellation) while a worker is claiming that very call: the call must end up
either dropped (never ran) or marked `cancel_requested` (its worker learns of it through its heartbeat), never
neither."""

from __future__ import annotations

import asyncio

import asyncpg
from waymark_store import actions, advance, runs, versions

KEY = "step@abc"


async def test_cancelling_a_call_being_claimed_marks_it_cancel_requested(pool: asyncpg.Pool) -> None:
    await versions.register_versions(pool, [versions.VersionRow("v1", "W", "m", "W", 1, b"p")])
    await runs.start_run(pool, workflow_name="W", input_json="{}")
    async with pool.acquire() as conn, conn.transaction():
        (run,) = await advance.claim_runnable(conn, 10)
        new = [advance.NewAction(1, "step", KEY, "{}", 1, None, None, False)]
        await advance.write_advances(conn, [advance.AdvanceOutcome(run.run_id, "running", b"s", [], actions=new)], 5)

    worker = await pool.acquire()
    scheduler = await pool.acquire()
    try:
        claiming = worker.transaction()
        await claiming.start()
        (call,) = await actions.claim(worker, [KEY], 10, 30, "w")  # queued -> running, not committed yet
        cancelling = scheduler.transaction()
        await cancelling.start()
        # the scheduler's statement sees the call queued, then waits for the worker's row lock
        cancel = advance.AdvanceOutcome(run.run_id, "running", b"s2", [], cancelled_seqs=[1])
        write = asyncio.create_task(advance.write_run_links(scheduler, [cancel]))
        await asyncio.sleep(0.5)
        assert not write.done()
        await claiming.commit()
        await asyncio.wait_for(write, 10)
        await cancelling.commit()
    finally:
        await pool.release(worker)
        await pool.release(scheduler)
    row = await pool.fetchrow("SELECT status, cancel_requested FROM waymark.actions WHERE call_id = $1", call.call_id)
    assert (row["status"], row["cancel_requested"]) == ("running", True), dict(row)
    reply = await actions.heartbeat(pool, [(call.call_id, call.lease_token)], 30)
    assert call.call_id in reply.cancel_requested
