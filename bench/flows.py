"""The workflows and actions every Waymark scenario runs (`waymark-start-workers bench.flows`)."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, workflow


@action
async def noop(i: int) -> int:
    return i


@workflow
class TenSteps(Workflow):
    """Throughput: ten sequential no-op actions."""

    async def run(self, steps: int = 10) -> int:
        total = 0
        for i in range(steps):
            total += await noop(i)
        return total


@workflow
class OneStep(Workflow):
    """Latency: one action, then the result."""

    async def run(self) -> int:
        return await noop(1)


@workflow
class LongLoop(Workflow):
    """Resume cost: one run, many sequential steps."""

    async def run(self, steps: int) -> int:
        total = 0
        for i in range(steps):
            total += await noop(i)
        return total


@workflow
class Sleeper(Workflow):
    """Durable sleep: the run holds no memory anywhere while it waits."""

    async def run(self, seconds: float) -> int:
        await asyncio.sleep(seconds)
        return 1
