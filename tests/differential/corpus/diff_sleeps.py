"""Durable sleeps: between actions, in loops, as timedeltas, zero; the virtual time of every action call is compared."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from waymark import Workflow, action, workflow

from .diffcase import case


@action(name="d_sleeps_stamp")
async def stamp(label: str) -> str:
    return label.upper()


@workflow(name="d_sleeps_between")
class Between(Workflow):
    async def run(self, seconds: float) -> list[str]:
        out = [await stamp("a")]
        await asyncio.sleep(seconds)
        out.append(await stamp("b"))
        await asyncio.sleep(seconds * 2)
        out.append(await stamp("c"))
        return out


@workflow(name="d_sleeps_loop")
class Loop(Workflow):
    async def run(self, n: int) -> int:
        done = 0
        for i in range(n):
            await asyncio.sleep(60 * (i + 1))
            await stamp(f"tick{i}")
            done += 1
        return done


@workflow(name="d_sleeps_timedelta")
class Timedelta(Workflow):
    async def run(self) -> object:
        await asyncio.sleep(timedelta(days=2, hours=3))  # type: ignore[call-overload]  # waymark accepts it
        first = await stamp("later")
        await asyncio.sleep(0)
        return first + await stamp("now")


@workflow(name="d_sleeps_long")
class Long(Workflow):
    async def run(self) -> object:
        await asyncio.sleep(365 * 24 * 3600)
        return await stamp("a year later")


CASES = [
    case("between", Between, 3600),
    case("between_fractional", Between, 0.25),
    case("loop", Loop, 4),
    case("timedelta", Timedelta),
    case("long", Long),
]
