"""Starting runs (idempotent, clear errors), the advance transaction, timers and NOTIFY."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from waymark_store import advance, channels, runs, timers, versions
from waymark_store.listener import Listener


async def register(pool: asyncpg.Pool) -> None:
    await versions.register_versions(pool, [versions.VersionRow("v1", "Greeter", "m", "Greeter", 1, b"p")])


async def test_register_versions_is_idempotent_and_moves_the_name(pool: asyncpg.Pool) -> None:
    row1 = versions.VersionRow("v1", "Greeter", "m", "Greeter", 1, b"p1")
    row2 = versions.VersionRow("v2", "Greeter", "m", "Greeter", 1, b"p2")
    assert await versions.register_versions(pool, [row1]) == [True]
    assert await versions.register_versions(pool, [row1]) == [False]
    assert await versions.current_version(pool, "Greeter") == "v1"
    assert await versions.register_versions(pool, [row2]) == [True]
    assert await versions.current_version(pool, "Greeter") == "v2"
    assert await versions.load_program(pool, "v1") == b"p1"


async def test_unknown_workflow_is_a_clear_error_and_writes_nothing(pool: asyncpg.Pool) -> None:
    with pytest.raises(runs.UnknownWorkflow):
        await runs.start_run(pool, workflow_name="Nope", input_json="{}")
    assert await pool.fetchval("SELECT count(*) FROM waymark.runs") == 0


async def test_start_is_idempotent_on_workflow_id(pool: asyncpg.Pool) -> None:
    await register(pool)
    results = await asyncio.gather(
        *(runs.start_run(pool, workflow_name="Greeter", input_json="{}", workflow_id="order-1") for _ in range(5))
    )
    assert len({r.run_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert await pool.fetchval("SELECT count(*) FROM waymark.events WHERE kind = 'start'") == 1


async def test_workflow_id_of_another_workflow_is_refused(pool: asyncpg.Pool) -> None:
    await register(pool)
    await versions.register_versions(pool, [versions.VersionRow("v9", "Other", "m", "Other", 1, b"p")])
    await runs.start_run(pool, workflow_name="Greeter", input_json="{}", workflow_id="x")
    with pytest.raises(runs.WorkflowIdTaken):
        await runs.start_run(pool, workflow_name="Other", input_json="{}", workflow_id="x")


async def test_advance_consumes_exactly_what_it_read(pool: asyncpg.Pool) -> None:
    await register(pool)
    started = await runs.start_run(pool, workflow_name="Greeter", input_json='{"n":1}')
    async with pool.acquire() as conn, conn.transaction():
        (run,) = await advance.claim_runnable(conn, 10)
        assert run.payloads == ['{"kind":"start"}'] and run.input == '{"n":1}'
        # an event arriving while the run is locked is not part of this advance ...
        await pool.execute(
            "INSERT INTO waymark.events (run_id, kind, payload) VALUES ($1, 'signal', '{}')", started.run_id
        )
        outcome = advance.AdvanceOutcome(
            run.run_id, "waiting", b"snap", run.event_ids, timers=[advance.NewTimer(1, "sleep", 3600)]
        )
        assert await advance.write_advances(conn, [outcome], 5) == 1
    # ... so the run is still runnable, with exactly that event
    async with pool.acquire() as conn, conn.transaction():
        (run,) = await advance.claim_runnable(conn, 10)
        assert run.payloads == ["{}"] and run.snapshot == b"snap" and run.status == "waiting"


async def test_claim_skips_runs_locked_by_another_scheduler(pool: asyncpg.Pool) -> None:
    await register(pool)
    for _ in range(3):
        await runs.start_run(pool, workflow_name="Greeter", input_json="{}")
    async with pool.acquire() as a, a.transaction(), pool.acquire() as b, b.transaction():
        first = await advance.claim_runnable(a, 2)
        second = await advance.claim_runnable(b, 10)
        assert len(first) == 2 and len(second) == 1
        assert not {r.run_id for r in first} & {r.run_id for r in second}


async def test_terminal_state_is_final(pool: asyncpg.Pool) -> None:
    await register(pool)
    started = await runs.start_run(pool, workflow_name="Greeter", input_json="{}")
    async with pool.acquire() as conn, conn.transaction():
        (run,) = await advance.claim_runnable(conn, 10)
        await advance.write_advances(
            conn, [advance.AdvanceOutcome(run.run_id, "completed", None, run.event_ids, result='"done"')], 5
        )
    await runs.add_event(pool, started.run_id, "signal", "{}")  # refused: the run is finished
    async with pool.acquire() as conn, conn.transaction():
        assert await advance.claim_runnable(conn, 10) == []
        await pool.execute(
            "INSERT INTO waymark.events (run_id, kind, payload) VALUES ($1, 'action', '{}')", started.run_id
        )
        (run,) = await advance.claim_runnable(conn, 10)
        await advance.write_advances(
            conn, [advance.AdvanceOutcome(run.run_id, "failed", None, run.event_ids, error='"x"')], 5
        )
    outcome = await runs.get_outcome(pool, started.run_id)
    assert outcome is not None
    assert (outcome.status, outcome.result, outcome.error) == ("completed", '"done"', None)


async def test_timers_fire_once_even_with_two_firers(pool: asyncpg.Pool) -> None:
    await register(pool)
    ids = [(await runs.start_run(pool, workflow_name="Greeter", input_json="{}")).run_id for _ in range(50)]
    async with pool.acquire() as conn, conn.transaction():
        claimed = await advance.claim_runnable(conn, 100)
        await advance.write_advances(
            conn,
            [
                advance.AdvanceOutcome(
                    r.run_id, "waiting", b"s", r.event_ids, timers=[advance.NewTimer(1, "sleep", 0.0)]
                )
                for r in claimed
            ],
            5,
        )
    fired = await asyncio.gather(*(timers.fire_due(pool, 7) for _ in range(10)))
    while sum(fired) < len(ids):
        fired.append(await timers.fire_due(pool, 100))
    assert sum(fired) == len(ids)
    count = await pool.fetchval("SELECT count(*) FROM waymark.events WHERE kind = 'timer'")
    assert count == len(ids)
    assert await timers.seconds_until_due(pool) is None


async def test_seconds_until_due_uses_the_database_clock(pool: asyncpg.Pool) -> None:
    await register(pool)
    await runs.start_run(pool, workflow_name="Greeter", input_json="{}")
    async with pool.acquire() as conn, conn.transaction():
        (run,) = await advance.claim_runnable(conn, 10)
        await advance.write_advances(
            conn,
            [
                advance.AdvanceOutcome(
                    run.run_id, "waiting", b"s", run.event_ids, timers=[advance.NewTimer(1, "sleep", 30.0)]
                )
            ],
            5,
        )
    until = await timers.seconds_until_due(pool)
    assert until is not None and 29 < until <= 30


async def test_start_notifies_schedulers_and_listener_survives_a_killed_connection(
    database_url: str, pool: asyncpg.Pool
) -> None:
    await register(pool)
    listener = await Listener(database_url, keepalive=0.2).start()
    try:
        wakeup = await listener.subscribe(channels.RUNS)
        started = await runs.start_run(pool, workflow_name="Greeter", input_json="{}")
        assert await wakeup.wait(5) == [str(started.run_id)]
        # kill the LISTEN backend: the listener reconnects, re-LISTENs and tells subscribers to catch up
        await pool.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
        )
        assert "" in await wakeup.wait(10)
        again = await runs.start_run(pool, workflow_name="Greeter", input_json="{}")
        payloads = await wakeup.wait(5)
        while str(again.run_id) not in payloads:
            payloads = await wakeup.wait(5)
            assert payloads, "no notification after reconnecting"
    finally:
        await listener.close()


async def test_notify_payload_never_exceeds_the_limit() -> None:
    ids = [str(uuid.uuid4()) for _ in range(1000)]
    assert channels.notify_payload(ids) == ""
    assert channels.notify_payload(ids[:3]) == ",".join(ids[:3])
