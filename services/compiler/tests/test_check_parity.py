"""`waymark check --format json`, gRPC `Check` and gRPC `Register` (a real grpclib server on a real Postgres) report
the same structured diagnostics for the same module, and `Register` stores nothing when there is any."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from compiler_support import FIXTURES, load
from grpclib.client import Channel
from waymark._bundle import bundles_for_modules
from waymark._check import diagnostic_json
from waymark_compiler.server import serve
from waymark_ir import pb

CLI = [str(Path(sys.executable).parent / "waymark"), "check"]  # the console script users run
EXPECTED_CODES = {"WM101", "WM103", "WM104", "WM107", "WM111", "WM113", "WM114", "WM115", "WM120", "WM122", "WM136"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli_json(*targets: str) -> tuple[int, dict[str, Any]]:
    """`waymark check --format json` in a subprocess, run from fixtures/ so the file names match the bundle's."""
    proc = subprocess.run(
        [*CLI, "--format", "json", *targets], cwd=FIXTURES, capture_output=True, text=True, timeout=120, check=False
    )
    document: dict[str, Any] = json.loads(proc.stdout)
    return proc.returncode, document


@pytest.fixture
async def compiler(pool: Any) -> AsyncIterator[pb.CompilerStub]:
    port = free_port()
    started = asyncio.Event()
    server = asyncio.create_task(serve(f"127.0.0.1:{port}", pool, started=started))
    await asyncio.wait_for(started.wait(), 10)
    channel = Channel("127.0.0.1", port)
    try:
        yield pb.CompilerStub(channel)
    finally:
        channel.close()
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)


def parity_bundle() -> pb.Bundle:
    [bundle] = bundles_for_modules([load("parity_bad")])  # what a worker sends
    return bundle


async def test_cli_check_and_register_report_the_same_diagnostics(compiler: pb.CompilerStub, pool: Any) -> None:
    status, document = cli_json("parity_bad.py")
    assert status == 1
    assert document["ok"] is False
    from_cli = document["diagnostics"]
    assert {d["code"] for d in from_cli} == EXPECTED_CODES
    assert all(d["workflow"] == "ParityBad" for d in from_cli), "the valid workflow beside them has none"

    checked = await compiler.check(pb.CheckRequest(bundle=parity_bundle()))
    registered = await compiler.register(pb.RegisterRequest(bundle=parity_bundle()))
    assert [diagnostic_json(d) for d in checked.diagnostics] == from_cli
    assert [diagnostic_json(d) for d in registered.diagnostics] == from_cli
    assert not checked.workflows and not registered.versions

    # all or nothing: not even the valid workflow of the module is stored
    assert await pool.fetchval("SELECT count(*) FROM waymark.versions") == 0
    assert await pool.fetchval("SELECT count(*) FROM waymark.workflows") == 0


async def test_every_diagnostic_has_a_location_a_frame_and_a_fix(compiler: pb.CompilerStub) -> None:
    source = (FIXTURES / "parity_bad.py").read_text().splitlines()
    checked = await compiler.check(pb.CheckRequest(bundle=parity_bundle()))
    assert len(checked.diagnostics) >= len(EXPECTED_CODES)
    for d in checked.diagnostics:
        assert d.filename == "parity_bad.py"
        assert 1 <= d.line <= d.end_line and d.col >= 1
        text = source[d.line - 1]
        frame = d.rendered.splitlines()
        assert frame[0] == f"{d.code} {d.message}"
        assert f"--> parity_bad.py:{d.line}:{d.col}" in frame[1]
        assert any(line.endswith(f"| {text}") for line in frame), "the caret frame shows the offending line"
        carets = next(line for line in frame if line.strip().endswith("^") and "|" in line)
        assert carets.index("^") - carets.index("|") - 2 == d.col - 1, "the carets start at the column"
        assert d.help and frame[-1].strip() == f"= help: {d.help}"


async def test_a_valid_module_registers_the_same_versions_check_reports(compiler: pb.CompilerStub, pool: Any) -> None:
    status, document = cli_json("conformance.seedflows")
    assert status == 0, document
    assert document["ok"] is True and document["diagnostics"] == [] and document["errors"] == []
    [bundle] = bundles_for_modules([load("conformance.seedflows")])
    registered = await compiler.register(pb.RegisterRequest(bundle=bundle))
    assert not registered.diagnostics
    assert sorted(v.version_id for v in registered.versions) == sorted(w["version_id"] for w in document["workflows"])
    assert await pool.fetchval("SELECT count(*) FROM waymark.versions") == len(registered.versions)
