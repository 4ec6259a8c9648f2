"""List, dict and set comprehensions (nested, filtered), generator expressions in reducing builtins."""

from __future__ import annotations

from waymark import Workflow, action, workflow

from .diffcase import case


@action(name="d_comp_square")
async def square(n: int) -> int:
    return n * n


@workflow(name="d_comp_basic")
class Basic(Workflow):
    async def run(self, n: int) -> list[object]:
        squares = [i * i for i in range(n)]
        evens = [i for i in range(n) if i % 2 == 0]
        table = {i: str(i) for i in range(n) if i}
        letters = {c.upper() for c in "mississippi"}
        pairs = [(i, j) for i in range(3) for j in range(i)]
        matrix = [[i * j for j in range(3)] for i in range(3)]
        flat = [x for row in matrix for x in row if x]
        return [squares, evens, table, letters, pairs, matrix, flat]


@workflow(name="d_comp_reduce")
class Reduce(Workflow):
    async def run(self, items: list[int]) -> list[object]:
        return [
            sum(x * 2 for x in items),
            any(x > 2 for x in items),
            all(x > 0 for x in items),
            max(x % 3 for x in items),
            sorted({x % 3 for x in items}),
            len([x for x in items if x > 1]),
        ]


@workflow(name="d_comp_with_actions")
class WithActions(Workflow):
    async def run(self, n: int) -> list[int]:
        results = []
        for i in range(n):
            results.append(await square(i))
        return [r + 1 for r in results if r % 2 == 0]


@workflow(name="d_comp_scoping")
class Scoping(Workflow):
    async def run(self) -> list[object]:
        x = "outer"
        values = [x * 2 for x in range(3)]
        return [x, values]


@workflow(name="d_comp_dict_ops")
class DictOps(Workflow):
    async def run(self, prices: dict[str, float]) -> dict[str, object]:
        doubled = {name: price * 2 for name, price in prices.items()}
        inverted = {price: name for name, price in prices.items()}
        return {"doubled": doubled, "inverted": inverted, "names": sorted(prices)}


@workflow(name="d_comp_generator_next")
class GeneratorNext(Workflow):
    async def run(self, days: list[int]) -> list[object]:
        # a generator expression is an iterator: next() with and without a default, partly consumed, then the rest
        first_even = next((d for d in days if d % 2 == 0), None)
        first_big = next((d for d in days if d > 1000), "none")
        first = next(d * 10 for d in days)
        gen = (d + 1 for d in days)
        head = [next(gen), next(gen)]
        rest = list(gen)
        return [
            first_even,
            first_big,
            first,
            head,
            rest,
            list(gen),
            sum(d for d in days),
            max((d for d in days), default=0),
        ]


CASES = [
    case("basic", Basic, 5),
    case("reduce", Reduce, [3, 1, 4, 1, 5]),
    case("with_actions", WithActions, 5),
    case("scoping", Scoping),
    case("dict_ops", DictOps, {"tea": 1.5, "cake": 3.0}),
    case("generator_next", GeneratorNext, [7, 3, 8, 5, 12]),
]
