"""Arithmetic, comparison and boolean operators; numeric builtins; big ints and floats."""

from __future__ import annotations

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_arith_ints")
class Ints(Workflow):
    async def run(self, a: int, b: int) -> list[object]:
        return [
            a + b,
            a - b,
            a * b,
            a / b,
            a // b,
            a % b,
            -a,
            +a,
            ~a,
            a**2,
            abs(a - b),
            a << 3,
            a >> 1,
            a & b,
            a | b,
            a ^ b,
            divmod(a, b),
            pow(a, 2),
        ]


@workflow(name="d_arith_floats")
class Floats(Workflow):
    async def run(self, x: float, y: float) -> list[object]:
        return [
            x + y,
            x - y,
            x * y,
            x / y,
            x // y,
            x % y,
            -x,
            x**2,
            round(x, 1),
            round(x),
            abs(-x),
            min(x, y),
            max(x, y),
            x == y,
            x < y,
            int(x),
            float(3),
        ]


@workflow(name="d_arith_big")
class Big(Workflow):
    async def run(self, n: int) -> list[object]:
        big = 2**n
        return [big, big * big, big - 1, -big, big // 7, big % 1000, str(big), big > 2**62, big == 2**n]


@workflow(name="d_arith_compare")
class Compare(Workflow):
    async def run(self, a: int, b: int, c: int) -> list[object]:
        return [
            a < b < c,
            a < b > c,
            a == b,
            a != b,
            a <= b,
            a >= c,
            a is None,
            a is not None,
            1 == 1.0,
            "a" < "b",
            [1, 2] < [1, 3],
            (1, 2) == (1, 2),
            a in [1, 2, 3],
            c not in {1: 2},
        ]


@workflow(name="d_arith_boolean")
class Boolean(Workflow):
    async def run(self, a: int, b: int) -> list[object]:
        nothing: object = None
        empty: list[int] = []
        return [
            a and b,
            a or b,
            not a,
            (a and "yes") or "no",
            nothing or empty or "last",
            (b - b) and 1 / 0,
            bool(a),
            bool(""),
            bool([0]),
            True + True,
        ]


@workflow(name="d_arith_divide")
class Divide(Workflow):
    async def run(self, a: int, b: int) -> float:
        return a / b


@workflow(name="d_arith_modulo")
class Modulo(Workflow):
    async def run(self, a: int, b: int) -> list[int]:
        return [a % b, a // b, -a % b, -a // b]


@workflow(name="d_arith_builtins")
class Builtins(Workflow):
    async def run(self, items: list[int]) -> list[object]:
        return [
            len(items),
            sum(items),
            min(items),
            max(items),
            sorted(items),
            sorted(items, reverse=True),
            list(reversed(items)),
            any(items),
            all(items),
            abs(-3),
            round(2.5),
            round(3.5),
            round(-0.5),
            max(items, default=None),
            sum(items, 10),
        ]


@workflow(name="d_arith_conversions")
class Conversions(Workflow):
    async def run(self, text: str) -> list[object]:
        return [
            int(text),
            float(text),
            str(int(text) * 2),
            bool(text),
            int("ff", 16),
            int(7.9),
            int(-7.9),
            float("inf") > 1e308,
            str(1.5),
            str(True),
            str(None),
            int(True),
        ]


@workflow(name="d_arith_bad_int")
class BadInt(Workflow):
    async def run(self, text: str) -> int:
        return int(text)


@workflow(name="d_arith_type_error")
class TypeErrorFlow(Workflow):
    async def run(self, a: object, b: object) -> object:
        return a + b  # type: ignore[operator]


CASES = [
    case("ints", Ints, 17, 5),
    case("ints_negative", Ints, -17, 5),
    case("floats", Floats, 7.5, 2.0),
    case("floats_negative", Floats, -7.25, 0.5),
    case("big", Big, 70),
    case("big_small", Big, 10),
    case("compare", Compare, 1, 2, 3),
    case("compare_equal", Compare, 2, 2, 1),
    case("boolean_true", Boolean, 3, 4),
    case("boolean_false", Boolean, 0, 4),
    case("divide", Divide, 7, 2),
    case("divide_by_zero", Divide, 1, 0, raises="builtins.ZeroDivisionError"),
    case("modulo", Modulo, 7, 3),
    case("modulo_negative_divisor", Modulo, 7, -3),
    case("modulo_by_zero", Modulo, 7, 0, raises="builtins.ZeroDivisionError"),
    case("builtins", Builtins, [3, 1, 2]),
    case("builtins_zero", Builtins, [0, 5]),
    case("conversions", Conversions, "12"),
    case("bad_int", BadInt, "twelve", raises="builtins.ValueError"),
    case("type_error", TypeErrorFlow, 1, "a", raises="builtins.TypeError"),
    case("str_concat", TypeErrorFlow, "a", "b"),
    case("list_concat", TypeErrorFlow, [1], [2]),
]
