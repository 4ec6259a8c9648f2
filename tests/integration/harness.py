"""A small harness for multi-process tests: real service processes, real signals, real Postgres.

- `Proc`: one command in its own process group (so `kill -9` reaches its children too), output in a log file.
- `Cluster`: the Waymark services of one test (`waymark compiler|scheduler|timer`, `waymark-start-workers`), all
  pointed at the test's database, with a free compiler port and `tests/integration/flows` on PYTHONPATH.
- `eventually` / `wait_until`: poll a condition until a deadline; the failure message says what was awaited and what
  was last seen. Tests synchronise by polling conditions, never by sleeping, and never assert durations.
- `EmbeddedPostgres`: a Postgres server the test owns (the `pgserver` binaries), which it may restart at will.

Logs live under the test's tmp dir; `Cluster.report()` renders their tails, and the `cluster` fixture prints it when
the test failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

HERE = Path(__file__).resolve().parent
FLOWS = HERE / "flows"
BIN = Path(sys.executable).parent  # the venv's console scripts live beside its interpreter
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(
    predicate: Callable[[], T], *, timeout: float, what: str, interval: float = 0.2, describe: Callable[[], str] = str
) -> T:
    """Poll `predicate` until it returns something truthy (returned) or `timeout` seconds pass (AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last: {describe()}")
        time.sleep(interval)


async def eventually(
    predicate: Callable[[], Awaitable[T]],
    *,
    timeout: float,
    what: str,
    interval: float = 0.25,
    describe: Callable[[], Awaitable[str]] | None = None,
) -> T:
    """Async `wait_until`: await `predicate()` until it is truthy or `timeout` seconds pass."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if loop.time() > deadline:
            last = await describe() if describe is not None else repr(value)
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last: {last}")
        await asyncio.sleep(interval)


class Proc:
    """One process in its own process group, output appended to `log`."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.name, self.argv, self.log = name, argv, log
        with open(log, "ab") as out:
            out.write(f"=== {name}: {' '.join(argv)}\n".encode())
            out.flush()
            self.popen = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches everything it started
            )
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def kill(self, timeout: float = 15) -> int | None:
        """kill -9 of the whole process group; waits for the leader."""
        self.signal(signal.SIGKILL)
        return self.wait(timeout)

    def pause(self) -> None:
        self.signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.signal(signal.SIGCONT)

    def terminate(self, timeout: float = 60) -> int | None:
        """SIGTERM, wait up to `timeout` seconds for a graceful exit; returns the exit status (None: still alive)."""
        self.signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout: float) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        return self.popen.poll()

    def stop(self) -> None:
        """Clean-up: SIGCONT (in case it is paused), SIGTERM, then SIGKILL whatever is left of the group."""
        if self.alive():
            self.resume()
            self.terminate(10)
        self.signal(signal.SIGKILL)
        self.wait(10)

    def text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.text().splitlines()[-lines:])


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The current environment without any WAYMARK_* setting, with the venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYMARK_")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(FLOWS), env.get("PYTHONPATH")])),
    )
    env.update(extra or {})
    return env


ROLES = {
    "compiler": [str(BIN / "waymark"), "compiler"],
    "scheduler": [str(BIN / "waymark"), "scheduler"],
    "timer": [str(BIN / "waymark"), "timer"],
    "workers": [str(BIN / "waymark-start-workers")],
}


