"""Workflows that link runs: child workflows, signals with timeouts, cancellation with cleanup."""

from __future__ import annotations

import asyncio

import waymark
from waymark import Workflow, action, workflow


class Rejected(Exception):
    pass


@action
async def double(x: int) -> int:
    return 2 * x


@action
async def slow_step(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "finished"


@action
async def record_cleanup(label: str) -> str:
    return f"cleaned {label}"


@workflow
class Doubler(Workflow):
    async def run(self, x: int) -> int:
        await asyncio.sleep(0.2)
        if x < 0:
            raise Rejected(f"negative input {x}")
        return await double(x)


@workflow
class FanOutParent(Workflow):
    async def run(self, n: int) -> list[int]:
        return await asyncio.gather(*[Doubler().run(x=i) for i in range(n)])


@workflow
class CatchingParent(Workflow):
    async def run(self, x: int) -> str:
        try:
            value = await Doubler().run(x=x)
        except Rejected as exc:
            return f"child failed: {exc}"
        return f"child gave {value}"


@workflow
class Approval(Workflow):
    async def run(self, timeout: float) -> str:
        try:
            decision = await waymark.wait_for_signal("decision", timeout=timeout)
        except TimeoutError:
            return "timed out"
        return f"decided: {decision['by']}"


@workflow
class LongJob(Workflow):
    async def run(self, label: str) -> str:
        try:
            await asyncio.sleep(3600)
            return "slept"
        finally:
            await record_cleanup(label)


@workflow
class BusyJob(Workflow):
    async def run(self) -> str:
        return await slow_step(3600)


@workflow
class CancelsChild(Workflow):
    async def run(self) -> str:
        return await LongJob().run(label="child")
