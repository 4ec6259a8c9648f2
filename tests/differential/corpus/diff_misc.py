"""Everyday expressions found in workflows: formatting, aggregation, sorting with keys, zip/enumerate, pow with a
modulus, str predicates, errors with their messages."""

from __future__ import annotations

import enum
import math
import typing
from decimal import Decimal

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_misc_everyday")
class Everyday(Workflow):
    def by_score(self, item: tuple[str, int]) -> int:
        return item[1]

    async def run(self, scores: dict[str, int], words: list[str], amount: float) -> list[object]:
        csv, spaced, pair, grouped = "a,b,,c", " a  b c ", "k=v=w", "{:,}"
        ranked = sorted(scores.items(), key=self.by_score, reverse=True)
        return [
            ranked,
            [name for name, _ in ranked[:2]],
            max(scores.values()),
            sum(scores.values()) / len(scores),
            round(sum(scores.values()) / len(scores), 1),
            next(iter(scores)),
            any(v > 90 for v in scores.values()),
            all(isinstance(v, (int, float)) for v in scores.values()),
            " ".join(reversed(words)),
            list(enumerate(words, start=1)),
            dict(zip(words, range(len(words)), strict=True)),
            grouped.format(len(words) * 246913 + 2),
            "{:>8.2f}|{:<6}|{:^7}".format(amount, "ab", "mid"),
            "%s has %d items costing %.2f" % ("cart", len(words), amount),
            f"{amount:,.2f} {amount:e} {amount:g} {amount:%} {int(amount):08d} {int(amount):x} {int(amount):#b}",
            f"{'left':<10}|{'right':>10}|{'ctr':*^9}",
            str(1e16),
            repr(0.1 + 0.2),
            1e22,
            round(2.675, 2),
            round(-0.5),
            pow(3, 200, 1000),
            divmod(-17, 5),
            -17 // 5,
            -17 % 5,
            7.5 // 2,
            2**-1,
            words[::-1],
            "abcdef"[-2::-2],
            csv.split(","),
            spaced.split(),
            pair.split("=", 1),
            pair.rsplit("=", 1),
            "Hello World".swapcase(),
            "hello world".title(),
            "  x ".strip() == "x",
            "abc".isascii(),
            "Title Case".istitle(),
            "x".zfill(3),
            "-42".zfill(6),
            "tab\\tsep".expandtabs(4),
            min(words, key=len, default=None),
            sorted(words, key=str.lower, reverse=True),
            sorted([(2, "b"), (1, "z"), (2, "a")]),
            [w for w in words if w.startswith(("a", "b"))],
            {len(w) for w in words},
            sorted({w[0] for w in words}),
        ]


@workflow(name="d_misc_errors")
class Errors(Workflow):
    async def run(self, data: dict[str, int], items: list[int], key: str) -> list[str]:
        out = []
        try:
            out.append(str(data[key]))
        except KeyError as exc:
            out.append(f"KeyError {exc} {exc.args}")
        try:
            items.index(99)
        except ValueError as exc:
            out.append(f"ValueError {exc}")
        try:
            out.append(str(list(zip(items, [1], strict=True))))
        except ValueError as exc:
            out.append(f"ValueError {exc}")
        try:
            int("1.5")
        except ValueError as exc:
            out.append(f"ValueError {exc}")
        try:
            out.append(str(items[10]))
        except IndexError as exc:
            out.append(f"IndexError {exc}")
        try:
            out.append(str(1 / 0))
        except ZeroDivisionError as exc:
            out.append(f"ZeroDivisionError {exc}")
        try:
            out.append("x" + 1)  # type: ignore[operator]
        except TypeError as exc:
            out.append(f"TypeError {exc}")
        try:
            out.append(str(None.upper()))  # type: ignore[attr-defined]
        except AttributeError as exc:
            out.append(f"AttributeError {exc}")
        return out


CASES = [
    case(
        "everyday",
        Everyday,
        {"ana": 91, "bo": 78, "cy": 91, "di": 60},
        ["banana", "Apple", "cherry", "avocado", "fig"],
        1234.5678,
    ),
    case("errors", Errors, {"a": 1}, [1, 2, 3], "b"),
]


@workflow(name="d_misc_math")
class MathFunctions(Workflow):
    async def run(self, total: int, size: int, x: float) -> list[object]:
        return [
            math.ceil(total / size),
            math.floor(x),
            math.floor(-x),
            math.trunc(-x),
            math.ceil(Decimal("2.1")),
            math.sqrt(total),
            math.isqrt(total),
            math.fabs(-x),
            math.isclose(0.1 + 0.2, 0.3),
            math.isclose(1.0, 1.1, rel_tol=0.2),
            math.gcd(total, size, 12),
            math.prod([1.5, 2, size]),
            math.isnan(x),
            math.copysign(2, -x),
            math.pi * 2,
        ]


CASES.append(case("math", MathFunctions, 101, 10, 2.5))


@workflow(name="d_misc_cast")
class Cast(Workflow):
    async def run(self, value: object) -> int:
        number = typing.cast(int, value)
        return number + 1


CASES.append(case("cast", Cast, 41))


INVOICE_PREFIX = "inv"
REGIONS = ("eu-west", "us-east")


class Plan(enum.Enum):
    BASIC = "basic"
    PRO = "pro"


@workflow(name="d_misc_constant_methods")
class ConstantMethods(Workflow):
    """Methods of module constants and enum members called directly (found by the external review corpus)."""

    async def run(self, n: int) -> list[object]:
        return [
            f"{INVOICE_PREFIX.upper()}-{n:05d}",
            REGIONS.index("us-east"),
            REGIONS[0].split("-"),
            INVOICE_PREFIX.startswith("in"),
            Plan.PRO.value.title(),
            Plan.BASIC.name.lower(),
        ]


CASES.append(case("constant_methods", ConstantMethods, 42))
