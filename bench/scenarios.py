"""The scenarios of DESIGN §5: their sizes (full and --quick), how each side runs, and the rows they print."""

from __future__ import annotations

import asyncio
import json
import math
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bench import harness, waymark_side

Figures = dict[str, Any]


@dataclass(frozen=True)
class Row:
    """One printed figure: Waymark's value, the peer's, and the target it is checked against."""

    label: str
    key: str
    unit: str
    target: str
    higher_is_better: bool
    check: Callable[[float, float | None], bool] | None = None  # (waymark, dbos) -> target met
    compare: bool = True  # False: a ratio of the two sides means nothing (the figure is itself a ratio, a count)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    full: dict[str, Any]
    quick: dict[str, Any]
    waymark: Callable[..., Awaitable[Figures]]
    rows: tuple[Row, ...]
    peer_params: Callable[[dict[str, Any]], dict[str, Any]] = lambda p: {k: v for k, v in p.items() if k != "workers"}


def _ratio_at_least(n: float) -> Callable[[float, float | None], bool]:
    return lambda w, d: d is not None and d > 0 and w / d >= n


def _at_most(n: float) -> Callable[[float, float | None], bool]:
    return lambda w, _d: w <= n


SCENARIOS = {
    s.name: s
    for s in [
        Scenario(
            "throughput",
            "Throughput: workflows x 10 sequential no-op actions (Waymark: 2 worker processes; DBOS: in-process)",
            full={"workflows": 1000, "steps": 10, "workers": 2},
            quick={"workflows": 300, "steps": 10, "workers": 2},
            waymark=waymark_side.throughput,
            rows=(
                Row("steps/s", "steps_per_s", "/s", ">= 10x DBOS", True, _ratio_at_least(10)),
                Row("commits per action", "commits_per_action", "", "<= 3", False, _at_most(3)),
                Row("CPU per step (every process and Postgres)", "cpu_us_per_step", "us", "", False),
            ),
        ),
        Scenario(
            "latency",
            "Latency at light load: one-action workflows started at 20/s (DBOS: queue polled every 0.1 s)",
            full={"count": 300, "rate": 20.0, "workers": 2},
            quick={"count": 100, "rate": 20.0, "workers": 2},
            waymark=waymark_side.latency,
            rows=(
                Row("enqueue -> worker start p50", "pickup_p50_ms", "ms", "<= 5 ms", False, _at_most(5)),
                Row("enqueue -> worker start p99", "pickup_p99_ms", "ms", "<= 25 ms", False, _at_most(25)),
                Row("1-action workflow start -> result p50", "result_p50_ms", "ms", "<= 20 ms", False, _at_most(20)),
                Row("1-action workflow start -> result p99", "result_p99_ms", "ms", "", False),
            ),
        ),
        Scenario(
            "resume",
            "Resume cost: one run of N sequential actions, step N vs step 10",
            full={"steps": 5000, "workers": 2},
            quick={"steps": 1000, "workers": 2},
            waymark=waymark_side.resume,
            rows=(
                Row("step 10 (median of steps 2-41)", "step10_ms", "ms", "", False),
                Row("step N (median of the last 40)", "step_last_ms", "ms", "", False),
                Row("step N / step 10", "ratio", "x", "<= 1.3", False, _at_most(1.3), compare=False),
                Row("step N / step 10, fastest step of each window", "ratio_fastest", "x", "", False, compare=False),
            ),
        ),
        Scenario(
            "sleepers",
            "Concurrently sleeping workflows: wake-up lateness and memory",
            full={"count": 10000, "seconds": 60.0, "workers": 2},  # DBOS needs ~50 s to start 10,000
            quick={"count": 1000, "seconds": 8.0, "workers": 2},
            waymark=waymark_side.sleepers,
            rows=(
                Row("peak sleeping runs", "peak_sleeping", "", "", True, compare=False),
                Row("wake-up lateness p50", "late_p50_ms", "ms", "", False),
                Row("wake-up lateness p99", "late_p99_ms", "ms", "<= 500 ms", False, _at_most(500)),
                Row("largest process RSS growth", "rss_growth_max_mb", "MB", "flat (< 10 MB)", False, _at_most(10)),
            ),
        ),
    ]
}


async def run_peer(scenario: str, admin: str, url: str, params: dict[str, Any]) -> Figures:
    """DBOS in its own process; its figures come back as one JSON line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.peer_dbos",
        scenario,
        "--admin",
        admin,
        "--url",
        url,
        "--params",
        json.dumps(params),
        cwd=harness.ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    text = out.decode(errors="replace")
    for line in reversed(text.splitlines()):
        if line.startswith("RESULT "):
            figures: Figures = json.loads(line[len("RESULT ") :])
            return figures
    raise RuntimeError(f"DBOS {scenario} failed (exit {process.returncode}):\n{text[-3000:]}")


def finish(figures: Figures) -> Figures:
    """Derived figures shared by both sides."""
    growth = figures.get("rss_growth_mb")
    if isinstance(growth, dict) and growth:
        figures["rss_growth_max_mb"] = max(v for v in growth.values() if not math.isnan(v))
    return figures
