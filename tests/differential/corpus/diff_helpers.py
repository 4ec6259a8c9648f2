"""Calls to `self` helper methods, sync and async, with defaults, nested, recursive; helpers that await actions and
sleep."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, workflow

from .diffcase import case


@action(name="d_helpers_fetch")
async def fetch(key: str) -> int:
    return len(key)


@workflow(name="d_helpers_basic")
class Basic(Workflow):
    async def run(self, keys: list[str]) -> list[object]:
        total = await self.total(keys)
        return [total, self.describe(total), self.describe(total, unit="chars"), self.fib(10)]

    async def total(self, keys: list[str]) -> int:
        result = 0
        for key in keys:
            result += await self.fetch_twice(key)
        return result

    async def fetch_twice(self, key: str) -> int:
        await asyncio.sleep(5)
        first: int = await fetch(key)
        second: int = await fetch(key + key)
        return first + second

    def describe(self, n: int, unit: str = "units") -> str:
        return f"{n} {unit}"

    def fib(self, n: int) -> int:
        return n if n < 2 else self.fib(n - 1) + self.fib(n - 2)


@workflow(name="d_helpers_raising")
class Raising(Workflow):
    async def run(self, n: int) -> str:
        try:
            return self.check(n)
        except ValueError as exc:
            return f"invalid: {exc}"

    def check(self, n: int) -> str:
        if n < 0:
            raise ValueError(f"{n} is negative")
        return "valid"


@workflow(name="d_helpers_mutation")
class Mutation(Workflow):
    async def run(self) -> list[int]:
        items: list[int] = []
        self.fill(items, 3)
        return items

    def fill(self, items: list[int], n: int) -> None:
        for i in range(n):
            items.append(i * i)


CASES = [
    case("basic", Basic, ["a", "bb"]),
    case("raising_ok", Raising, 3),
    case("raising", Raising, -3),
    case("mutation", Mutation),
]
