"""Pydantic validation under many generated inputs (a fixed seed): coercions and errors of int/float/str/bool/
Decimal/list/dict/Optional/unions/Literal/enum/nested model/variadic tuple fields, unknown fields ignored."""

from __future__ import annotations

import enum
import random
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ValidationError
from waymark import Workflow, workflow

from .diffcase import case


class Kind(enum.Enum):
    A = "a"
    B = 2


class Sub(BaseModel):
    n: int


class Fuzzy(BaseModel):
    i: int = 0
    f: float = 0.0
    s: str = ""
    b: bool = False
    d: Decimal = Decimal("0")
    li: list[int] = []
    di: dict[str, int] = {}
    o: int | None = None
    u: int | str = 0
    lit: Literal["x", "y"] = "x"
    k: Kind = Kind.A
    sub: Sub | None = None
    t: tuple[int, ...] = ()


@workflow(name="d_fuzz_models")
class ModelsFuzz(Workflow):
    async def run(self, inputs: list[dict[str, object]]) -> list[str]:
        out = []
        for data in inputs:
            try:
                out.append(repr(Fuzzy(**data)))
            except ValidationError as exc:
                out.append(str(exc))
        return out


def _inputs(seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    pool: list[object] = [
        0, 1, -5, 2, 1.0, 2.5, -0.0, float("inf"), "12", " 3 ", "x", "1.0", "1.5", "true", "yes", "off", "0x10", "",
        "a", "y", "2", True, False, None, [1, "2"], [1.5], ["x"], {"a": 1}, {"a": "x"}, {"n": "4"}, {"n": "q"},
        Decimal("1.5"), Decimal("3"), (1, 2), b"hi", [], {},
    ]  # fmt: skip
    fields = ["i", "f", "s", "b", "d", "li", "di", "o", "u", "lit", "k", "sub", "t", "zz"]
    return [{f: rng.choice(pool) for f in rng.sample(fields, rng.randint(0, 4))} for _ in range(100)]


CASES = [case("seed_1", ModelsFuzz, _inputs(1)), case("seed_4", ModelsFuzz, _inputs(4))]
