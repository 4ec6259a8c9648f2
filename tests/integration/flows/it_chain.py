"""A chain of sequential actions with durable sleeps between them (the crash tests' workload)."""

from __future__ import annotations

import asyncio

from it_support import log_execution
from waymark import Workflow, action, workflow


@action
async def chain_step(step: int, value: int, work: float) -> int:
    log_execution("start", step=step)
    await asyncio.sleep(work)  # long enough for a kill to land mid-action
    log_execution("end", step=step)
    return value * 2 + step


@workflow
class Chain(Workflow):
    """`steps` actions, `pause` durable seconds apart; each action doubles the value and adds its step number."""

    async def run(self, seed: int, steps: int = 5, pause: float = 1.0, work: float = 0.3) -> int:
        value = seed
        for step in range(steps):
            if step > 0:
                await asyncio.sleep(pause)
            value = await chain_step(step, value, work)
        return value


def expected_chain(seed: int, steps: int = 5) -> int:
    value = seed
    for step in range(steps):
        value = value * 2 + step
    return value
