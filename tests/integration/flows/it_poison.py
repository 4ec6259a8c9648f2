"""A run whose advance Postgres refuses to store (a durable sleep beyond what an interval can hold), next to healthy
runs that must not be held back by it."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, workflow


@action
async def poison_echo(x: int) -> int:
    return x


@workflow
class Oversleeper(Workflow):
    async def run(self, seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "woke"


@workflow
class Healthy(Workflow):
    async def run(self, x: int) -> int:
        value = await poison_echo(x)
        await asyncio.sleep(0.2)
        return value
