"""Register over gRPC and in process, against a real Postgres (the root conftest's `pool`)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from compiler_support import FIXTURES, bundle_of, load
from grpclib.client import Channel
from grpclib.exceptions import GRPCError
from waymark._bundle import bundles_for_modules
from waymark_compiler import register_bundle
from waymark_compiler.server import parse_address, serve
from waymark_ir import pb


def seed_bundle() -> pb.Bundle:
    [bundle] = bundles_for_modules([load("conformance.seedflows")])
    return bundle


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_register_stores_versions_idempotently(pool: Any) -> None:
    first = await register_bundle(pool, seed_bundle())
    assert not first.diagnostics
    assert [(v.workflow_name, v.created) for v in first.versions] == [
        ("Checkout", True),
        ("Greeter", True),
        ("Countdown", True),
    ]
    again = await register_bundle(pool, seed_bundle())
    assert [v.version_id for v in again.versions] == [v.version_id for v in first.versions]
    assert not any(v.created for v in again.versions)
    rows = await pool.fetch(
        "SELECT version_id, workflow_name, module, qualname, ir_version, program "
        "FROM waymark.versions ORDER BY workflow_name"
    )
    assert {r["workflow_name"] for r in rows} == {"Checkout", "Greeter", "Countdown"}
    for row in rows:
        program = pb.Program.parse(row["program"])
        assert (program.workflow_name, program.module) == (row["workflow_name"], "conformance.seedflows")
        assert row["ir_version"] == 1
    current = await pool.fetchval("SELECT current_version_id FROM waymark.workflows WHERE name = 'Greeter'")
    assert current == next(v.version_id for v in first.versions if v.workflow_name == "Greeter")


async def test_register_refuses_and_stores_nothing(pool: Any) -> None:
    response = await register_bundle(pool, bundle_of("WM101"))
    assert not response.versions
    assert {d.code for d in response.diagnostics} == {"WM101"}
    assert await pool.fetchval("SELECT count(*) FROM waymark.versions") == 0


async def test_grpc_check_and_register(pool: Any) -> None:
    port = free_port()
    started = asyncio.Event()
    server = asyncio.create_task(serve(f"127.0.0.1:{port}", pool, started=started))
    await asyncio.wait_for(started.wait(), 10)
    channel = Channel("127.0.0.1", port)
    try:
        stub = pb.CompilerStub(channel)
        checked = await stub.check(pb.CheckRequest(bundle=seed_bundle()))
        assert [w.workflow_name for w in checked.workflows] == ["Checkout", "Greeter", "Countdown"]
        rejected = await stub.register(pb.RegisterRequest(bundle=bundle_of("WM104")))
        marked = (FIXTURES / "WM104.py").read_text().count("# WM104")
        assert [d.code for d in rejected.diagnostics] == ["WM104"] * marked
        assert rejected.diagnostics[0].rendered.startswith("WM104 uuid.uuid4() is nondeterministic")
        registered = await stub.register(pb.RegisterRequest(bundle=seed_bundle()))
        assert [v.version_id for v in registered.versions] == [w.version_id for w in checked.workflows]
    finally:
        channel.close()
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)


async def test_check_only_server_refuses_register() -> None:
    port = free_port()
    started = asyncio.Event()
    server = asyncio.create_task(serve(f"127.0.0.1:{port}", None, started=started))
    await asyncio.wait_for(started.wait(), 10)
    channel = Channel("127.0.0.1", port)
    try:
        error: Any = None
        try:
            await pb.CompilerStub(channel).register(pb.RegisterRequest(bundle=seed_bundle()))
        except GRPCError as exc:
            error = exc
        assert error is not None
        assert "only Check" in str(error.message)
    finally:
        channel.close()
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)


def test_parse_address() -> None:
    assert parse_address("127.0.0.1:24117") == ("127.0.0.1", 24117)
    assert parse_address("http://localhost:50051/") == ("localhost", 50051)
    assert parse_address("[::1]:9000") == ("::1", 9000)


CONFIG_FLOW = """import os
import time

from waymark import Workflow, workflow

REGION = os.environ["WM_TEST_REGION"]
STARTED = time.time()


@workflow(name="region_report")
class RegionReport(Workflow):
    token = os.environ["WM_TEST_REGION"] * 2

    async def run(self) -> str:
        return f"{REGION}/{self.token}"
"""


def _config_bundle(tmp_path: Any, monkeypatch: Any, region: str) -> pb.Bundle:
    """Import wm_region_cfg (a fresh import, as a new worker process would) with WM_TEST_REGION=region."""
    import importlib
    import sys

    from waymark._registry import WORKFLOWS

    monkeypatch.setenv("WM_TEST_REGION", region)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "wm_region_cfg.py").write_text(CONFIG_FLOW)
    sys.modules.pop("wm_region_cfg", None)
    WORKFLOWS.pop("region_report", None)
    try:
        [bundle] = bundles_for_modules([importlib.import_module("wm_region_cfg")])
    finally:
        sys.modules.pop("wm_region_cfg", None)
        WORKFLOWS.pop("region_report", None)
    return bundle


async def test_values_computed_at_import_are_frozen_into_the_version(
    pool: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """docs/language.md "Module constants": a module constant or class attribute computed at import is configuration
    frozen into the version: another value is another version, and a started run keeps its version (its program
    with the value it was compiled with)."""
    from irvm import Interpreter
    from waymark_store.runs import start_run

    eu = await register_bundle(pool, _config_bundle(tmp_path, monkeypatch, "eu"))
    assert not eu.diagnostics
    [eu_version] = eu.versions
    again = await register_bundle(pool, _config_bundle(tmp_path, monkeypatch, "eu"))
    # STARTED differs between the imports but run() does not read it: same version
    assert [v.version_id for v in again.versions] == [eu_version.version_id]
    async with pool.acquire() as conn:
        started = await start_run(conn, workflow_name="region_report", input_json="{}")

    us = await register_bundle(pool, _config_bundle(tmp_path, monkeypatch, "us"))
    [us_version] = us.versions
    assert us_version.created and us_version.version_id != eu_version.version_id
    current = await pool.fetchval("SELECT current_version_id FROM waymark.workflows WHERE name = 'region_report'")
    assert current == us_version.version_id
    kept = await pool.fetchval("SELECT version_id FROM waymark.runs WHERE run_id = $1", started.run_id)
    assert kept == eu_version.version_id

    async def result_of(version_id: str) -> Any:
        row = await pool.fetchval("SELECT program FROM waymark.versions WHERE version_id = $1", version_id)
        return await Interpreter(pb.Program.parse(row)).run_with(object())

    assert await result_of(kept) == "eu/eueu"
    assert await result_of(us_version.version_id) == "us/usus"
