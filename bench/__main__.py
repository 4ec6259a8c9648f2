"""`python -m bench [SCENARIO ...] [--quick] [--repeat N]`: DESIGN §5's benchmarks, Waymark and DBOS side by side.

Each scenario runs Waymark (compiler, scheduler, timer and worker processes) and then DBOS Transact on fresh databases
of the same Postgres, `--repeat` times, and prints every figure with its target and its ratio to DBOS. Full runs are
written to bench/results/<date>.md and summarised in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import math
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import harness
from bench.scenarios import SCENARIOS, Row, Scenario, finish, run_peer

RESULTS = Path(__file__).parent / "results"
README = Path(__file__).parent / "README.md"


def _values(runs: list[dict[str, Any]], key: str) -> list[float]:
    out = []
    for figures in runs:
        value = figures.get(key)
        if isinstance(value, int | float) and not math.isnan(value):
            out.append(float(value))
    return out


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None or math.isnan(value):
        return "-"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".rstrip() if unit not in ("", "x", "/s") else text


def _cell(values: list[float], unit: str) -> str:
    if not values:
        return "-"
    mid = statistics.median(values)
    if len(values) == 1:
        return _fmt(mid, unit)
    return f"{_fmt(mid, unit)} ({_fmt(min(values))}-{_fmt(max(values))})"


def _ratio(row: Row, w: float | None, d: float | None) -> str:
    if not row.compare or w is None or d is None or w <= 0 or d <= 0:
        return "-"
    better = w / d if row.higher_is_better else d / w
    return f"{better:.1f}x better" if better >= 1 else f"{1 / better:.1f}x worse"


def table(results: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]) -> list[list[str]]:
    lines = [["figure", "target", "Waymark", "DBOS", "Waymark vs DBOS", "met"]]
    for name, (wm, peer) in results.items():
        scenario = SCENARIOS[name]
        lines.append([f"**{scenario.title}**", "", "", "", "", ""])
        for row in scenario.rows:
            w_values, d_values = _values(wm, row.key), _values(peer, row.key)
            w = statistics.median(w_values) if w_values else None
            d = statistics.median(d_values) if d_values else None
            met = "" if row.check is None or w is None else ("yes" if row.check(w, d) else "NO")
            lines.append(
                [row.label, row.target, _cell(w_values, row.unit), _cell(d_values, row.unit), _ratio(row, w, d), met]
            )
    return lines


def render_text(lines: list[list[str]]) -> str:
    rows = [line for line in lines if not line[0].startswith("**")]
    widths = [max(len(line[i]) for line in rows) for i in range(len(lines[0]))]
    out = []
    for line in lines:
        if line[0].startswith("**"):
            out.append(line[0].strip("*"))
            continue
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    return "\n".join(out)


def render_markdown(lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "---|" * len(lines[0])]
    out += ["| " + " | ".join(line) + " |" for line in lines[1:]]
    return "\n".join(out)


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, as a developer runs it
            cwd=harness.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


async def run_scenario(
    scenario: Scenario, params: dict[str, Any], admin: str, *, peer: bool
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    async with harness.fresh_database(admin, f"wm_{scenario.name}") as url:
        wm = finish(await scenario.waymark(admin, url, **params))
    dbos = None
    if peer:
        async with harness.fresh_database(admin, f"dbos_{scenario.name}") as url:
            dbos = finish(await run_peer(scenario.name, admin, url, scenario.peer_params(params)))
    return wm, dbos


async def main_async(args: argparse.Namespace) -> int:
    admin = args.admin or harness.admin_url()
    names = args.scenarios or list(SCENARIOS)
    results: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    started = time.monotonic()
    for name in names:
        scenario = SCENARIOS[name]
        params = dict(scenario.quick if args.quick else scenario.full)
        for override in args.set or []:
            key, _, value = override.partition("=")
            if key in params:
                params[key] = type(params[key])(value)
        wm_runs: list[dict[str, Any]] = []
        peer_runs: list[dict[str, Any]] = []
        for index in range(args.repeat):
            print(f"[{time.monotonic() - started:6.1f}s] {name} run {index + 1}/{args.repeat} {params}", flush=True)
            wm, dbos = await run_scenario(scenario, params, admin, peer=not args.no_peer)
            wm_runs.append(wm)
            print(f"    waymark: {json.dumps(wm)}", flush=True)
            if dbos is not None:
                peer_runs.append(dbos)
                print(f"    dbos:    {json.dumps(dbos)}", flush=True)
        results[name] = (wm_runs, peer_runs)
    lines = table(results)
    print()
    print(render_text(lines))
    if args.save:
        save(args, results, lines)
    return 0


def save(args: argparse.Namespace, results: dict[str, Any], lines: list[list[str]]) -> None:
    now = datetime.datetime.now(datetime.UTC)
    mode = "quick" if args.quick else "full"
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{now:%Y-%m-%d}.md"
    header = (
        f"## {now:%Y-%m-%d %H:%M} UTC, {mode}, {args.repeat} run(s) per scenario, commit {_git_commit()}\n\n"
        f"Machine: {harness.machine()}; Postgres: the machine's server, fresh database per scenario and side. "
        "Cells: median (min-max over runs).\n\n"
    )
    raw = "<details><summary>raw figures</summary>\n\n```json\n" + json.dumps(results, indent=1) + "\n```\n</details>\n"
    body = header + render_markdown(lines) + "\n\n" + raw + "\n"
    existing = path.read_text() if path.exists() else f"# Benchmark results, {now:%Y-%m-%d}\n\n"
    path.write_text(existing + body)
    print(f"\nwritten to {path.relative_to(harness.ROOT)}")
    if not args.quick and README.exists():
        text = README.read_text()
        start, end = "<!-- latest:start -->", "<!-- latest:end -->"
        if start in text and end in text:
            summary = f"{start}\nLatest full run ({path.name}):\n\n{header}{render_markdown(lines)}\n{end}"
            README.write_text(re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _m: summary, text, flags=re.S))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (about a minute per scenario)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per scenario (figures show median and range)")
    parser.add_argument("--no-peer", action="store_true", help="Waymark only (no DBOS side)")
    parser.add_argument(
        "--admin", help=f"admin Postgres URL (default $WAYMARK_BENCH_ADMIN_URL or {harness.DEFAULT_ADMIN_URL})"
    )
    parser.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="override a scenario size, e.g. workflows=500"
    )
    parser.add_argument("--no-save", dest="save", action="store_false", help="do not write bench/results")
    args = parser.parse_args(argv)
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
