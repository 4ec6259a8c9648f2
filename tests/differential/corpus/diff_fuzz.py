"""Sets and Decimals under many generated inputs (a fixed seed): the table order after updates, deletions and
pops, each set operation's insertion order, Decimal arithmetic/rounding/formatting in the default context."""

from __future__ import annotations

import random
from decimal import Decimal, InvalidOperation

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_fuzz_sets_decimals")
class SetsFuzz(Workflow):
    async def run(self, cases: list[list[list[int]]], decs: list[list[str]]) -> list[object]:
        out: list[object] = []
        for a, b in cases:
            x, y = set(a), set(b)
            z = set(x)
            z -= set(b[:3])
            z |= {v * 3 for v in b}
            w = set()
            for v in a + b:
                w.add(v)
                if v % 4 == 0:
                    w.discard(v // 2)
            p = []
            while len(w) > 3:
                p.append(w.pop())
            out.append(
                [
                    list(x),
                    list(x | y),
                    list(x & y),
                    list(x - y),
                    list(y ^ x),
                    list(z),
                    list(w),
                    p,
                    list(frozenset(a) | frozenset(b)),
                    sorted(x, key=abs),
                    list(x.union(b, a)),
                    list(x.difference(b, [1, 2])),
                ]
            )
        for d1, d2 in decs:
            p, q = Decimal(d1), Decimal(d2)
            row: list[object] = [p + q, p - q, p * q, f"{p:.3f}", str(p * 1000000), -p, p == q, p < q]
            try:
                row += [round(p, 3), p.quantize(Decimal("0.001"))]
            except InvalidOperation as exc:
                row.append(f"invalid {exc}")
            if q:
                try:
                    row += [p / q, p // q, p % q]
                except InvalidOperation as exc:
                    row.append(f"invalid {exc}")
            out.append([str(r) for r in row])
        return out


def _inputs(seed: int) -> tuple[list[list[list[int]]], list[list[str]]]:
    rng = random.Random(seed)

    def ints() -> list[int]:
        n, mode = rng.randint(0, 40), rng.random()
        if mode < 0.3:
            return [rng.randint(-10, 60) for _ in range(n)]
        if mode < 0.6:
            return [rng.randint(-(2**40), 2**40) for _ in range(n)]
        return [rng.choice([0, 8, 16, 32, 64, 128, 256, 5, 13, 21, 29, 37, 45]) * rng.randint(1, 5) for _ in range(n)]

    def dec() -> str:
        return rng.choice(
            [
                str(rng.randint(-(10**6), 10**6)),
                f"{rng.uniform(-1000, 1000):.{rng.randint(0, 8)}f}",
                f"{rng.randint(1, 99)}E{rng.randint(-10, 10)}",
                "0",
                "0.000",
                str(rng.randint(1, 10**30)),
                "-0",
                f"-{rng.randint(1, 9)}.{rng.randint(0, 99)}E-{rng.randint(1, 12)}",
            ]
        )

    return [[ints(), ints()] for _ in range(40)], [[dec(), dec()] for _ in range(80)]


CASES = [case("seed_1", SetsFuzz, *_inputs(1)), case("seed_2", SetsFuzz, *_inputs(2))]
