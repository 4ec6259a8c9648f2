"""`waymark gateway`: the GraphQL API and the dashboard, served by uvicorn inside the service's asyncio task (so
`waymark dev` hosts it beside the other services in one process)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from waymark_store.db import Database
from waymark_store.service import ServiceSpec
from waymark_store.settings import Settings

from waymark_gateway.app import MAX_BODY_SLACK, STATIC, create_app
from waymark_gateway.operations import Gateway

log = logging.getLogger("waymark.gateway")


def parse_addr(addr: str) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise SystemExit(
            f"waymark: invalid setting: WAYMARK_GATEWAY_ADDR {addr!r} must be host:port, e.g. 127.0.0.1:24119"
        )
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_exposure(settings: Settings) -> tuple[str, int]:
    """The address to listen on; refuses one beyond loopback without a token (DESIGN §2, gateway)."""
    host, port = parse_addr(settings.gateway_addr)
    if not is_loopback(host) and not settings.gateway_token:
        raise SystemExit(
            f"waymark gateway: refusing to listen on {settings.gateway_addr} without a token: anyone who can reach it "
            "could start and cancel runs. Set WAYMARK_GATEWAY_TOKEN to a long random secret (clients send "
            "`Authorization: Bearer <token>`), or listen on loopback (WAYMARK_GATEWAY_ADDR=127.0.0.1:24119)"
        )
    return host, port


def bind(host: str, port: int) -> socket.socket:
    """Bind before anything else starts, so a busy port is a clear error (uvicorn would exit the process)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(
            f"waymark gateway: cannot listen on {host}:{port} ({exc.strerror or exc}): stop what uses it, or set "
            "WAYMARK_GATEWAY_ADDR to a free host:port"
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: the process that hosts it (`waymark`, `waymark dev`) owns the signals
    and stops the gateway by cancelling its task."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def url_of(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in host else host  # noqa: S104
    return f"http://{shown}:{port}/"


async def serve(
    settings: Settings, db: Database, sock: socket.socket, *, announce: bool = True, static_dir: Path = STATIC
) -> None:
    """Serve on `sock` until cancelled; then let open requests finish (briefly) and close the subscriptions."""
    gateway = Gateway(settings, db)
    config = uvicorn.Config(
        create_app(gateway, static_dir=static_dir),
        lifespan="off",
        log_level="warning",
        access_log=False,
        ws_max_size=settings.max_payload_bytes + MAX_BODY_SLACK,
        timeout_graceful_shutdown=2,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="waymark-gateway-http")
    try:
        while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn has no "listening" event
            await asyncio.sleep(0.02)
        if server.started and announce:
            host, port = sock.getsockname()[:2]
            url = url_of(host, port)
            print(f"waymark gateway: dashboard at {url} (GraphQL API at {url}graphql)", flush=True)
        await asyncio.shield(task)  # a cancelled service stops the server below, gracefully
    finally:
        if not task.done():
            server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), 5)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await gateway.close()


async def run_gateway(settings: Settings, **_: Any) -> None:
    host, port = check_exposure(settings)
    sock = bind(host, port)
    try:
        db = await Database.open(settings.require_database_url(), pool_size=4)
        try:
            await serve(settings, db, sock)
        finally:
            await db.close()
    finally:
        sock.close()


SERVICE = ServiceSpec(
    name="gateway",
    help="the GraphQL API (queries, mutations, subscriptions) and the dashboard",
    run=run_gateway,
    order=60,
)
