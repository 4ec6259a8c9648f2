"""Awaits in unusual places: inside list/dict comprehensions, gathers over helper coroutines, loops of actions and
sleeps, gathers whose arms fail with return_exceptions=True."""

from __future__ import annotations

import asyncio
from typing import Any

from waymark import Workflow, action, workflow

from .diffcase import case


class Unlucky(Exception):
    pass


@action(name="d_async_square")
async def square(n: int) -> int:
    if n == 13:
        raise Unlucky(f"{n} is unlucky")
    return n * n


@workflow(name="d_async_comprehension")
class Comprehension(Workflow):
    async def run(self, n: int) -> list[object]:
        squares = [await square(i) for i in range(n)]
        odd = {i: await square(i) for i in range(n) if i % 2}
        return [squares, odd]


@workflow(name="d_async_gather_helpers")
class GatherHelpers(Workflow):
    async def run(self, n: int) -> list[int]:
        return list(await asyncio.gather(*[self.step(i) for i in range(n)]))

    async def step(self, i: int) -> int:
        await asyncio.sleep(10 * (3 - i))  # finish in the reverse order: results stay in argument order
        value: int = await square(i)
        return value + 1


@workflow(name="d_async_gather_mixed")
class GatherMixed(Workflow):
    async def run(self) -> list[object]:
        results = await asyncio.gather(square(2), square(13), self.later(3), return_exceptions=True)
        return [[isinstance(r, Unlucky) for r in results], str(results[1]), results[1].args, results[2]]

    async def later(self, n: int) -> Any:
        await asyncio.sleep(60)
        return await square(n)


@workflow(name="d_async_while")
class While(Workflow):
    async def run(self, n: int) -> list[int]:
        i = 0
        out = []
        while i < n:
            out.append(await square(i))
            await asyncio.sleep(1)
            i += 1
        return out


CASES = [
    case("comprehension", Comprehension, 5),
    case("comprehension_raises", Comprehension, 14, raises="corpus.diff_async.Unlucky"),
    case("gather_helpers", GatherHelpers, 3),
    case("gather_mixed", GatherMixed),
    case("while", While, 3),
]
