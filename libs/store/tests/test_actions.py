"""The action call state machine of ARCHITECTURE.md, statement by statement, on a real Postgres."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import orjson
import pytest
from waymark_store import actions, advance, runs, versions

KEY = "greet@abc"


async def start_with_call(
    pool: asyncpg.Pool, *, at_most_once: bool = False, max_redeliveries: int = 5, max_attempts: int = 1, seq: int = 1
) -> uuid.UUID:
    await versions.register_versions(pool, [versions.VersionRow("v1", "Greeter", "m", "Greeter", 1, b"p")])
    started = await runs.start_run(pool, workflow_name="Greeter", input_json="{}")
    async with pool.acquire() as conn, conn.transaction():
        claimed = await advance.claim_runnable(conn, 10)
        outcome = advance.AdvanceOutcome(
            run_id=claimed[0].run_id,
            status="running",
            snapshot=b"s",
            event_ids=claimed[0].event_ids,
            actions=[advance.NewAction(seq, "greet", KEY, '{"name":"x"}', max_attempts, None, None, at_most_once)],
        )
        await advance.write_advances(conn, [outcome], max_redeliveries)
    return started.run_id


def success(call: actions.ClaimedCall, value: str = '"ok"') -> actions.Outcome:
    event = f'{{"kind":"action","seq":{call.seq},"ok":true,"value":{value}}}'
    return actions.Outcome(call.call_id, call.attempt, call.lease_token, "succeeded", value, None, 0.0, event)


async def unconsumed(pool: asyncpg.Pool) -> list[dict[str, object]]:
    rows = await pool.fetch("SELECT payload FROM waymark.events WHERE consumed_at IS NULL ORDER BY event_id")
    return [orjson.loads(r["payload"]) for r in rows]


async def test_claim_is_exclusive_across_concurrent_workers(pool: asyncpg.Pool) -> None:
    await start_with_call(pool)
    got = await asyncio.gather(*(actions.claim(pool, [KEY], 10, 30, f"w{i}") for i in range(5)))
    assert sorted(len(g) for g in got) == [0, 0, 0, 0, 1]


async def test_claim_only_takes_keys_the_worker_has(pool: asyncpg.Pool) -> None:
    await start_with_call(pool)
    assert await actions.claim(pool, ["greet@other-signature"], 10, 30, "w") == []
    assert len(await actions.claim(pool, [KEY], 10, 30, "w")) == 1


async def test_success_becomes_one_event_and_a_late_duplicate_is_recorded_not_used(pool: asyncpg.Pool) -> None:
    await start_with_call(pool)
    (call,) = await actions.claim(pool, [KEY], 10, 30, "w")
    assert call.idempotency_key == f"{call.run_id}:1"
    assert await actions.record_outcomes(pool, [success(call)], "w") == (1, 0)
    assert await actions.record_outcomes(pool, [success(call, '"again"')], "w") == (0, 1)
    assert await unconsumed(pool) == [{"kind": "action", "seq": 1, "ok": True, "value": "ok"}]
    assert await pool.fetchval("SELECT count(*) FROM waymark.late_outcomes") == 1


async def test_retry_spends_an_attempt_and_waits_for_the_backoff(pool: asyncpg.Pool) -> None:
    await start_with_call(pool, max_attempts=3)
    (call,) = await actions.claim(pool, [KEY], 10, 30, "w")
    retry = actions.Outcome(call.call_id, call.attempt, call.lease_token, "retry_waiting", None, '"boom"', 0.3, None)
    assert await actions.record_outcomes(pool, [retry], "w") == (1, 0)
    assert await unconsumed(pool) == []  # only final outcomes reach the run
    assert await actions.claim(pool, [KEY], 10, 30, "w") == []  # still backing off
    wait = await actions.seconds_until_next(pool, [KEY])
    assert wait is not None
    assert 0 < wait <= 0.3
    await asyncio.sleep(wait + 0.05)
    (again,) = await actions.claim(pool, [KEY], 10, 30, "w")
    assert (again.call_id, again.attempt, again.redeliveries) == (call.call_id, 2, 0)
    assert again.lease_token != call.lease_token


async def test_expired_lease_is_redelivered_without_spending_an_attempt(pool: asyncpg.Pool) -> None:
    await start_with_call(pool)
    (call,) = await actions.claim(pool, [KEY], 10, 0.05, "w1")
    await asyncio.sleep(0.1)
    assert await actions.expire_leases(pool) == (1, 0)
    (again,) = await actions.claim(pool, [KEY], 10, 30, "w2")
    assert (again.attempt, again.redeliveries) == (1, 1)
    # the first worker's outcome is now late: fenced out by the lease token
    assert await actions.record_outcomes(pool, [success(call)], "w1") == (0, 1)
    assert await actions.record_outcomes(pool, [success(again)], "w2") == (1, 0)


async def test_redeliveries_are_bounded_then_action_lost(pool: asyncpg.Pool) -> None:
    await start_with_call(pool, max_redeliveries=2)
    for expected in [(1, 0), (1, 0), (0, 1)]:
        (_call,) = await actions.claim(pool, [KEY], 10, 0.01, "w")
        await asyncio.sleep(0.05)
        assert await actions.expire_leases(pool) == expected
    (event,) = await unconsumed(pool)
    assert event["ok"] is False
    error = event["error"]["$exception"]
    assert error["class"] == "waymark.ActionLost"
    assert "2 redeliveries" in error["message"]
    assert await actions.claim(pool, [KEY], 10, 30, "w") == []


async def test_at_most_once_is_never_redelivered(pool: asyncpg.Pool) -> None:
    await start_with_call(pool, at_most_once=True)
    await actions.claim(pool, [KEY], 10, 0.01, "w")
    await asyncio.sleep(0.05)
    assert await actions.expire_leases(pool) == (0, 1)
    (event,) = await unconsumed(pool)
    assert "at_most_once" in event["error"]["$exception"]["message"]


async def test_heartbeat_extends_only_leases_still_held(pool: asyncpg.Pool) -> None:
    await start_with_call(pool)
    (call,) = await actions.claim(pool, [KEY], 10, 0.2, "w")
    for _ in range(3):
        await asyncio.sleep(0.1)
        assert (await actions.heartbeat(pool, [(call.call_id, call.lease_token)], 0.2)).held == {call.call_id}
        assert await actions.expire_leases(pool) == (0, 0)
    assert (await actions.heartbeat(pool, [(call.call_id, uuid.uuid4())], 0.2)).held == set()


async def test_release_hands_a_call_back_at_once(pool: asyncpg.Pool) -> None:
    await start_with_call(pool)
    (call,) = await actions.claim(pool, [KEY], 10, 30, "w1")
    assert await actions.release(pool, [(call.call_id, call.lease_token)]) == 1
    (again,) = await actions.claim(pool, [KEY], 10, 30, "w2")
    assert (again.attempt, again.redeliveries) == (1, 0)


@pytest.mark.parametrize("status", ["succeeded", "failed"])
async def test_outcome_of_a_finished_call_cannot_be_rewritten(pool: asyncpg.Pool, status: str) -> None:
    await start_with_call(pool)
    (call,) = await actions.claim(pool, [KEY], 10, 30, "w")
    first = actions.Outcome(
        call.call_id,
        call.attempt,
        call.lease_token,
        status,
        '"a"',
        '"e"',
        0.0,
        '{"kind":"action","seq":1,"ok":true,"value":"a"}',
    )
    assert await actions.record_outcomes(pool, [first], "w") == (1, 0)
    row = await pool.fetchrow("SELECT status, result FROM waymark.actions WHERE call_id = $1", call.call_id)
    assert row["status"] == status


async def start_with_timed_call(pool: asyncpg.Pool, policy: dict[str, object] | None, max_attempts: int) -> None:
    await versions.register_versions(pool, [versions.VersionRow("v1", "Greeter", "m", "Greeter", 1, b"p")])
    await runs.start_run(pool, workflow_name="Greeter", input_json="{}")
    async with pool.acquire() as conn, conn.transaction():
        (claimed,) = await advance.claim_runnable(conn, 10)
        text = None if policy is None else orjson.dumps(policy).decode()
        call = advance.NewAction(1, "greet", KEY, '{"name":"x"}', max_attempts, text, 1.0, False)
        outcome = advance.AdvanceOutcome(claimed.run_id, "running", b"s", claimed.event_ids, actions=[call])
        await advance.write_advances(conn, [outcome], 5)


async def force_deadline(pool: asyncpg.Pool) -> None:
    await pool.execute("UPDATE waymark.actions SET deadline_at = clock_timestamp() - interval '1 second'")


async def test_the_claim_sets_the_attempt_deadline_past_the_timeout(pool: asyncpg.Pool) -> None:
    await start_with_timed_call(pool, None, 1)
    await actions.claim(pool, [KEY], 10, 30, "w")
    margin = await pool.fetchval("SELECT extract(epoch FROM deadline_at - started_at) FROM waymark.actions")
    assert float(margin) == pytest.approx(1.0 + actions.DEADLINE_GRACE_SECONDS, abs=0.01)
    assert await actions.expire_deadlines(pool) == (0, 0)  # not due yet


async def test_a_passed_deadline_fails_the_attempt_with_action_timeout_and_fences_the_worker(
    pool: asyncpg.Pool,
) -> None:
    await start_with_timed_call(pool, None, 3)  # no retry_on: ActionTimeout is not retried
    (call,) = await actions.claim(pool, [KEY], 10, 30, "w")
    await force_deadline(pool)
    assert await actions.expire_deadlines(pool) == (0, 1)
    (event,) = await unconsumed(pool)
    error = event["error"]["$exception"]  # type: ignore[index]
    assert error["class"] == "waymark.ActionTimeout"
    assert "timed out after 1s" in error["message"]
    # the worker's outcome arrives late: recorded, never used; its heartbeat learns it lost the call
    assert await actions.record_outcomes(pool, [success(call)], "w") == (0, 1)
    assert (await actions.heartbeat(pool, [(call.call_id, call.lease_token)], 30)).held == set()
    assert await actions.expire_deadlines(pool) == (0, 0)  # once


async def test_a_passed_deadline_is_retried_when_the_policy_names_action_timeout(pool: asyncpg.Pool) -> None:
    policy = {
        "attempts": 2,
        "backoff": {"kind": "fixed", "initial": 0.0, "factor": 1.0, "max": 0.0, "jitter": False},
        "retry_on": ["waymark.ActionTimeout"],
        "timeout_seconds": 1.0,
    }
    await start_with_timed_call(pool, policy, 2)
    (first,) = await actions.claim(pool, [KEY], 10, 30, "w")
    await force_deadline(pool)
    assert await actions.expire_deadlines(pool) == (1, 0)
    assert await unconsumed(pool) == []  # a retry is not an outcome of the run
    (second,) = await actions.claim(pool, [KEY], 10, 30, "w")
    assert (second.attempt, second.redeliveries) == (2, 0)
    assert await actions.record_outcomes(pool, [success(first)], "w") == (0, 1)  # attempt 1 is late
    await force_deadline(pool)
    assert await actions.expire_deadlines(pool) == (0, 1)  # attempts spent: final
    assert (await unconsumed(pool))[0]["ok"] is False
