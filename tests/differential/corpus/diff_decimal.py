"""decimal.Decimal in the default context (28 digits, ROUND_HALF_EVEN): arithmetic, quantize with rounding modes,
round(), str/repr, comparisons with ints and floats, formatting, errors."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from waymark import Workflow, workflow

from .diffcase import case

CENT = Decimal("0.01")


@workflow(name="d_decimal_money")
class Money(Workflow):
    async def run(self, prices: list[str], qty: int, rate: str) -> list[object]:
        total = Decimal(0)
        for p in prices:
            total += Decimal(p) * qty
        tax = total * Decimal(rate)
        out: list[object] = [
            total,
            tax,
            tax.quantize(CENT),
            tax.quantize(CENT, rounding=ROUND_HALF_UP),
            tax.quantize(Decimal("1"), rounding=ROUND_DOWN),
            total + tax,
            (total + tax).quantize(CENT),
            total / 3,
            total / 7,
            Decimal(1) / Decimal(3),
            Decimal(2) / Decimal(4),
            Decimal("10") / Decimal("4"),
            Decimal("1.10") + Decimal("2.205"),
            Decimal("1.10") * 3,
            Decimal("-7") // 2,
            Decimal("-7") % 2,
            Decimal("7.5") % Decimal("2"),
            Decimal("1.5") ** 2,
            Decimal(2) ** -2,
            -Decimal("0.00"),
            abs(Decimal("-3.20")),
            round(Decimal("2.5")),
            round(Decimal("3.5")),
            round(Decimal("2.675"), 2),
            round(Decimal("1234.5"), -2),
            str(Decimal("1E+3")),
            str(Decimal("0.0000001")),
            repr(Decimal("123.4500")),
            Decimal("1.1") == Decimal("1.10"),
            Decimal("1.5") == 1.5,
            Decimal("1.1") == 1.1,
            Decimal(3) == 3,
            Decimal("2.5") < 3,
            Decimal("0.1") < 0.1,
            sorted([Decimal("1.5"), Decimal("-2"), Decimal("1.25")]),
            max(Decimal("1.50"), Decimal("1.5")),
            sum([Decimal("0.1")] * 10),
            int(Decimal("-3.99")),
            float(Decimal("2.50")),
            Decimal(0.1),  # noqa: RUF032 - the exact value of the float
            Decimal(5),
            f"{tax:.2f}",
            f"{total:,.2f}",
            f"{Decimal('0.125'):.2f}",
            f"{Decimal('12.5'):>10}",
            f"{Decimal('0.5'):.1%}",
            Decimal("3.14159").quantize(Decimal("0.001")),
            Decimal("100").normalize(),
            Decimal("1.2300").normalize(),
            Decimal("12.345").to_integral_value(),
            {Decimal("1.0"): "a"}.get(Decimal(1)),
            len({Decimal("2"), Decimal("2.00"), 2}),
        ]
        return out


@workflow(name="d_decimal_errors")
class Errors(Workflow):
    async def run(self, a: str, b: str, op: str) -> object:
        x, y = Decimal(a), Decimal(b)
        try:
            if op == "div":
                return x / y
            if op == "float":
                return x + float(b)  # type: ignore[operator]
            if op == "quantize":
                return x.quantize(y)
        except InvalidOperation as exc:
            return f"InvalidOperation {exc}"
        except ZeroDivisionError as exc:
            return f"ZeroDivisionError {type(exc).__name__} {exc}"
        except TypeError as exc:
            return f"TypeError {exc}"
        return None


CASES = [
    case("money", Money, ["19.99", "5.01", "0.10"], 3, "0.0825"),
    case("money_big", Money, ["1234567.891", "0.005"], 7, "0.19"),
    case("div_zero", Errors, "1", "0", "div"),
    case("div_undefined", Errors, "0", "0", "div"),
    case("float_mix", Errors, "1", "2.5", "float"),
    case("quantize_too_big", Errors, "1e30", "0.01", "quantize"),
    case("bad_literal", Errors, "abc", "1", "div", raises="decimal.InvalidOperation"),
]
