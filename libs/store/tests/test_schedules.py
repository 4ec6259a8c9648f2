"""Cron schedules in the store: idempotent upsert, the timer's fire (one run per fire, across concurrent timers),
catch-up with one run, and a fire that cannot start a run recorded on the row."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from waymark_store import cron, schedules, versions


async def register(pool: asyncpg.Pool) -> None:
    await versions.register_versions(pool, [versions.VersionRow("v1", "Report", "m", "Report", 1, b"p")])


async def make(pool: asyncpg.Pool, expression: str = "*/5 * * * *", **overrides: object) -> schedules.ScheduleRow:
    args: dict[str, object] = {
        "name": "report",
        "workflow_name": "Report",
        "expression": expression,
        "timezone": "UTC",
        "input_json": '{"day":1}',
        "paused": False,
    }
    args.update(overrides)
    return await schedules.upsert(pool, **args)  # type: ignore[arg-type]


async def force_due(pool: asyncpg.Pool, ago: str = "1 second") -> None:
    await pool.execute(
        f"UPDATE waymark.schedules SET next_fire_at = date_trunc('minute', clock_timestamp() - interval '{ago}')"
    )


async def scheduled_runs(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch("SELECT workflow_id FROM waymark.runs WHERE workflow_id LIKE 'schedule:%' ORDER BY 1")
    return [r["workflow_id"] for r in rows]


async def test_upsert_is_idempotent_and_keeps_the_next_fire_unless_the_cron_changes(pool: asyncpg.Pool) -> None:
    first = await make(pool)
    now = await schedules.now(pool)
    assert now < first.next_fire_at and first.next_fire_at.minute % 5 == 0
    await force_due(pool, "3 minutes")  # a due fire the timer has not taken yet
    due = (await schedules.get(pool, "report")).next_fire_at  # type: ignore[union-attr]
    assert (await make(pool)).next_fire_at == due  # re-declared: the due fire is neither skipped nor repeated
    changed = await make(pool, "0 * * * *")
    assert changed.next_fire_at > now and changed.next_fire_at.minute == 0
    assert [s.name for s in await schedules.list_all(pool)] == ["report"]
    assert await schedules.delete(pool, "report") and not await schedules.delete(pool, "report")


async def test_a_due_schedule_fires_one_run_named_for_its_fire_time(pool: asyncpg.Pool) -> None:
    await register(pool)
    await make(pool)
    assert await schedules.fire_due(pool) == []  # not due
    await force_due(pool)
    due = (await schedules.get(pool, "report")).next_fire_at  # type: ignore[union-attr]
    (fired,) = await schedules.fire_due(pool)
    assert fired.error is None and fired.fire_at == due
    assert await scheduled_runs(pool) == [schedules.workflow_id_of("report", due)]
    row = await schedules.get(pool, "report")
    assert row is not None
    assert row.last_fire_at == due and row.last_run_id == fired.run_id and row.next_fire_at > await schedules.now(pool)
    assert await pool.fetchval("SELECT input::text FROM waymark.runs WHERE run_id = $1", fired.run_id) == '{"day":1}'
    assert await schedules.fire_due(pool) == []


async def test_missed_fires_are_caught_up_with_one_run(pool: asyncpg.Pool) -> None:
    await register(pool)
    await make(pool, "* * * * *")
    await force_due(pool, "3 days")  # ~4,300 missed minutes
    assert len(await schedules.fire_due(pool)) == 1
    assert len(await scheduled_runs(pool)) == 1
    assert await schedules.fire_due(pool) == []


async def test_concurrent_timers_fire_each_due_schedule_once(pool: asyncpg.Pool) -> None:
    await register(pool)
    for i in range(20):
        await make(pool, name=f"s{i}")
    for _ in range(3):
        await force_due(pool)
        await asyncio.gather(*(schedules.fire_due(pool, 7) for _ in range(4)))
        while await schedules.fire_due(pool):  # whatever the batches left
            pass
    runs = await scheduled_runs(pool)
    assert len(runs) == len(set(runs))
    assert len(runs) <= 60 and len({r.rsplit(":", 3)[0] for r in runs}) == 20


async def test_a_fire_that_cannot_start_a_run_is_recorded_and_not_retried(pool: asyncpg.Pool) -> None:
    await make(pool)  # Report is not registered
    await force_due(pool)
    (fired,) = await schedules.fire_due(pool)
    assert fired.run_id is None and "not registered" in (fired.error or "")
    row = await schedules.get(pool, "report")
    assert row is not None and row.last_error == fired.error and not row.paused
    assert row.next_fire_at > await schedules.now(pool)  # moved on: no hot loop
    assert await schedules.fire_due(pool) == []
    # a cron edited into something invalid behind the API's back: paused with the reason
    await pool.execute("UPDATE waymark.schedules SET cron = '61 * * * *'")
    await force_due(pool)
    (fired,) = await schedules.fire_due(pool)
    row = await schedules.get(pool, "report")
    assert row is not None and row.paused and "1st (minute)" in (row.last_error or "")


async def test_pause_and_resume(pool: asyncpg.Pool) -> None:
    await make(pool)
    assert (await schedules.pause(pool, "report")).paused  # type: ignore[union-attr]
    await force_due(pool, "1 hour")
    assert await schedules.fire_due(pool) == []  # paused: nothing fires
    resumed = await schedules.resume(pool, "report")
    assert resumed is not None and not resumed.paused and resumed.next_fire_at > await schedules.now(pool)
    assert await schedules.pause(pool, "nope") is None


async def test_upsert_refuses_a_bad_expression_with_the_field_named(pool: asyncpg.Pool) -> None:
    with pytest.raises(cron.CronError, match=r"2nd \(hour\)"):
        await make(pool, "0 25 * * *")
    assert await schedules.list_all(pool) == []
