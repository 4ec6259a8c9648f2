"""Assignments: plain, chained, tuple unpacking (nested, starred), augmented, swaps, deletes, module constants."""

from __future__ import annotations

from typing import Any

from waymark import Workflow, workflow

from .diffcase import case

LIMIT = 3
NAMES = ("ana", "bo")


@workflow(name="d_assign_basic")
class Basic(Workflow):
    async def run(self, a: int, b: int) -> list[int]:
        x = a
        y = z = b
        x, y = y, x
        z += x * 2
        z -= 1
        z *= 3
        return [x, y, z]


@workflow(name="d_assign_unpack")
class Unpack(Workflow):
    async def run(self, items: list[int], text: Any = "abc") -> dict[str, object]:
        first, *middle, last = items
        (p, q), r = (1, 2), 3
        head, *tail = text
        return {"first": first, "middle": middle, "last": last, "pqr": (p, q, r), "head": head, "tail": tail}


@workflow(name="d_assign_augmented")
class Augmented(Workflow):
    async def run(self, n: int) -> list[object]:
        text = "x"
        text += "y" * n
        items = [1]
        alias = items
        items += [2, 3]  # in place: the alias sees it
        pairs: tuple[int, ...] = (1,)
        pairs += (2,)
        counts = {"a": 1}
        counts["a"] += 10
        counts["b"] = counts.get("b", 0) + 1
        nested = [[0, 0], [0, 0]]
        nested[1][0] += 5
        value = 7
        value //= 2
        value **= 3
        value %= 10
        bits = 0b1010
        bits |= 1
        bits &= 0b0111
        bits ^= 0b100
        bits <<= 2
        bits >>= 1
        return [text, alias, pairs, counts, nested, value, bits]


@workflow(name="d_assign_delete")
class Delete(Workflow):
    async def run(self) -> list[object]:
        data = {"a": 1, "b": 2, "c": 3}
        del data["b"]
        items = [0, 1, 2, 3, 4]
        del items[1]
        gone = 5
        del gone
        return [data, items]


@workflow(name="d_assign_unbound")
class Unbound(Workflow):
    async def run(self, flag: bool) -> int:
        if flag:
            value = 1
        return value  # unbound when flag is false: UnboundLocalError in both


@workflow(name="d_assign_constants")
class Constants(Workflow):
    async def run(self) -> list[object]:
        total = 0
        for i in range(LIMIT):
            total += i
        return [total, NAMES[1], len(NAMES)]


@workflow(name="d_assign_unpack_error")
class UnpackError(Workflow):
    async def run(self, items: list[int]) -> int:
        a, b = items
        return a + b


CASES = [
    case("basic", Basic, 2, 5),
    case("unpack", Unpack, [1, 2, 3, 4]),
    case("unpack_short", Unpack, [1, 2]),
    case("augmented", Augmented, 3),
    case("delete", Delete),
    case("bound", Unbound, True),
    case("unbound", Unbound, False, raises="builtins.UnboundLocalError"),
    case("constants", Constants),
    case("unpack_ok", UnpackError, [1, 2]),
    case("unpack_too_many", UnpackError, [1, 2, 3], raises="builtins.ValueError"),
    case("unpack_too_few", UnpackError, [1], raises="builtins.ValueError"),
]
