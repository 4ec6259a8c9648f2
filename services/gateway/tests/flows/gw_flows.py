"""Workflows the gateway's tests run through the real services (compiler, scheduler, timer, a worker)."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, wait_for_signal, workflow


@action
async def gw_double(x: int) -> int:
    return x * 2


class Boom(Exception):
    pass


@action
async def gw_explode(message: str) -> None:
    raise Boom(message)


@workflow
class GwDouble(Workflow):
    async def run(self, x: int, label: str = "") -> int:
        return await gw_double(x)


@workflow
class GwSignalled(Workflow):
    async def run(self, name: str) -> str:
        value = await wait_for_signal("go")
        doubled = await gw_double(value)
        return f"{name}:{doubled}"


@workflow
class GwFails(Workflow):
    async def run(self) -> None:
        await gw_explode("boom")


@workflow
class GwSleepy(Workflow):
    async def run(self, seconds: float = 0.1) -> str:
        await asyncio.sleep(seconds)  # durable: a timer row
        return "slept"


@workflow
class GwParent(Workflow):
    async def run(self, x: int) -> int:
        return await GwDouble().run(x=x)