class Cluster:
    """The services of one test, each in its own process (group).

    `env` applies to every process; `start(role, env=...)` adds per-process settings (e.g. a failpoint). Processes
    are named `<role>-<n>`; `procs[name]` holds the latest process of each name.
    """

    def __init__(self, database_url: str, root: Path, modules: Iterable[str], env: dict[str, str] | None = None):
        self.database_url = database_url
        self.root = root
        self.modules = list(modules)
        self.logs = root / "logs"
        self.state = root / "state"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)
        self.compiler_url = f"127.0.0.1:{free_port()}"
        self.env = clean_env(
            {
                "WAYMARK_DATABASE_URL": database_url,
                "WAYMARK_COMPILER_URL": self.compiler_url,
                "WAYMARK_IT_STATE": str(self.state),
                "WAYMARK_POLL_SECONDS": "1",
                **(env or {}),
            }
        )
        self.procs: dict[str, Proc] = {}
        self.history: list[Proc] = []

    # ---- processes ---------------------------------------------------------------------------------------------

    def start(self, role: str, name: str | None = None, env: dict[str, str] | None = None) -> Proc:
        name = name or role
        argv = ROLES[role] + (self.modules if role == "workers" else [])
        log = self.logs / f"{len(self.history):03d}-{name}.log"
        proc = Proc(name, argv, {**self.env, **(env or {})}, self.root, log)
        self.procs[name] = proc
        self.history.append(proc)
        return proc

    def start_compiler(self, timeout: float = 90) -> Proc:
        proc = self.start("compiler")
        port = int(self.compiler_url.rsplit(":", 1)[1])
        wait_until(
            lambda: port_open(port) or not proc.alive(),
            timeout=timeout,
            what=f"the compiler to listen on {self.compiler_url}",
        )
        assert proc.alive(), f"the compiler exited with status {proc.returncode}:\n{proc.tail()}"
        return proc

    def start_all(self, workers: int = 1, worker_env: dict[str, str] | None = None) -> None:
        """Compiler (waited for), scheduler, timer and `workers` worker processes; returns once every workflow of
        the modules is registered (see `wait_registered`)."""
        self.start_compiler()
        self.start("scheduler")
        self.start("timer")
        for index in range(workers):
            self.start("workers", f"workers-{index}", env=worker_env)
        self.wait_registered()

    def wait_registered(self, timeout: float = 120) -> None:
        """Until every worker process has registered its workflows and is claiming (it logs 'running')."""
        workers = [p for name, p in self.procs.items() if name.startswith("workers")]
        for proc in workers:
            wait_until(
                lambda proc=proc: " running " in proc.text() or not proc.alive(),  # type: ignore[misc]
                timeout=timeout,
                what=f"{proc.name} to register its workflows and start claiming",
                describe=lambda proc=proc: proc.tail(5),  # type: ignore[misc]
            )
            assert proc.alive(), f"{proc.name} exited with status {proc.returncode}:\n{proc.tail()}"

    def restart(self, name: str, env: dict[str, str] | None = None) -> Proc:
        """A new process for `name` (its role is the name up to the first '-')."""
        role = name.split("-", 1)[0]
        return self.start(role, name, env)

    def kill(self, *names: str) -> None:
        """kill -9 of the named processes (their whole groups)."""
        for name in names:
            self.procs[name].kill()

    def dead(self) -> list[Proc]:
        return [p for p in self.procs.values() if not p.alive()]

    def assert_alive(self, *names: str) -> None:
        for name in names or tuple(self.procs):
            proc = self.procs[name]
            assert proc.alive(), f"{name} exited with status {proc.returncode}:\n{proc.tail()}"

    def stop(self) -> None:
        for proc in reversed(self.history):
            proc.stop()

    def report(self, lines: int = 60) -> str:
        parts = [database_summary(self.database_url)]
        for proc in self.history:
            parts.append(f"----- {proc.log.name} (status {proc.returncode}) -----\n{proc.tail(lines)}")
        return "\n".join(parts)

    # ---- state the flows leave behind ----------------------------------------------------------------------------

    def executions(self) -> list[dict[str, Any]]:
        """Every action execution the flows recorded (flows/it_support.py), in order."""
        return read_jsonl(self.state / "executions.jsonl")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        with contextlib.suppress(ValueError):  # a line cut by kill -9 mid-write
            records.append(json.loads(line))
    return records


# ---- database checks --------------------------------------------------------------------------------------------


