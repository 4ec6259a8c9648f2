"""The compiler's gRPC API (grpclib + betterproto2): `Register` compiles and stores, `Check` only compiles."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Server
from waymark_ir import pb
from waymark_store import telemetry

from waymark_compiler.api import check_bundle, register_bundle

log = logging.getLogger("waymark.compiler")


class CompilerService(pb.CompilerBase):
    def __init__(self, pool: Any | None) -> None:
        self.pool = pool

    async def check(self, message: pb.CheckRequest) -> pb.CheckResponse:
        bundle = message.bundle or pb.Bundle()
        with telemetry.span(f"check {bundle.module}", kind=telemetry.SpanKind.SERVER) as span:
            response = await asyncio.to_thread(check_bundle, bundle)
            span.set_attribute("waymark.diagnostics", len(response.diagnostics))
            return response

    async def register(self, message: pb.RegisterRequest) -> pb.RegisterResponse:
        if self.pool is None:
            raise GRPCError(Status.UNAVAILABLE, "this compiler has no database; it can only Check")
        bundle = message.bundle or pb.Bundle()
        with telemetry.span(f"register {bundle.module}", kind=telemetry.SpanKind.SERVER) as span:
            response = await register_bundle(self.pool, bundle)
            span.set_attribute("waymark.diagnostics", len(response.diagnostics))
            span.set_attribute("waymark.versions", [v.version_id for v in response.versions])
            if response.diagnostics:
                telemetry.set_error(span, f"{len(response.diagnostics)} diagnostic(s)")
        if response.diagnostics:
            log.info("rejected %s: %d diagnostic(s)", bundle.module, len(response.diagnostics))
        else:
            log.info(
                "registered %s",
                ", ".join(
                    f"{v.workflow_name}={v.version_id[:12]}{'' if v.created else ' (known)'}" for v in response.versions
                ),
            )
        return response


def parse_address(address: str) -> tuple[str, int]:
    """`host:port` (also `[::1]:port`, and with an `http://`/`grpc://` prefix) -> (host, port)."""
    text = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"compiler address must be host:port, got {address!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


async def serve(address: str, pool: Any | None, *, started: asyncio.Event | None = None) -> None:
    """Serve until cancelled."""
    host, port = parse_address(address)
    server = Server([CompilerService(pool)])
    await server.start(host, port)
    log.info("compiler listening on %s:%d", host, port)
    if started is not None:
        started.set()
    try:
        await asyncio.Event().wait()
    finally:
        server.close()
        await server.wait_closed()
