"""asyncio.gather: static arms, arms from a comprehension, return_exceptions=True, the first failure raising."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, workflow

from .diffcase import case


@action(name="d_gather_work")
async def work(n: int) -> int:
    if n < 0:
        raise ValueError(f"negative {n}")
    return n * 10


@workflow(name="d_gather_static")
class Static(Workflow):
    async def run(self, a: int, b: int) -> list[int]:
        first, second = await asyncio.gather(work(a), work(b))
        return [first, second, first + second]


@workflow(name="d_gather_comprehension")
class Comprehension(Workflow):
    async def run(self, items: list[int]) -> list[int]:
        results = await asyncio.gather(*[work(i) for i in items])
        return list(results)


@workflow(name="d_gather_exceptions")
class Exceptions(Workflow):
    async def run(self, items: list[int]) -> list[str]:
        results = await asyncio.gather(*[work(i) for i in items], return_exceptions=True)
        return [f"error: {r}" if isinstance(r, Exception) else f"ok: {r}" for r in results]


@workflow(name="d_gather_failure")
class Failure(Workflow):
    async def run(self, items: list[int]) -> str:
        try:
            await asyncio.gather(*[work(i) for i in items])
        except ValueError as exc:
            return f"failed: {exc}"
        return "all ok"


@workflow(name="d_gather_empty")
class Empty(Workflow):
    async def run(self) -> list[object]:
        return list(await asyncio.gather())


@workflow(name="d_gather_sleeps")
class Sleeps(Workflow):
    async def run(self) -> list[object]:
        results = await asyncio.gather(asyncio.sleep(30), work(1), asyncio.sleep(10))
        return [*results, await work(2)]


CASES = [
    case("static", Static, 1, 2),
    case("comprehension", Comprehension, [1, 2, 3, 4]),
    case("exceptions", Exceptions, [1, -2, 3]),
    case("failure", Failure, [1, -2, 3]),
    case("no_failure", Failure, [1, 2]),
    case("empty", Empty),
    case("sleeps", Sleeps),
]
