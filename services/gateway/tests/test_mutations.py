"""startRun / cancelRun / signalRun: what they write (exactly what the client writes), and every bad input refused
with a message that names the problem and the fix, with nothing written (DESIGN §4.4)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest
from gw_support import Served, tagged
from waymark_store.db import Database

START = """
mutation($name: String!, $input: String!, $wid: String) {
  startRun(workflowName: $name, input: $input, workflowId: $wid) {
    runId workflowId workflowName status input versionId
  }
}"""
CANCEL = "mutation($id: ID!) { cancelRun(runId: $id) { runId status } }"
SIGNAL = """mutation($id: ID!, $name: String!, $value: String) {
  signalRun(runId: $id, name: $name, value: $value) { runId }
}"""


async def counts(db: Database) -> tuple[int, int]:
    runs = await db.pool.fetchval("SELECT count(*) FROM waymark.runs")
    events = await db.pool.fetchval("SELECT count(*) FROM waymark.events")
    return runs, events


async def start(gateway: Served, **variables: Any) -> dict[str, Any]:
    data = await gateway.data(START, {"name": "Checkout", "input": "{}", **variables})
    return dict(data["startRun"])


async def test_start_run_writes_what_the_client_writes(gateway: Served, checkout: str) -> None:
    payload = {"order_id": 7, "options": {"note": "gift", "$x": [1, 2]}}
    run = await start(gateway, input=orjson.dumps(payload).decode(), wid="order-7")
    assert run["workflowId"] == "order-7"
    assert run["workflowName"] == "Checkout"
    assert run["status"] == "QUEUED"
    assert run["versionId"] == "v-Checkout"
    row = await gateway.db.pool.fetchrow(
        "SELECT input::text AS input, traceparent FROM waymark.runs WHERE run_id = $1", uuid.UUID(run["runId"])
    )
    assert row["input"] == tagged(payload) == run["input"]  # plain JSON in, Waymark's tagged JSON stored
    kinds = await gateway.db.pool.fetch("SELECT kind FROM waymark.events WHERE run_id = $1", uuid.UUID(run["runId"]))
    assert [r["kind"] for r in kinds] == ["start"]
    second = await start(gateway, input='{"order_id": 8, "wait_seconds": 2.5}')
    assert second["workflowId"] == second["runId"]  # without a workflowId, the run id


BAD_STARTS = [
    ({"name": "Nope"}, "workflow 'Nope' is not registered", "waymark-start-workers"),
    ({"input": "{order_id: 1}"}, "input is not valid JSON", 'e.g. {"order_id": ...}'),
    ({"input": "[1, 2]"}, "input must be a JSON object", "got a JSON list"),
    ({"input": "null"}, "input must be a JSON object", "got a JSON null"),
    ({"input": '{"order_id": 1, "colour": "red"}'}, "unknown parameter 'colour'", "use one of 'order_id'"),
    ({"input": '{"wait_seconds": 1}'}, "missing required parameter 'order_id'", "add it to the input"),
    ({"input": '{"order_id": 1, "options": [1]}'}, "is **options", "JSON object"),
    ({"input": '{"order_id": 1}', "wid": ""}, "workflowId must not be empty", "omit it"),
    ({"input": '{"order_id": 1}', "wid": "a\u0000b"}, "NUL", "remove them"),
    ({"input": '{"order_id": 1}', "wid": "x" * 1001}, "limit is 1000", "shorter"),
    ({"input": orjson.dumps({"order_id": "x" * 5000}).decode()}, "limit is 4096", "WAYMARK_MAX_PAYLOAD_BYTES"),
]


@pytest.mark.parametrize(("variables", "problem", "fix"), BAD_STARTS)
async def test_bad_start_is_a_clear_error_and_writes_nothing(
    start_gateway: Any, checkout: str, variables: dict[str, Any], problem: str, fix: str
) -> None:
    gateway: Served = await start_gateway(max_payload_bytes=4096)
    before = await counts(gateway.db)
    message = await gateway.error(START, {"name": "Checkout", "input": "{}", **variables})
    assert problem in message and fix in message, message
    assert await counts(gateway.db) == before


async def test_a_taken_workflow_id_is_an_error(gateway: Served, checkout: str) -> None:
    first = await start(gateway, input='{"order_id": 1}', wid="order-1")
    before = await counts(gateway.db)
    message = await gateway.error(START, {"name": "Checkout", "input": '{"order_id": 2}', "wid": "order-1"})
    assert f"workflowId 'order-1' is already used by run {first['runId']} (Checkout, queued)" in message
    assert "choose another workflowId" in message
    assert await counts(gateway.db) == before


async def test_cancel_and_signal_append_events(gateway: Served, checkout: str) -> None:
    run = await start(gateway, input='{"order_id": 1}')
    await gateway.data(SIGNAL, {"id": run["runId"], "name": "approved", "value": '{"by": "ann", "n": [1, 2]}'})
    await gateway.data(SIGNAL, {"id": run["runId"], "name": "nudge"})
    cancelled = await gateway.data(CANCEL, {"id": run["runId"]})
    assert cancelled["cancelRun"]["runId"] == run["runId"]
    rows = await gateway.db.pool.fetch(
        "SELECT kind, payload::text AS payload FROM waymark.events WHERE run_id = $1 ORDER BY event_id",
        uuid.UUID(run["runId"]),
    )
    assert [r["kind"] for r in rows] == ["start", "signal", "signal", "cancel"]
    approved = {"kind": "signal", "name": "approved", "value": {"by": "ann", "n": [1, 2]}}
    assert orjson.loads(rows[1]["payload"]) == approved
    assert orjson.loads(rows[2]["payload"]) == {"kind": "signal", "name": "nudge", "value": None}
    assert orjson.loads(rows[3]["payload"]) == {"kind": "cancel"}


async def test_bad_cancel_and_signal_write_nothing(gateway: Served, checkout: str) -> None:
    run = await start(gateway, input='{"order_id": 1}')
    await gateway.db.pool.execute(
        "UPDATE waymark.runs SET status = 'completed', finished_at = now() WHERE run_id = $1", uuid.UUID(run["runId"])
    )
    before = await counts(gateway.db)
    missing = str(uuid.uuid4())
    cases = [
        (CANCEL, {"id": "not-a-uuid"}, "is not a run id"),
        (CANCEL, {"id": missing}, f"run {missing} does not exist"),
        (SIGNAL, {"id": missing, "name": "go"}, f"run {missing} does not exist"),
        (SIGNAL, {"id": run["runId"], "name": "go", "value": "{nope"}, "signal value is not valid JSON"),
        (SIGNAL, {"id": run["runId"], "name": "", "value": "1"}, "signal name must not be empty"),
        (SIGNAL, {"id": run["runId"], "name": "go"}, "it is completed"),
    ]
    for query, variables, problem in cases:
        assert problem in await gateway.error(query, variables)
    # cancelling a finished run is not an error (like the client's cancel()): it is returned as it is
    assert (await gateway.data(CANCEL, {"id": run["runId"]}))["cancelRun"]["status"] == "COMPLETED"
    assert await counts(gateway.db) == before


async def test_malformed_graphql_is_a_clear_error_and_changes_nothing(gateway: Served, checkout: str) -> None:
    before = await counts(gateway.db)
    response = await gateway.post('mutation { startRun(workflowName: "Checkout", input: "{}" ')
    assert response.json()["errors"][0]["message"].startswith("Syntax Error: Expected Name, found <EOF>")
    message = await gateway.error('mutation { startRun(workflowName: "Checkout", colour: 1) { runId } }')
    assert "Unknown argument 'colour'" in message
    assert await counts(gateway.db) == before


async def test_database_errors_are_masked(gateway: Served, db: Database, checkout: str) -> None:
    """An internal failure does not show SQL or internals to the caller."""
    await db.pool.execute("ALTER TABLE waymark.runs RENAME COLUMN traceparent TO traceparent_gone")
    message = await gateway.error("{ runs { items { runId } } }")
    assert message == "internal error (the gateway's log has details)"