async def fetch(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows
    finally:
        await conn.close()


async def fetchval(url: str, query: str, *args: Any) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


TERMINAL = ("completed", "failed", "cancelled", "timed_out")


def database_summary(url: str) -> str:
    """Counts of runs, actions, timers and events by state: printed with the logs when a test fails."""
    queries = {
        "runs": "SELECT status, count(*) FROM waymark.runs GROUP BY 1 ORDER BY 1",
        "actions": "SELECT status, attempt, redeliveries, count(*) FROM waymark.actions GROUP BY 1, 2, 3 ORDER BY 1",
        "timers": "SELECT kind, fired_at IS NOT NULL AS fired, count(*) FROM waymark.timers GROUP BY 1, 2",
        "unconsumed events": "SELECT kind, count(*) FROM waymark.events WHERE consumed_at IS NULL GROUP BY 1",
        "late outcomes": "SELECT count(*) FROM waymark.late_outcomes",
    }

    async def summarise() -> str:
        lines = []
        conn = await asyncpg.connect(url, timeout=10)
        try:
            for label, query in queries.items():
                rows = await conn.fetch(query)
                lines.append(f"{label}: {[tuple(r.values()) for r in rows]}")
        finally:
            await conn.close()
        return "\n".join(lines)

    result: list[str] = []

    def run() -> None:  # in a thread: the caller may be inside a running event loop
        try:
            result.append(asyncio.run(summarise()))
        except Exception as exc:
            result.append(f"(no database summary: {type(exc).__name__}: {exc})")

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    return "----- database -----\n" + (result[0] if result else "(database summary timed out)")


async def consistency_problems(url: str) -> list[str]:
    """Invariants of a quiet database (no service is mid-transaction and every run is terminal), as messages."""
    checks = {
        "runs not terminal": "SELECT workflow_id, status FROM waymark.runs WHERE status NOT IN "
        "('completed','failed','cancelled','timed_out')",
        "unconsumed events": "SELECT run_id, kind, payload::text FROM waymark.events WHERE consumed_at IS NULL",
        "terminal runs that kept a snapshot": "SELECT workflow_id FROM waymark.runs WHERE snapshot IS NOT NULL AND "
        "status IN ('completed','failed','cancelled','timed_out')",
        "actions running without a live lease": "SELECT call_id, status, lease_expires_at FROM waymark.actions "
        "WHERE status = 'running' AND (lease_token IS NULL OR lease_expires_at IS NULL "
        "OR lease_expires_at < clock_timestamp())",
        "leases on actions that are not running": "SELECT call_id, status FROM waymark.actions "
        "WHERE status <> 'running' AND lease_token IS NOT NULL",
        "final action outcomes that are not exactly one event": """
            SELECT a.run_id, a.seq, a.status, count(e.event_id) AS events FROM waymark.actions a
            LEFT JOIN waymark.events e ON e.run_id = a.run_id AND e.kind = 'action'
                 AND (e.payload->>'seq')::int = a.seq
            WHERE a.status IN ('succeeded', 'failed')
            GROUP BY a.run_id, a.seq, a.status HAVING count(e.event_id) <> 1""",
        "action events without a final action row": """
            SELECT e.run_id, e.payload->>'seq' FROM waymark.events e
            LEFT JOIN waymark.actions a ON a.run_id = e.run_id AND a.seq = (e.payload->>'seq')::int
            WHERE e.kind = 'action' AND (a.call_id IS NULL OR a.status NOT IN ('succeeded', 'failed'))""",
        "timers fired more than once": """
            SELECT run_id, payload->>'seq', count(*) FROM waymark.events WHERE kind = 'timer'
            GROUP BY run_id, payload->>'seq' HAVING count(*) > 1""",
        "fired timers without exactly one event": """
            SELECT t.run_id, t.seq, count(e.event_id) FROM waymark.timers t
            LEFT JOIN waymark.events e ON e.run_id = t.run_id AND e.kind = 'timer'
                 AND (e.payload->>'seq')::int = t.seq
            WHERE t.fired_at IS NOT NULL AND t.kind <> 'workflow_timeout'
              -- a cancelled or timed out run drops its pending timers without an event
              AND t.run_id NOT IN (SELECT run_id FROM waymark.runs WHERE status IN ('cancelled', 'timed_out'))
            GROUP BY t.run_id, t.seq HAVING count(e.event_id) <> 1""",
        "workflow timeouts delivered more than once": "SELECT run_id FROM waymark.events WHERE kind = 'timeout' "
        "GROUP BY run_id HAVING count(*) > 1",
        "timed out runs without a timeout event": """
            SELECT r.workflow_id FROM waymark.runs r WHERE r.status = 'timed_out'
            AND NOT EXISTS (SELECT 1 FROM waymark.events e WHERE e.run_id = r.run_id AND e.kind = 'timeout')""",
        "more than one start event": "SELECT run_id FROM waymark.events WHERE kind = 'start' "
        "GROUP BY run_id HAVING count(*) <> 1",
    }
    problems = []
    for label, query in checks.items():
        rows = await fetch(url, query)
        if rows:
            problems.append(f"{label}: {len(rows)} e.g. {[dict(r) for r in rows[:3]]}")
    return problems


# ---- the execution log ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Execution:
    phase: str  # start | end
    pid: int
    t: float
    run_id: str
    seq: int
    attempt: int
    action: str
    step: int | None

    @classmethod
    def of(cls, record: dict[str, Any]) -> Execution:
        return cls(
            record["phase"],
            record["pid"],
            record["t"],
            record["run_id"],
            record["seq"],
            record["attempt"],
            record["action"],
            record.get("step"),
        )


def executions_by_call(records: list[dict[str, Any]]) -> dict[tuple[str, int], list[Execution]]:
    """Start records by (run_id, seq)."""
    found: dict[tuple[str, int], list[Execution]] = {}
    for record in records:
        execution = Execution.of(record)
        if execution.phase == "start":
            found.setdefault((execution.run_id, execution.seq), []).append(execution)
    return found


async def at_least_once_problems(url: str, records: list[dict[str, Any]]) -> tuple[list[str], dict[str, int]]:
    """What the execution log and the action rows say about delivery, as (problems, figures):

    - a step whose outcome was committed never starts executing again (no start after the row's `finished_at`,
      Postgres and the flows share this machine's clock);
    - a call never starts more often than it was claimed (attempts + redeliveries);
    - a logical step of a run is always the same call (the scheduler never re-issued an action under a new seq);
    - a call that was interrupted (started more often than its attempts) was redelivered without spending an
      attempt.
    """
    rows = await fetch(
        url,
        """SELECT run_id::text, seq, status, attempt, max_attempts, redeliveries,
                  EXTRACT(EPOCH FROM finished_at)::float8 AS finished FROM waymark.actions""",
    )
    calls = {(r["run_id"], r["seq"]): r for r in rows}
    starts = executions_by_call(records)
    problems: list[str] = []
    interrupted = redelivered = 0
    steps: dict[tuple[str, int], set[int]] = {}
    for (run_id, seq), runs in starts.items():
        row = calls.get((run_id, seq))
        if row is None:
            problems.append(f"executed a call that has no action row: run {run_id} seq {seq}")
            continue
        for execution in runs:
            if execution.step is not None:
                steps.setdefault((run_id, execution.step), set()).add(seq)
            if row["finished"] is not None and execution.t > row["finished"]:
                problems.append(
                    f"run {run_id} seq {seq} ({execution.action}) started again (pid {execution.pid}, attempt "
                    f"{execution.attempt}) {execution.t - row['finished']:.3f}s after its outcome was committed"
                )
        claims = row["attempt"] + row["redeliveries"]
        if len(runs) > claims:
            problems.append(
                f"run {run_id} seq {seq} started {len(runs)} times but was claimed only {claims} times "
                f"(attempt {row['attempt']}, redeliveries {row['redeliveries']})"
            )
        if row["redeliveries"]:
            redelivered += 1
        attempts = {e.attempt for e in runs}
        if len(runs) > len(attempts):
            interrupted += 1
    for (run_id, step), seqs in steps.items():
        if len(seqs) > 1:
            problems.append(f"run {run_id} step {step} ran as several calls (seqs {sorted(seqs)})")
    figures = {"calls": len(calls), "executed": len(starts), "redelivered": redelivered, "interrupted": interrupted}
    return problems, figures


# ---- an embedded Postgres the test owns -------------------------------------------------------------------------


def private_folder(prefix: str) -> Path:
    """A fresh folder for an embedded Postgres, outside pytest's tmp_path: a concurrent pytest session chmods
    /tmp/pytest-of-<user> back to 0700, which locks out the separate user pgserver runs Postgres as (under root)."""
    return Path(tempfile.mkdtemp(prefix=prefix))


class EmbeddedPostgres:
    """A private Postgres (the `pgserver` package's binaries) that a test may stop, kill and restart. It listens on a
    Unix socket in its data folder only, so restarting it never touches the machine's shared server."""

    def __init__(self, folder: Path) -> None:
        os.environ.setdefault("XDG_RUNTIME_DIR", str(folder.parent))
        import pgserver

        self.folder = folder
        self.server = pgserver.get_server(folder, cleanup_mode="delete")  # type: ignore[attr-defined]
        self.url: str = self.server.get_uri()
        info = self.server.get_postmaster_info()
        self.socket_dir = str(info.socket_dir)
        self.user = self.server.system_user  # pgserver runs postgres as a separate user when we are root

    def _pg_ctl(self, *args: str, timeout: float = 60) -> None:
        from pgserver._commands import pg_ctl  # type: ignore[import-untyped]

        pg_ctl(list(args), pgdata=self.folder, user=self.user, timeout=timeout)

    def postmaster_pid(self) -> int | None:
        pid_file = self.folder / "postmaster.pid"
        try:
            return int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None

    def crash(self) -> None:
        """kill -9 of the postmaster and every backend: an unclean stop, recovered from the WAL on the next start."""
        pid = self.postmaster_pid()
        assert pid is not None, "the embedded Postgres is not running"
        family = [pid, *_children(pid)]
        for member in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(member, signal.SIGKILL)
        wait_until(
            lambda: not any(_pid_alive(p) for p in family), timeout=60, what="the killed Postgres processes to exit"
        )

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-w", "-m", mode, "stop")

    @staticmethod
    def stop_folder(folder: Path) -> None:
        """Stop whatever server runs on `folder` (clean-up after a test that let one escape)."""
        pid = int((folder / "postmaster.pid").read_text().splitlines()[0])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGQUIT)  # immediate shutdown
        wait_until(lambda: not _pid_alive(pid), timeout=60, what=f"the Postgres on {folder} to stop")

    def start(self) -> None:
        self._pg_ctl(
            "-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.folder / "log"), "start", timeout=120
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.server.cleanup()
        if self.folder.exists():
            with contextlib.suppress(Exception):
                self.stop("immediate")
            shutil.rmtree(self.folder, ignore_errors=True)
        shutil.rmtree(self.folder.parent, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (our child? no: postgres is pg_ctl's child) counts as dead
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


@contextlib.contextmanager
def timed() -> Iterator[Callable[[], float]]:
    """`with timed() as elapsed: ...; elapsed()` — for figures printed by tests (never asserted)."""
    started = time.monotonic()
    yield lambda: time.monotonic() - started


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str  # "" for a root span
    attributes: dict[str, Any]
    error: bool


class OtlpReceiver:
    """An in-process OTLP/HTTP collector (what Jaeger listens on at :4318): it decodes every `POST /v1/traces` the
    services export and keeps the spans. `endpoint` is the value for OTEL_EXPORTER_OTLP_ENDPOINT."""

    def __init__(self) -> None:
        import http.server

        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

        receiver = self
        self.spans: list[ReceivedSpan] = []
        self._lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = trace_service_pb2.ExportTraceServiceRequest()
                request.ParseFromString(body)
                receiver._add(request)
                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="otlp-receiver", daemon=True)
        self._thread.start()

    def _add(self, request: Any) -> None:
        found: list[ReceivedSpan] = []
        for resource_spans in request.resource_spans:
            resource = {a.key: _any_value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for s in scope_spans.spans:
                    found.append(
                        ReceivedSpan(
                            service=str(resource.get("service.name", "")),
                            name=s.name,
                            trace_id=s.trace_id.hex(),
                            span_id=s.span_id.hex(),
                            parent_span_id=s.parent_span_id.hex(),
                            attributes={a.key: _any_value(a.value) for a in s.attributes},
                            error=s.status.code == 2,  # STATUS_CODE_ERROR
                        )
                    )
        with self._lock:
            self.spans.extend(found)

    def snapshot(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self.spans)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _any_value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_any_value(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None
