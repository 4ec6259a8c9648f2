"""Durable sleeps only: what the timer tests need."""

from __future__ import annotations

import asyncio

from waymark import Workflow, workflow


@workflow
class Sleeper(Workflow):
    """`naps` durable sleeps of `seconds` each, one after the other."""

    async def run(self, naps: int, seconds: float) -> int:
        slept = 0
        for _ in range(naps):
            await asyncio.sleep(seconds)
            slept = slept + 1
        return slept


@workflow
class ParallelSleeper(Workflow):
    """`naps` durable sleeps at once (a gather of timers)."""

    async def run(self, naps: int, seconds: float) -> int:
        done = await asyncio.gather(*[asyncio.sleep(seconds) for _ in range(naps)])
        return len(done)
