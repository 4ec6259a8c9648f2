"""The worker's outcome writer against a real Postgres: an outcome Postgres refuses does not hold the others back."""

from __future__ import annotations

import asyncio
import contextlib

from waymark._worker.runtime import Worker
from waymark_store import actions, advance, runs, versions
from waymark_store.db import Database
from waymark_store.settings import Settings

KEY = "step@abc"


async def two_claimed_calls(db: Database) -> list[actions.ClaimedCall]:
    await versions.register_versions(db.pool, [versions.VersionRow("v1", "W", "m", "W", 1, b"p")])
    await runs.start_run(db.pool, workflow_name="W", input_json="{}")
    async with db.pool.acquire() as conn, conn.transaction():
        (run,) = await advance.claim_runnable(conn, 10)
        new = [advance.NewAction(seq, "step", KEY, "{}", 1, None, None, False) for seq in (1, 2)]
        await advance.write_advances(
            conn, [advance.AdvanceOutcome(run.run_id, "running", b"s", run.event_ids, actions=new)], 5
        )
    return await actions.claim(db.pool, [KEY], 10, 30, "w")


def outcome(call: actions.ClaimedCall, value: str) -> actions.Outcome:
    event = f'{{"kind":"action","seq":{call.seq},"ok":true,"value":{value}}}'
    return actions.Outcome(call.call_id, call.attempt, call.lease_token, "succeeded", value, None, 0.0, event)


async def test_an_outcome_postgres_refuses_does_not_block_the_others(database_url: str) -> None:
    db = await Database.open(database_url)
    try:
        first, second = await two_claimed_calls(db)
        worker = Worker(Settings(database_url=database_url), db, {})
        worker._outcomes = [outcome(first, "not json"), outcome(second, '"fine"')]
        await asyncio.wait_for(worker._flush(), 30)  # used to retry the whole batch forever
        rows = await db.pool.fetch("SELECT call_id, status FROM waymark.actions ORDER BY call_id")
        assert [(r["call_id"], r["status"]) for r in rows] == [
            (first.call_id, "running"),
            (second.call_id, "succeeded"),
        ]
        assert worker._outcomes == []  # given up: the refused call's lease lapses and it is redelivered
    finally:
        await db.close()


async def test_a_lost_connection_keeps_outcomes_for_a_retry(database_url: str) -> None:
    db = await Database.open(database_url)
    try:
        (call, _) = await two_claimed_calls(db)
        worker = Worker(Settings(database_url=database_url), db, {})
        worker._outcomes = [outcome(call, '"ok"')]
        await db.pool.close()  # every statement now fails like a lost connection
        flushing = asyncio.create_task(worker._flush())
        await asyncio.sleep(1)
        assert not flushing.done() and len(worker._outcomes) == 1  # kept, and tried again every 0.5 s
        flushing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await flushing
    finally:
        await db.listener.close()
