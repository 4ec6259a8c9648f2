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
