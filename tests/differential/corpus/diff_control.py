"""Control flow: if/elif/else, for and while with break/continue/else, nested loops, early returns."""

from __future__ import annotations

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_control_branches")
class Branches(Workflow):
    async def run(self, n: int) -> str:
        if n < 0:
            kind = "negative"
        elif n == 0:
            kind = "zero"
        elif n % 2 == 0 and n > 10:
            kind = "big even"
        else:
            kind = "other"
        return kind if n != 7 else "seven"


@workflow(name="d_control_for")
class ForLoops(Workflow):
    async def run(self, n: int) -> list[object]:
        evens: list[object] = []
        for i in range(n):
            if i % 2:
                continue
            if i > 6:
                break
            evens.append(i)
        else:
            evens.append("no break")
        pairs = []
        for i, letter in enumerate("abc", start=1):
            for j in range(i):
                pairs.append(f"{letter}{j}")
        zipped = []
        for a, b in zip([1, 2, 3], "xy", strict=False):
            zipped.append((a, b))
        backwards = [-i for i in range(n, 0, -2)]
        return [evens, pairs, zipped, backwards]


@workflow(name="d_control_while")
class WhileLoops(Workflow):
    async def run(self, n: int) -> list[object]:
        steps = 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
            if steps > 1000:
                break
        else:
            steps = -steps
        count = 0
        while True:
            count += 1
            if count >= 5:
                break
        return [steps, count]


@workflow(name="d_control_search")
class Search(Workflow):
    async def run(self, items: list[int], target: int) -> object:
        for index, item in enumerate(items):
            if item == target:
                return index
        return None


@workflow(name="d_control_nested_break")
class NestedBreak(Workflow):
    async def run(self, grid: list[list[int]]) -> list[object]:
        found = None
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value < 0:
                    found = (r, c)
                    break
            else:
                continue
            break
        return [found]


@workflow(name="d_control_loop_over_dict")
class LoopOverDict(Workflow):
    async def run(self, prices: dict[str, int]) -> list[object]:
        names = []
        total = 0
        for name in prices:
            names.append(name)
        for name, price in prices.items():
            total += price + len(name)
        for price in prices.values():
            total += price
        return [names, total, sorted(prices.keys())]


@workflow(name="d_control_ternary_chain")
class TernaryChain(Workflow):
    async def run(self, n: int) -> str:
        return "small" if n < 10 else "medium" if n < 100 else "large"


CASES = [
    case("branch_negative", Branches, -5),
    case("branch_zero", Branches, 0),
    case("branch_big_even", Branches, 12),
    case("branch_other", Branches, 3),
    case("branch_seven", Branches, 7),
    case("for_break", ForLoops, 20),
    case("for_else", ForLoops, 5),
    case("while_collatz", WhileLoops, 27),
    case("while_one", WhileLoops, 1),
    case("search_found", Search, [5, 3, 9], 9),
    case("search_missing", Search, [5, 3, 9], 4),
    case("nested_break", NestedBreak, [[1, 2], [3, -4], [-5]]),
    case("nested_none", NestedBreak, [[1, 2], [3]]),
    case("dict_loops", LoopOverDict, {"b": 2, "a": 1, "c": 3}),
    case("ternary_small", TernaryChain, 3),
    case("ternary_large", TernaryChain, 300),
]
