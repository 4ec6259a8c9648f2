"""Workflows whose traces the tracing test reads: an action, a retried action, a durable sleep and a child run."""

from __future__ import annotations

import asyncio

from it_support import log_execution
from opentelemetry import trace
from waymark import RetryPolicy, Workflow, action, current_call, workflow


@action
async def lookup(order_id: int) -> int:
    with trace.get_tracer("it_traced").start_as_current_span("lookup.inner"):  # the action's own span
        return order_id * 10


@action(retry=RetryPolicy(attempts=2))
async def flaky(order_id: int) -> str:
    attempt = current_call().attempt
    log_execution("flaky", attempt=attempt)
    if attempt == 1:
        raise ConnectionError("first attempt fails")
    return f"ok-{order_id}"


@workflow
class TracedChild(Workflow):
    async def run(self, value: int) -> int:
        return await lookup(value) + 1


@workflow
class Traced(Workflow):
    async def run(self, order_id: int) -> list[object]:
        found = await lookup(order_id)
        await asyncio.sleep(0.2)
        child = await TracedChild().run(value=found)
        return [found, await flaky(order_id), child]
