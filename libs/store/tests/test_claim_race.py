"""Two schedulers racing for the same runs: a claim never hands out an event another advance already consumed.

The race: scheduler B's claim statement starts, scheduler A commits an advance of run R (consuming its events), then
B locks R (its new version: A's lock is gone). Had B read R's events in the claim's own statement, its snapshot
would still show them unconsumed, and the VM would get them twice (a signal delivered twice). Timing-dependent, so
this test makes the race happen often: four claimers in tight loops over runs that keep getting events.
"""

from __future__ import annotations

import asyncio

import asyncpg
from waymark_store import advance, runs, versions


async def test_a_claim_never_returns_events_already_consumed(pool: asyncpg.Pool) -> None:
    await versions.register_versions(pool, [versions.VersionRow("v1", "W", "m", "W", 1, b"p")])
    run_ids = [(await runs.start_run(pool, workflow_name="W", input_json="{}")).run_id for _ in range(100)]
    stop = asyncio.Event()
    stale: list[int] = []
    claims = 0

    async def feed() -> None:
        while not stop.is_set():
            await pool.executemany(
                "INSERT INTO waymark.events (run_id, kind, payload) VALUES ($1, 'signal', '{}')",
                [(r,) for r in run_ids[:30]],
            )
            await asyncio.sleep(0.01)

    async def schedule() -> None:
        nonlocal claims
        async with pool.acquire() as conn:
            while not stop.is_set():
                async with conn.transaction():
                    claimed = await advance.claim_runnable(conn, 64)
                    claims += 1
                    ids = [event for run in claimed for event in run.event_ids]
                    consumed = await conn.fetchval(
                        "SELECT count(*) FROM waymark.events WHERE event_id = ANY($1) AND consumed_at IS NOT NULL", ids
                    )
                    if consumed:
                        stale.append(consumed)
                    await conn.execute(
                        "UPDATE waymark.events SET consumed_at = clock_timestamp() WHERE event_id = ANY($1)", ids
                    )

    tasks = [asyncio.create_task(feed()), *(asyncio.create_task(schedule()) for _ in range(4))]
    await asyncio.sleep(6)
    stop.set()
    await asyncio.gather(*tasks)
    assert claims > 100
    assert stale == [], f"{len(stale)} of {claims} claims returned events another advance had consumed"
