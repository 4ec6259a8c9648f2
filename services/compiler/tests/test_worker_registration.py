"""`waymark-start-workers` against a real compiler (a grpclib server in this process) and a real Postgres: a module
the compiler refuses makes the worker print every rendered diagnostic and exit non-zero without registering anything;
an unreachable compiler is a clear error after WAYMARK_COMPILER_WAIT_SECONDS, not a hang; a valid module starts."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from compiler_support import FIXTURES
from waymark_compiler.server import serve

WORKERS = str(Path(sys.executable).parent / "waymark-start-workers")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def compiler_url(pool: Any) -> AsyncIterator[str]:
    port = free_port()
    started = asyncio.Event()
    server = asyncio.create_task(serve(f"127.0.0.1:{port}", pool, started=started))
    await asyncio.wait_for(started.wait(), 10)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)


def worker_env(database_url: str, compiler_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYMARK_")}
    env.update(
        WAYMARK_DATABASE_URL=database_url,
        WAYMARK_COMPILER_URL=compiler_url,
        PYTHONPATH=os.pathsep.join([str(FIXTURES), env.get("PYTHONPATH", "")]),
        NO_COLOR="1",
        **extra,
    )
    return env


async def run_workers(*modules: str, env: dict[str, str], timeout: float = 60) -> tuple[int, str, str, float]:
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        WORKERS, *modules, cwd=FIXTURES, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"waymark-start-workers {' '.join(modules)} did not exit within {timeout}s") from None
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode(), time.monotonic() - started


async def test_refused_module_prints_every_diagnostic_and_exits_non_zero(
    database_url: str, compiler_url: str, pool: Any
) -> None:
    status, _, err, _ = await run_workers("parity_bad", env=worker_env(database_url, compiler_url))
    assert status == 2, err
    assert "Traceback" not in err
    assert "the compiler refused the workflows of parity_bad" in err
    assert "nothing was registered" in err
    for code in ("WM101", "WM103", "WM104", "WM107", "WM111", "WM113", "WM114", "WM115", "WM120", "WM122", "WM136"):
        assert f"\n{code} " in err, f"{code} missing from the worker's output"
    assert "--> parity_bad.py:" in err and "= help: " in err and "^" in err
    assert "`waymark check parity_bad` shows them" in err
    assert await pool.fetchval("SELECT count(*) FROM waymark.versions") == 0


async def test_one_refused_module_means_no_module_is_registered(
    database_url: str, compiler_url: str, pool: Any
) -> None:
    status, _, err, _ = await run_workers("worker_good", "parity_bad", env=worker_env(database_url, compiler_url))
    assert status == 2, err
    assert "WM101" in err
    assert await pool.fetchval("SELECT count(*) FROM waymark.versions") == 0, "the valid module was registered"


async def test_unreachable_compiler_is_an_error_not_a_hang(database_url: str) -> None:
    nobody = f"127.0.0.1:{free_port()}"
    env = worker_env(database_url, nobody, WAYMARK_COMPILER_WAIT_SECONDS="1.5")
    status, _, err, elapsed = await run_workers("worker_good", env=env, timeout=45)
    assert status != 0
    assert f"the compiler at {nobody} did not answer within 1.5s" in err
    assert "Traceback" not in err
    assert elapsed < 30


async def test_valid_module_registers_and_runs(database_url: str, compiler_url: str, pool: Any) -> None:
    proc = await asyncio.create_subprocess_exec(
        WORKERS,
        "worker_good",
        cwd=FIXTURES,
        env=worker_env(database_url, compiler_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    seen = ""
    try:
        async with asyncio.timeout(60):
            while "running" not in seen:
                line = await proc.stderr.readline()
                assert line, f"the worker exited early: {seen}"
                seen += line.decode()
        assert "registered workflow WorkerGood" in seen
        assert await pool.fetchval("SELECT count(*) FROM waymark.versions") == 1
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    assert proc.returncode == 0


async def test_a_module_that_fails_to_import_is_located_not_a_traceback(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "wm_worker_broken.py").write_text("import os\n\nx = (\n")
    (tmp_path / "wm_worker_raises.py").write_text("import os\n\nraise RuntimeError('no config')\n")
    env = worker_env(database_url, f"127.0.0.1:{free_port()}", WAYMARK_COMPILER_WAIT_SECONDS="1")
    env["PYTHONPATH"] = str(tmp_path)
    for module, message, where in (
        ("wm_worker_broken", "SyntaxError: '(' was never closed", "wm_worker_broken.py:3:5"),
        ("wm_worker_raises", "RuntimeError: no config", "wm_worker_raises.py:3"),
    ):
        status, _, err, _ = await run_workers(module, env=env)
        assert status == 1, err
        assert "Traceback" not in err
        assert f"waymark: cannot import {module}: {message}" in err
        assert where in err
