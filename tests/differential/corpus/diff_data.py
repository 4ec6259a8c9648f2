"""Methods of plain data (list, dict, set, tuple, str), subscripts and slices, isinstance, conversions."""

from __future__ import annotations

import enum

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_data_lists")
class Lists(Workflow):
    async def run(self, items: list[int]) -> list[object]:
        work = list(items)
        work.append(10)
        work.extend([20, 30])
        work.insert(0, -1)
        popped = work.pop()
        first = work.pop(0)
        work.remove(10)
        work.sort()
        ordered = list(work)
        work.reverse()
        return [
            work,
            ordered,
            popped,
            first,
            work.index(20),
            work.count(20),
            work[1:3],
            work[::2],
            work[-1],
            items,
            20 in work,
            len(work),
            [*work, 1],
            work * 2,
            sorted(work, reverse=True),
        ]


@workflow(name="d_data_dicts")
class Dicts(Workflow):
    async def run(self, data: dict[str, int]) -> list[object]:
        work = dict(data)
        work["z"] = 26
        work.update({"a": 100, "y": 25})
        removed = work.pop("b", None)
        missing = work.pop("nope", "default")
        work.setdefault("m", 13)
        work.setdefault("a", -1)
        return [
            work,
            list(work.keys()),
            list(work.values()),
            list(work.items()),
            work.get("a"),
            work.get("q"),
            work.get("q", 0),
            removed,
            missing,
            "a" in work,
            len(work),
            {**work, "extra": 1},
        ]


@workflow(name="d_data_sets_tuples")
class SetsTuples(Workflow):
    async def run(self, a: list[int], b: list[int]) -> list[object]:
        left, right = set(a), set(b)
        left.add(99)
        left.discard(1)
        point = (1, "two", 3.0)
        return [
            left | right,
            left & right,
            left - right,
            left ^ right,
            99 in left,
            sorted(left),
            point[1],
            point[-1],
            point[:2],
            len(point),
            tuple(a),
            frozenset(b),
            point.index("two"),
            point.count(1),
        ]


@workflow(name="d_data_isinstance")
class IsInstance(Workflow):
    async def run(self, values: list[object]) -> list[str]:
        kinds = []
        for value in values:
            if isinstance(value, bool):
                kinds.append("bool")
            elif isinstance(value, int):
                kinds.append("int")
            elif isinstance(value, (float, str)):
                kinds.append("float or str")
            elif isinstance(value, dict):
                kinds.append("dict")
            elif isinstance(value, (list, tuple)):
                kinds.append("sequence")
            elif value is None:
                kinds.append("none")
            else:
                kinds.append("other")
        return kinds


@workflow(name="d_data_subscript_errors")
class SubscriptErrors(Workflow):
    async def run(self, data: dict[str, int], key: str) -> int:
        return data[key]


@workflow(name="d_data_nested")
class Nested(Workflow):
    async def run(self, order: dict[str, object]) -> list[object]:
        items = order["items"]
        total = 0
        for item in items:  # type: ignore[attr-defined]
            total += item["price"] * item.get("qty", 1)
        order["total"] = total
        return [order, items[0]["sku"], len(items)]  # type: ignore[index,arg-type]


class Stage(enum.Enum):
    NEW = "new"
    PAID = "paid"
    SHIPPED = "shipped"


@workflow(name="d_data_enum_class")
class EnumClass(Workflow):
    async def run(self, name: str) -> list[object]:
        stages = [s.value for s in Stage]
        return [stages, list(Stage), len(Stage), Stage[name], Stage(stages[1]), sorted(s.name for s in Stage)]


@workflow(name="d_data_str_case")
class StrCase(Workflow):
    """Case mappings that need more than per-character upper/lower (found by the external review corpus):
    titlecase digraphs (`ǅ` is cased, so the next letter lowers), the word-final sigma, Georgian (its own
    titlecase), Greek letters with ypogegrammeni, Armenian ligatures."""

    async def run(self, words: list[str]) -> list[object]:
        return [(w.title(), w.capitalize(), w.swapcase(), w.isupper(), w.islower(), w.istitle()) for w in words]


CASES = [
    case("lists", Lists, [3, 1, 2]),
    case("dicts", Dicts, {"a": 1, "b": 2, "c": 3}),
    case("sets_tuples", SetsTuples, [1, 2, 3], [2, 3, 4]),
    case("isinstance", IsInstance, [True, 1, 1.5, "s", {"a": 1}, [1], (2,), None]),
    case("subscript_ok", SubscriptErrors, {"a": 1}, "a"),
    case("subscript_missing", SubscriptErrors, {"a": 1}, "b", raises="builtins.KeyError"),
    case("nested", Nested, {"id": 7, "items": [{"sku": "A", "price": 3, "qty": 2}, {"sku": "B", "price": 5}]}),
    case("enum_class", EnumClass, "PAID"),
    case("enum_class_missing", EnumClass, "LOST", raises="builtins.KeyError"),
    case(
        "str_case",
        StrCase,
        ["ǅemal ǈudi", "ǄEMAL", "ΣΑΣ ΟΔΟΣ.", "ΌΣΟΣ'", "aΣ'b", "x\u0345Σ", "ᾀᾳ ῳ ᾷ", "ﬁne և ﬓ", "თბილისი", "İSTANBUL"],
    ),
]
