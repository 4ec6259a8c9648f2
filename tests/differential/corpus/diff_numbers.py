"""Number semantics at the edges: float text (repr and str), float and int division and modulo signs, rounding,
big-int promotion, mixed int/float arithmetic, comparisons across types."""

from __future__ import annotations

from typing import Any

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_numbers_text")
class Text(Workflow):
    async def run(self, values: list[float]) -> list[str]:
        return [f"{v} {v!r} {v!s}" for v in values]


@workflow(name="d_numbers_ops")
class Ops(Workflow):
    async def run(self, a: Any, b: Any) -> list[object]:
        return [
            a + b,
            a - b,
            a * b,
            a / b,
            a // b,
            a % b,
            divmod(a, b),
            a**2,
            -a,
            abs(a),
            a == b,
            a < b,
            round(a / b, 3),
            int(a / b),
            max(a, b),
            min(a, b),
        ]


@workflow(name="d_numbers_rounding")
class Rounding(Workflow):
    async def run(self, values: list[float]) -> list[object]:
        return [[round(v), round(v, 1), round(v, -1), int(v)] for v in values]


@workflow(name="d_numbers_big")
class Big(Workflow):
    async def run(self, n: int) -> list[object]:
        x = 9223372036854775807
        return [
            x + n,
            x * n,
            -x - n,
            x // n if n else 0,
            (x + n) - n == x,
            2**64 // 3,
            10**20 % 7,
            -(2**65) // 3,
            str(2**100),
            len(str(3**200)),
            abs(-(2**70)),
            2**70 > 1e20,
            float(2**70),
            int(1e20),
        ]


@workflow(name="d_numbers_mixed")
class Mixed(Workflow):
    async def run(self) -> list[object]:
        return [
            1 + 2.0,
            3 * 0.5,
            7 / 7,
            2**-1,
            10 // 4.0,
            True + 1.5,
            1 == 1.0,
            0.1 + 0.2 == 0.3,
            5 % -3,
            -5 % 3,
            5.5 % -2,
            -5.5 // 2,
            1 / 3,
            2 / 3,
            100 / 7,
            1e15 + 0.3,
        ]


@workflow(name="d_numbers_float_overflow")
class FloatOverflow(Workflow):
    async def run(self, big: float) -> list[object]:
        return [big * 10, -big * 10, big + big, big / 1e-10, big // 1e-10]


@workflow(name="d_numbers_pow_overflow")
class PowOverflow(Workflow):
    async def run(self, base: float) -> float:
        return base**400  # OverflowError in CPython too


CASES = [
    case("text", Text, [0.1, 1.0, -0.0, 1e16, 1e15, 1.5e-5, 0.0001, 123456789.123456789, 1e22, 2.5e-7, 1 / 3]),
    case("ops_ints", Ops, 17, -5),
    case("ops_floats", Ops, 17.5, -5.25),
    case("ops_mixed", Ops, 17, 2.5),
    case("rounding", Rounding, [0.5, 1.5, 2.5, -0.5, -1.5, 2.675, 14.95, 1234.5678, -7.25]),
    case("big", Big, 3),
    case("big_one", Big, 1),
    case("mixed", Mixed),
    case(
        "float_overflow",
        FloatOverflow,
        1e308,
    ),
    case("pow_overflow", PowOverflow, 10.0, raises="builtins.OverflowError"),
]
