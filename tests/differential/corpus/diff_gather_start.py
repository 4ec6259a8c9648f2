"""When work starts: asyncio.gather() schedules its arms when it is called (they run as soon as the workflow next
waits), while a coroutine or action call that is not awaited does not start until it is awaited."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, workflow

from .diffcase import case


@action(name="d_gstart_step")
async def step(name: str) -> str:
    return f"{name}!"


@action(name="d_gstart_fail")
async def fail(name: str) -> str:
    raise RuntimeError(f"{name} failed")


@workflow(name="d_gstart_early")
class Early(Workflow):
    async def slow(self, name: str) -> str:
        await asyncio.sleep(10)
        return await step(name)

    async def run(self) -> list[object]:
        pending = asyncio.gather(self.slow("a"), step("b"))
        first = await step("first")
        await asyncio.sleep(30)
        both = await pending
        again = await pending
        return [first, both, again]


@workflow(name="d_gstart_late_coroutine")
class LateCoroutine(Workflow):
    async def helper(self, name: str) -> str:
        await asyncio.sleep(5)
        return await step(name)

    async def run(self) -> list[str]:
        later = self.helper("later")
        call = step("call")
        now = await step("now")
        await asyncio.sleep(20)
        return [now, await later, await call]


@workflow(name="d_gstart_failing")
class Failing(Workflow):
    async def run(self) -> list[str]:
        pending = asyncio.gather(fail("x"), step("y"))
        await asyncio.sleep(5)
        out = [await step("z")]
        try:
            await pending
        except RuntimeError as exc:
            out.append(str(exc))
        kept = asyncio.gather(fail("p"), step("q"), return_exceptions=True)
        await asyncio.sleep(1)
        out.append(repr(await kept))
        return out


@workflow(name="d_gstart_immediate")
class Immediate(Workflow):
    async def run(self) -> list[str]:
        out = []
        for name in ["a", "b"]:
            gathered = asyncio.gather(step(name), step(name + "2"))
            out.extend(await gathered)
        return out


CASES = [
    case("early", Early),
    case("late_coroutine", LateCoroutine),
    case("failing", Failing),
    case("immediate", Immediate),
]
