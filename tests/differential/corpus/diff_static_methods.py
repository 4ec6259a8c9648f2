"""`@staticmethod` and `@classmethod` helpers of the workflow class, sync and async, called as `self.name(...)` and
`ClassName.name(...)`, passed as a key function, with defaults, keyword-only and `*args` parameters, raising, and a
class method calling the class's other static/class methods and reading its constants."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, workflow

from .diffcase import case


@action(name="d_static_fetch")
async def fetch(key: str) -> int:
    return len(key)


@workflow(name="d_static_basic")
class StaticBasic(Workflow):
    SUFFIX = "!"

    @staticmethod
    def norm(x: str, upper: bool = False) -> str:
        x = x.strip().lower()
        return x.upper() if upper else x

    @staticmethod
    async def fetch_norm(x: str) -> int:
        await asyncio.sleep(3)
        return await fetch(StaticBasic.norm(x)) * 10

    @staticmethod
    def total(*values: int, scale: int = 1) -> int:
        return sum(values) * scale

    @classmethod
    def shout(cls, x: str) -> str:
        return cls.norm(x, upper=True) + cls.SUFFIX

    @classmethod
    async def afetch(cls, x: str) -> int:
        return await cls.fetch_norm(x) + 1

    async def run(self, names: list[str]) -> list[object]:
        normed = [self.norm(n) for n in names]
        fetched = [await self.fetch_norm(n) for n in names]
        return [
            normed,
            StaticBasic.norm(names[0], upper=True),
            fetched,
            await StaticBasic.fetch_norm("  Ab "),
            self.total(1, 2, 3),
            StaticBasic.total(*fetched, scale=2),
            self.shout(names[-1]),
            StaticBasic.shout("x"),
            await self.afetch("abc"),
            sorted(names, key=self.norm),
            sorted(names, key=StaticBasic.norm),
        ]


@workflow(name="d_static_raising")
class StaticRaising(Workflow):
    @staticmethod
    def check(n: int) -> int:
        if n < 0:
            raise ValueError(f"{n} is negative")
        return n

    async def run(self, n: int) -> str:
        try:
            return str(self.check(n) + StaticRaising.check(n))
        except ValueError as exc:
            return f"invalid: {exc}"


@workflow(name="d_static_bad_args")
class StaticBadArgs(Workflow):
    @staticmethod
    def pair(a: int, b: int) -> tuple[int, int]:
        return (a, b)

    async def run(self, values: list[int]) -> tuple[int, int]:
        return self.pair(*values)


CASES = [
    case("basic", StaticBasic, [" Hello", "WORLD ", "b"]),
    case("raising ok", StaticRaising, 2),
    case("raising", StaticRaising, -1),
    case("bad args", StaticBadArgs, [1, 2, 3], raises="builtins.TypeError"),
    case("good args", StaticBadArgs, [1, 2]),
]
