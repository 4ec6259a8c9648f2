"""Queries over real runs: started through the gateway, run by the real services, read back with their actions,
events, timers, children and errors; the runs list's keyset pages, filters and search."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
import pytest
from gw_support import Served
from waymark_store.db import Database
from waymark_store.settings import Settings

START = """mutation($name: String!, $input: String!, $wid: String) {
  startRun(workflowName: $name, input: $input, workflowId: $wid) { runId }
}"""

RUN = """query($id: ID!) {
  run(runId: $id) {
    runId workflowId workflowName versionId status input result createdAt updatedAt finishedAt parentRunId traceId
    error { className message raw }
    actions { callId seq actionName status attempt maxAttempts redeliveries args result workerId
              error { className message } createdAt startedAt finishedAt }
    events { eventId kind payload createdAt consumedAt }
    timers { seq kind dueAt firedAt }
    children { runId workflowName status parentRunId result }
  }
}"""

TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"}


async def start(gateway: Served, name: str, payload: dict[str, Any], workflow_id: str | None = None) -> str:
    data = await gateway.data(START, {"name": name, "input": orjson.dumps(payload).decode(), "wid": workflow_id})
    return str(data["startRun"]["runId"])


async def finished(gateway: Served, run_id: str) -> dict[str, Any]:
    """The run once it has ended (polled: tests synchronise on conditions, never on durations)."""
    for _ in range(1200):
        run = (await gateway.data(RUN, {"id": run_id}))["run"]
        if run["status"] in TERMINAL:
            return dict(run)
        await asyncio.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish: {run}")


async def test_real_runs_read_back_with_their_details(services: Settings, gateway: Served) -> None:
    doubled = await start(gateway, "GwDouble", {"x": 21, "label": "a"}, "double-21")
    failing = await start(gateway, "GwFails", {})
    sleepy = await start(gateway, "GwSleepy", {"seconds": 0.05})
    parent = await start(gateway, "GwParent", {"x": 5})

    run = await finished(gateway, doubled)
    assert run["status"] == "COMPLETED"
    assert run["workflowId"] == "double-21"
    assert orjson.loads(run["result"]) == 42
    assert orjson.loads(run["input"]) == {"x": 21, "label": "a"}
    assert run["error"] is None and run["finishedAt"] is not None and run["parentRunId"] is None
    (action,) = run["actions"]
    assert action["actionName"] == "gw_double" and action["status"] == "SUCCEEDED" and action["seq"] >= 0
    assert orjson.loads(action["args"]) == {"x": 21} and orjson.loads(action["result"]) == 42
    assert action["attempt"] == 1 and action["workerId"] and action["finishedAt"]
    assert [e["kind"] for e in run["events"]] == ["start", "action"]
    assert all(e["consumedAt"] for e in run["events"])
    by_workflow_id = await gateway.data('{ run(workflowId: "double-21") { runId } }')
    assert by_workflow_id["run"]["runId"] == doubled

    run = await finished(gateway, failing)
    assert run["status"] == "FAILED"
    assert run["error"]["className"] == "gw_flows.Boom" and run["error"]["message"] == "boom"
    assert "$exception" in orjson.loads(run["error"]["raw"])
    assert run["actions"][0]["status"] == "FAILED"
    assert run["actions"][0]["error"] == {"className": "gw_flows.Boom", "message": "boom"}

    run = await finished(gateway, sleepy)
    assert run["status"] == "COMPLETED"
    (timer,) = run["timers"]
    assert timer["kind"] == "sleep" and timer["firedAt"] is not None

    run = await finished(gateway, parent)
    assert orjson.loads(run["result"]) == 10
    (child,) = run["children"]
    assert child["workflowName"] == "GwDouble" and child["parentRunId"] == parent and child["status"] == "COMPLETED"

    workflows = await gateway.data(
        "{ workflows { name currentVersion { versionId module qualname createdAt } versions { versionId }"
        " runCounts { status count } parameters { name required annotation } } }"
    )
    by_name = {w["name"]: w for w in workflows["workflows"]}
    assert {"GwDouble", "GwFails", "GwSignalled", "GwSleepy", "GwParent"} <= set(by_name)
    double = by_name["GwDouble"]
    assert double["parameters"] == [
        {"name": "x", "required": True, "annotation": "int"},
        {"name": "label", "required": False, "annotation": "str"},
    ]
    assert double["currentVersion"]["module"] == "gw_flows" and double["currentVersion"]["qualname"] == "GwDouble"
    assert [v["versionId"] for v in double["versions"]] == [double["currentVersion"]["versionId"]]
    counts = {c["status"]: c["count"] for c in double["runCounts"]}
    assert counts["COMPLETED"] == 2 and sum(counts.values()) == 2  # its own run and the child

    overview = (
        await gateway.data(
            "{ overview { runCounts { status count } workflows queuedActions runningActions pendingTimers } }"
        )
    )["overview"]
    assert {c["status"]: c["count"] for c in overview["runCounts"]}["FAILED"] == 1
    assert overview["workflows"] >= 5 and overview["pendingTimers"] == 0


async def test_trace_id_comes_from_the_stored_traceparent(gateway: Served, checkout: str, db: Database) -> None:
    run_id = await start(gateway, "Checkout", {"order_id": 1})
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    await db.pool.execute(
        "UPDATE waymark.runs SET traceparent = $2 WHERE run_id = $1",
        uuid.UUID(run_id),
        f"00-{trace}-00f067aa0ba902b7-01",
    )
    data = await gateway.data("query($id: ID!) { run(runId: $id) { traceId } }", {"id": run_id})
    assert data["run"]["traceId"] == trace


PAGE = """query($first: Int!, $after: String, $status: RunStatus, $wf: String, $search: String) {
  runs(first: $first, after: $after, status: $status, workflowName: $wf, search: $search) {
    items { runId workflowId status } nextCursor
  }
}"""


async def all_pages(gateway: Served, first: int, **filters: Any) -> list[str]:
    seen: list[str] = []
    after = None
    for _ in range(100):
        page = (await gateway.data(PAGE, {"first": first, "after": after, **filters}))["runs"]
        seen += [item["runId"] for item in page["items"]]
        after = page["nextCursor"]
        if after is None:
            return seen
    raise AssertionError("the pages never ended")


async def test_runs_are_keyset_paged_newest_first(gateway: Served, checkout: str, db: Database) -> None:
    started = [await start(gateway, "Checkout", {"order_id": i}, f"order-{i:02}") for i in range(7)]
    # two runs with the same created_at: the run id breaks the tie, and no page loses or repeats one
    await db.pool.execute(
        "UPDATE waymark.runs SET created_at = (SELECT created_at FROM waymark.runs WHERE workflow_id = 'order-03')"
        " WHERE workflow_id = 'order-04'"
    )
    expected = [
        r["run_id"]
        for r in await db.pool.fetch("SELECT run_id::text FROM waymark.runs ORDER BY created_at DESC, run_id DESC")
    ]
    assert sorted(expected) == sorted(started)
    assert expected[0] == started[-1]  # newest first
    for first in (1, 2, 3, 7, 200):
        assert await all_pages(gateway, first) == expected
    last = (await gateway.data(PAGE, {"first": 7}))["runs"]
    assert last["nextCursor"] is None

    await db.pool.execute("UPDATE waymark.runs SET status = 'failed' WHERE workflow_id IN ('order-01', 'order-05')")
    assert await all_pages(gateway, 1, status="FAILED") == [started[5], started[1]]
    assert await all_pages(gateway, 2, wf="Checkout") == expected
    assert await all_pages(gateway, 2, wf="Other") == []

    assert await all_pages(gateway, 5, search="order-0") == expected
    assert await all_pages(gateway, 5, search="order-06") == [started[6]]
    assert await all_pages(gateway, 5, search=started[2][:8]) == [
        run for run in expected if run.startswith(started[2][:8])
    ]
    assert await all_pages(gateway, 5, search=started[2]) == [started[2]]
    assert await all_pages(gateway, 5, search="order_0") == []  # LIKE wildcards are matched literally
    assert await all_pages(gateway, 5, search="%") == []


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("{ runs(first: 201) { nextCursor } }", "`first` is 201; it must be between 1 and 200"),
        ("{ runs(first: 0) { nextCursor } }", "`first` is 0"),
        ('{ runs(after: "bogus") { nextCursor } }', "is not one this API returned"),
        ('{ runs(after: "MTpub3Q6YQ") { nextCursor } }', "is not one this API returned"),
        ("{ run { runId } }", "pass exactly one of `runId` and `workflowId`"),
        ('{ run(runId: "x", workflowId: "y") { runId } }', "pass exactly one of `runId` and `workflowId`"),
        ('{ run(runId: "x") { runId } }', "runId 'x' is not a run id"),
    ],
)
async def test_bad_queries_are_clear_errors(gateway: Served, query: str, problem: str) -> None:
    assert problem in await gateway.error(query)


async def test_unknown_runs_are_null(gateway: Served) -> None:
    data = await gateway.data(
        f'{{ a: run(runId: "{uuid.uuid4()}") {{ runId }} b: run(workflowId: "nope") {{ runId }} }}'
    )
    assert data == {"a": None, "b": None}


async def test_schedules_are_listed_read_only(gateway: Served, checkout: str, db: Database) -> None:
    from waymark_store import schedules

    assert (await gateway.data("{ schedules { name } }"))["schedules"] == []
    await schedules.upsert(
        db.pool,
        name="nightly",
        workflow_name="Checkout",
        expression="0 3 * * *",
        timezone="Europe/Paris",
        input_json='{"order_id":1}',
        paused=False,
    )
    await db.pool.execute("UPDATE waymark.schedules SET next_fire_at = clock_timestamp() - interval '1 minute'")
    (fired,) = await schedules.fire_due(db.pool)
    query = """{ schedules { name workflowName cron timezone input paused nextFireAt lastFireAt lastRunId
                              lastWorkflowId lastError createdAt updatedAt } }"""
    (row,) = (await gateway.data(query))["schedules"]
    assert {k: row[k] for k in ("name", "workflowName", "cron", "timezone", "input", "paused", "lastError")} == {
        "name": "nightly",
        "workflowName": "Checkout",
        "cron": "0 3 * * *",
        "timezone": "Europe/Paris",
        "input": '{"order_id":1}',
        "paused": False,
        "lastError": None,
    }
    assert row["lastRunId"] == str(fired.run_id)
    assert row["lastWorkflowId"] == schedules.workflow_id_of("nightly", fired.fire_at)
    run = await gateway.data("query($w: String!) { run(workflowId: $w) { runId } }", {"w": row["lastWorkflowId"]})
    assert run["run"]["runId"] == row["lastRunId"]
