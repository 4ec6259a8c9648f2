"""Subscriptions over a real websocket speaking graphql-transport-ws, fed by LISTEN/NOTIFY from the real services."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import orjson
from gw_support import Served
from waymark_store.settings import Settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

START = """mutation($name: String!, $input: String!) { startRun(workflowName: $name, input: $input) { runId } }"""
SIGNAL = """mutation($id: ID!, $value: String) { signalRun(runId: $id, name: "go", value: $value) { runId } }"""
WAIT = 60.0  # seconds any one message may take (a generous bound for a loaded machine, not a measurement)


class GraphQLSocket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), WAIT))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            if message["type"] != "pong":
                return message

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        await self.send({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})


def socket_to(gateway: Served) -> Any:
    return connect(gateway.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=WAIT)


async def opened(ws: ClientConnection, payload: dict[str, Any] | None = None) -> GraphQLSocket:
    socket = GraphQLSocket(ws)
    await socket.send({"type": "connection_init", "payload": payload or {}})
    assert (await socket.receive())["type"] == "connection_ack"
    return socket


async def test_run_subscription_follows_a_run_until_it_completes(services: Settings, gateway: Served) -> None:
    started = await gateway.data(START, {"name": "GwSignalled", "input": '{"name": "ann"}'})
    run_id = started["startRun"]["runId"]
    async with socket_to(gateway) as ws:
        socket = await opened(ws)
        await socket.subscribe(
            "1", "subscription($id: ID!) { run(runId: $id) { runId status result events { kind } } }", {"id": run_id}
        )
        first = await socket.receive()
        assert first["type"] == "next" and first["id"] == "1", first
        assert first["payload"]["data"]["run"]["runId"] == run_id
        states = [first["payload"]["data"]["run"]]
        # wait until the run waits for its signal, then send it
        while states[-1]["status"] != "WAITING":
            message = await socket.receive()
            assert message["type"] == "next", message
            states.append(message["payload"]["data"]["run"])
        await gateway.data(SIGNAL, {"id": run_id, "value": "2"})
        while True:
            message = await socket.receive()
            if message["type"] == "complete":
                break
            assert message["type"] == "next", message
            states.append(message["payload"]["data"]["run"])
        assert states[-1]["status"] == "COMPLETED"
        assert orjson.loads(states[-1]["result"]) == "ann:4"
        assert "signal" in [event["kind"] for event in states[-1]["events"]]
        assert all(state["status"] != "COMPLETED" for state in states[:-1])  # completes after the terminal state


async def test_runs_changed_sends_batches_of_changed_runs(services: Settings, gateway: Served) -> None:
    async with socket_to(gateway) as ws:
        socket = await opened(ws)
        await socket.subscribe("all", "subscription { runsChanged { runId workflowName status } }")
        await socket.subscribe(
            "sleepy", 'subscription { runsChanged(workflowName: "GwSleepy") { runId workflowName status } }'
        )
        # (should the start's notification beat the subscription, the run's later ones still name it)
        doubled = (await gateway.data(START, {"name": "GwDouble", "input": '{"x": 1}'}))["startRun"]["runId"]
        seen: dict[str, list[dict[str, Any]]] = {"all": [], "sleepy": []}
        while not any(r["runId"] == doubled and r["status"] == "COMPLETED" for r in seen["all"]):
            message = await socket.receive()
            assert message["type"] == "next", message
            seen[message["id"]] += message["payload"]["data"]["runsChanged"]
        assert {r["workflowName"] for r in seen["all"]} == {"GwDouble"}
        assert seen["sleepy"] == []  # filtered out


async def test_subscribing_to_an_unknown_run_is_an_error(gateway: Served) -> None:
    async with socket_to(gateway) as ws:
        socket = await opened(ws)
        missing = "00000000-0000-0000-0000-000000000000"
        await socket.subscribe("1", "subscription($id: ID!) { run(runId: $id) { status } }", {"id": missing})
        message = await socket.receive()
        assert message["type"] in ("error", "next"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert f"run {missing} does not exist" in errors[0]["message"]
