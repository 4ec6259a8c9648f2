"""Formatting and text under many generated inputs (a fixed seed): float repr/str/format specs/rounding, int
formats, str methods on Unicode (ß, é), datetime arithmetic and strftime."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_fuzz_formatting")
class FmtFuzz(Workflow):
    async def run(
        self, floats: list[float], ints: list[int], texts: list[str], stamps: list[list[int]]
    ) -> list[object]:
        out: list[object] = []
        for x in floats:
            out.append(
                [
                    repr(x),
                    str(x),
                    f"{x:.2f}",
                    f"{x:g}",
                    f"{x:e}",
                    f"{x:,.3f}",
                    f"{x:10.4}",
                    f"{x:%}",
                    "%.3g" % x,
                    "%r" % x,
                    round(x, 2),
                    round(x),
                    round(x, -1),
                    int(x),
                    x // 3,
                    x % 3,
                    divmod(x, 7)[1],
                    f"{x:+.1f}",
                    f"{x:08.2f}",
                    str(x * 1e20),
                    str(x / 1e9),
                    x**2 if abs(x) < 1e100 else 0,
                ]
            )
        for i in ints:
            out.append(
                [
                    f"{i:,}",
                    f"{i:_}",
                    f"{i:x}",
                    f"{i:#o}",
                    f"{i:>12}",
                    f"{i:08d}",
                    f"{i:+}",
                    f"{i:b}"[:20],
                    str(i),
                    i // 7,
                    i % 7,
                    -i // 7,
                    i**2,
                    i / 7,
                    round(i, -2),
                ]
            )
        for t in texts:
            out.append(
                [
                    t.upper(),
                    t.lower(),
                    t.title(),
                    t.capitalize(),
                    t.swapcase(),
                    t.split(),
                    t.split(","),
                    t.strip(" ,"),
                    t.center(20, "*"),
                    t.ljust(15, "."),
                    t.rjust(15),
                    t.zfill(10),
                    t.count("a"),
                    t.find("b"),
                    t.rfind("a"),
                    t.replace("a", "A", 2),
                    t.partition(","),
                    t.rpartition(" "),
                    t.startswith(("a", "T")),
                    t[::2],
                    t[-3:],
                    t.isalpha(),
                    t.isdigit(),
                    t.isspace(),
                    t.isalnum(),
                    repr(t),
                    sorted(t),
                    t.casefold(),
                    t.splitlines(),
                    t.rsplit(" ", 1),
                ]
            )
        for y, mo, d, h, mi, days, secs in stamps:
            dt = datetime(y, mo, d, h, mi)
            later = dt + timedelta(days=days, seconds=secs)
            out.append(
                [
                    later.isoformat(),
                    str(later - dt),
                    later.strftime("%a %d %b %Y %I:%M %p %j %U %W"),
                    later.isocalendar(),
                    later.weekday(),
                    (later - dt).total_seconds(),
                    later > dt,
                    later.date().isoformat(),
                    later.replace(day=1).toordinal(),
                ]
            )
        return out


def _inputs(seed: int) -> tuple[list[float], list[int], list[str], list[list[int]]]:
    rng = random.Random(seed)
    specials = [0.0, -0.0, 1e16, 2.675, 1.005, 0.125, 123456789.987654321]
    floats = [
        rng.choice(
            [
                rng.uniform(-1e6, 1e6),
                rng.uniform(-1, 1),
                rng.uniform(-1e-5, 1e-5),
                rng.randint(-100, 100) + 0.5,
                rng.uniform(-1e20, 1e20),
                rng.choice(specials),
            ]
        )
        for _ in range(60)
    ]
    ints = [rng.choice([rng.randint(-1000, 1000), rng.randint(-(10**20), 10**20), 0, -1, 7]) for _ in range(30)]
    alpha = "abc ,ABC xyz\t1\n-é ß"
    texts = ["".join(rng.choice(alpha) for _ in range(rng.randint(0, 25))) for _ in range(30)]
    stamps = [
        [
            rng.randint(1900, 2100),
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(0, 23),
            rng.randint(0, 59),
            rng.randint(-800, 800),
            rng.randint(-100000, 100000),
        ]
        for _ in range(30)
    ]
    return floats, ints, texts, stamps


CASES = [case("seed_1", FmtFuzz, *_inputs(1)), case("seed_2", FmtFuzz, *_inputs(2))]
