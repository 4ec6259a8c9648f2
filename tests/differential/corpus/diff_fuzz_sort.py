"""Sorting under many generated inputs (a fixed seed): sorted/list.sort with keys and reverse, min/max, mixed types
and their TypeErrors, NaN, ties (stability), lists past the 64-item run length."""

from __future__ import annotations

import random

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_fuzz_sort")
class SortFuzz(Workflow):
    def k(self, x: object) -> object:
        return x[0] if isinstance(x, (list, tuple)) and x else x

    async def run(self, lists: list[list[object]]) -> list[object]:
        out: list[object] = []
        for xs in lists:
            row: list[object] = []
            for rev in (False, True):
                try:
                    row.append(sorted(xs, reverse=rev))
                except TypeError as exc:
                    row.append(str(exc))
                try:
                    row.append(sorted(xs, key=self.k, reverse=rev))
                except TypeError as exc:
                    row.append(str(exc))
            try:
                row.append([min(xs), max(xs)] if xs else None)
            except TypeError as exc:
                row.append(str(exc))
            ys = list(xs)
            try:
                ys.sort(key=str)
                row.append(ys)
            except TypeError as exc:
                row.append(str(exc))
            out.append(row)
        return out


def _inputs(seed: int) -> list[list[object]]:
    rng = random.Random(seed)

    def item() -> object:
        return rng.choice(
            [
                rng.randint(-5, 5),
                rng.random() * 10 - 5,
                rng.choice("abcAB"),
                True,
                False,
                [rng.randint(0, 3), rng.choice("xy")],
                (rng.randint(0, 2),),
                float("nan") if rng.random() < 0.05 else 1.5,
                None if rng.random() < 0.1 else 2,
            ]
        )

    def one() -> list[object]:
        mode, n = rng.random(), rng.randint(0, 70)
        if mode < 0.5:
            return [rng.randint(-20, 20) for _ in range(n)]
        if mode < 0.7:
            return [[rng.randint(0, 3), rng.choice("abc")] for _ in range(n)]
        return [item() for _ in range(rng.randint(0, 12))]

    return [one() for _ in range(60)]


CASES = [case("seed_1", SortFuzz, _inputs(1)), case("seed_2", SortFuzz, _inputs(2))]
