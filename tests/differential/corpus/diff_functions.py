"""Functions as values: sorted/min/max/list.sort with key= (builtins, unbound str methods, bound methods of data,
sync workflow helpers), map, filter, and type()/__class__ in messages."""

from __future__ import annotations

from operator import attrgetter, itemgetter

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_functions_keys")
class Keys(Workflow):
    def weight(self, item: dict[str, int]) -> int:
        return item["qty"] * item["price"]

    async def run(self, words: list[str], items: list[dict[str, int]]) -> list[object]:
        counts: dict[str, int] = {}
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        by_len = sorted(words, key=len)
        ordered = list(words)
        ordered.sort(key=str.lower, reverse=True)
        return [
            by_len,
            ordered,
            sorted(words, key=str.lower),
            max(counts, key=counts.get),
            min(counts, key=counts.get),
            sorted(counts, key=counts.get, reverse=True),
            sorted(items, key=self.weight),
            max(items, key=self.weight),
            min([-3, 2, -1], key=abs),
            sorted([3, -1, 2, -5], key=abs, reverse=True),
            list(map(str, [1, 2, 3])),
            ", ".join(map(str.upper, words)),
            list(map(self.weight, items)),
            list(filter(None, [0, 1, "", "a", None, [], [0]])),
            list(map(len, words)),
            sum(map(abs, [-1, -2, 3])),
            max(words, key=len, default="none"),
            min([], key=len, default="none"),
        ]


@workflow(name="d_functions_types")
class Types(Workflow):
    async def run(self, values: list[object]) -> list[object]:
        out: list[object] = []
        for value in values:
            out.append(type(value).__name__)
            out.append(value.__class__.__name__)
        first, second = values[0], values[1]
        out.append(type(first) is int)
        out.append(type(second) is int)
        out.append(type(first) is type(second))
        out.append(isinstance(3, type(first)))
        out.append(str(type(second)))
        out.append(repr(type(first)))
        try:
            int("x")
        except ValueError as exc:
            out.append(f"{type(exc).__name__}: {exc}")
            out.append(exc.__class__.__module__)
        return out


@workflow(name="d_functions_key_errors")
class KeyErrors(Workflow):
    def bad(self, x: int) -> int:
        return 10 // x

    async def run(self, xs: list[int]) -> list[int]:
        return sorted(xs, key=self.bad)


CASES = [
    case(
        "keys",
        Keys,
        ["pear", "Apple", "fig", "apple", "pear", "Banana", "fig", "pear"],
        [{"qty": 2, "price": 5}, {"qty": 1, "price": 3}, {"qty": 4, "price": 1}],
    ),
    case("types", Types, [1, 1.5, "s", None, True, [1], (1,), {"a": 1}, {1}]),
    case("key_ok", KeyErrors, [5, 1, 2]),
    case("key_raises", KeyErrors, [5, 0, 2], raises="builtins.ZeroDivisionError"),
]


@workflow(name="d_functions_getters")
class Getters(Workflow):
    async def run(self, rows: list[dict[str, int]], points: list[tuple[int, int]]) -> list[object]:
        by_price = sorted(rows, key=itemgetter("price"))
        by_two = sorted(rows, key=itemgetter("qty", "price"), reverse=True)
        return [
            by_price,
            by_two,
            max(points, key=itemgetter(1)),
            list(map(itemgetter(0), points)),
            min(rows, key=itemgetter("qty")),
            sorted([Exception("b"), Exception("a")], key=attrgetter("args")),
        ]


CASES.append(
    case(
        "getters",
        Getters,
        [{"price": 3, "qty": 1}, {"price": 1, "qty": 5}, {"price": 2, "qty": 5}],
        [(1, 9), (4, 2), (0, 10)],
    )
)


@workflow(name="d_functions_class_reprs")
class ClassReprs(Workflow):
    async def run(self, value: object) -> list[str]:
        kinds = [int, str, type(value)]
        return [repr(kinds), f"unexpected {type(value)}", str(type(value)), f"{kinds[0]!r}"]


CASES.append(case("class_reprs", ClassReprs, 1.5))
