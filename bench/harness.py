"""What every scenario needs: a fresh database, Waymark's services as separate processes, commit counts, RSS and CPU
samples, percentiles."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psutil

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BIN = Path(sys.executable).parent

# Postgres backends publish their counters to pg_stat_database late: a backend that flushed less than a second ago
# keeps new counts pending until it has been idle for 10 s (PG 15 shared-memory stats, PGSTAT_IDLE_INTERVAL), and a
# backend that exits flushes at once. So a commit count is read 11 s after the system went idle (baseline), and again
# after every process of the workload has closed its connections.
STATS_SETTLE_SECONDS = 11.0


def admin_url() -> str:
    return os.environ.get("WAYMARK_BENCH_ADMIN_URL", DEFAULT_ADMIN_URL)


def database_url(admin: str, name: str) -> str:
    """The admin URL with another database name (its query string, e.g. sslmode, kept)."""
    location, _, query = admin.partition("?")
    base, _, _ = location.rpartition("/")
    return f"{base}/{name}" + (f"?{query}" if query else "")


def database_name(url: str) -> str:
    return url.partition("?")[0].rpartition("/")[2]


@contextlib.asynccontextmanager
async def fresh_database(admin: str, label: str) -> AsyncIterator[str]:
    """A new, empty database for one scenario; dropped afterwards (even when the scenario fails)."""
    name = f"bench_{label}_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield database_url(admin, name)
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def commits(admin: str, url: str) -> int:
    """`pg_stat_database.xact_commit` of the database behind `url`, read from the admin database (not counted)."""
    name = database_name(url)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        value: int = await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = $1", name)
    finally:
        await conn.close()
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: Iterable[float]) -> float:
    items = list(values)
    return statistics.median(items) if items else float("nan")


@dataclass(eq=False)
class Proc:
    name: str
    process: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Cluster:
    """Waymark as in production: compiler, scheduler, timer and worker processes sharing one database."""

    url: str
    workers: int = 2
    env: dict[str, str] = field(default_factory=dict)
    argv: dict[str, list[str]] = field(default_factory=dict)  # replace a service's command (profiling)
    procs: list[Proc] = field(default_factory=list)
    logdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="waymark-bench-")))

    def _env(self, compiler_port: int) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            WAYMARK_DATABASE_URL=self.url,
            WAYMARK_COMPILER_URL=f"127.0.0.1:{compiler_port}",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env)
        return env

    async def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> Proc:
        log = self.logdir / f"{name}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *argv, cwd=ROOT, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT, start_new_session=True
            )
        proc = Proc(name, process, log)
        self.procs.append(proc)
        return proc

    async def start(self, *, timeout: float = 120.0) -> None:
        port = free_port()
        env = self._env(port)
        waymark = str(BIN / "waymark")
        # migrations first, so that the services do not race for the advisory lock on a fresh database
        migrate = await asyncio.create_subprocess_exec(waymark, "migrate", cwd=ROOT, env=env)
        if await migrate.wait() != 0:
            raise RuntimeError("waymark migrate failed")
        commands: dict[str, tuple[list[str], str | None]] = {
            "compiler": ([waymark, "compiler"], None),
            "scheduler": ([waymark, "scheduler"], "scheduler running"),
            "timer": ([waymark, "timer"], "timer running"),
        }
        worker = [str(BIN / "waymark-start-workers"), "bench.flows"]
        for index in range(self.workers):
            commands[f"worker{index + 1}"] = (worker, "actions (concurrency")
        ready: dict[Proc, str | None] = {}
        for name, (argv, marker) in commands.items():
            ready[await self._spawn(name, self.argv.get(name, argv), env)] = marker
        deadline = time.monotonic() + timeout
        for proc, marker in ready.items():
            while marker is not None and marker not in proc.log.read_text(errors="replace"):
                if proc.process.returncode is not None:
                    raise RuntimeError(f"{proc.name} exited ({proc.process.returncode}):\n{proc.tail()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{proc.name} did not start within {timeout}s:\n{proc.tail()}")
                await asyncio.sleep(0.05)

    def service_pids(self) -> dict[str, int]:
        return {p.name: p.pid for p in self.procs}

    def check_alive(self) -> None:
        for proc in self.procs:
            if proc.process.returncode is not None:
                raise RuntimeError(f"{proc.name} exited ({proc.process.returncode}):\n{proc.tail()}")

    async def stop(self) -> None:
        for proc in self.procs:
            if proc.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.process.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.process.wait(), 15)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.process.kill()
                await proc.process.wait()

    async def __aenter__(self) -> Cluster:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def postgres_pids(admin: str, url: str) -> list[int]:
    """The Postgres processes working for one database: its backends and the shared WAL writer, checkpointer and
    background writer (other databases' backends, other engineers' tests, are left out)."""
    name = database_name(url)
    conn = await asyncpg.connect(admin)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1"
            " OR backend_type IN ('walwriter', 'checkpointer', 'background writer')",
            name,
        )
    finally:
        await conn.close()
    return [r["pid"] for r in rows]


def cpu_seconds(pids: Iterable[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


class CpuMeter:
    """CPU seconds used over a window by named processes and by the Postgres processes of one database."""

    def __init__(self, pids: dict[str, int], admin: str, url: str) -> None:
        self.pids = {**pids, "client": os.getpid()}
        self.admin, self.url = admin, url
        self._start: dict[str, float] = {}
        self._pg_start: dict[int, float] = {}
        self._wall = 0.0

    async def _pg(self) -> dict[int, float]:
        return {pid: cpu_seconds([pid]) for pid in await postgres_pids(self.admin, self.url)}

    async def start(self) -> None:
        self._pg_start = await self._pg()
        self._start = {name: cpu_seconds([pid]) for name, pid in self.pids.items()}
        self._wall = time.monotonic()

    async def stop(self) -> dict[str, Any]:
        wall = time.monotonic() - self._wall
        used = {name: cpu_seconds([pid]) - self._start.get(name, 0.0) for name, pid in self.pids.items()}
        pg_now = await self._pg()
        # a backend that was not there at the start counts from zero (a connection opened during the window)
        used["postgres"] = sum(v - self._pg_start.get(pid, 0.0) for pid, v in pg_now.items())
        return {"wall": wall, "cpu": used}


def rss_mb(pid: int) -> float:
    try:
        return float(psutil.Process(pid).memory_info().rss) / 2**20
    except psutil.Error:
        return float("nan")


def machine() -> str:
    cpus = os.cpu_count()
    mem = psutil.virtual_memory().total / 2**30
    return f"{cpus} cores, {mem:.0f} GiB RAM, Python {sys.version.split()[0]}"
