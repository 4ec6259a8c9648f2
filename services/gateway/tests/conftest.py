"""Fixtures of the gateway's tests: a real gateway (uvicorn on a free port) on the test's own database, programs
registered by hand (runs that stay queued), and, for tests that need runs to move, the real services in-process
(compiler, scheduler, timer and a worker for tests/flows/gw_flows.py), as `waymark dev` runs them."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from waymark_gateway.service import bind, serve
from waymark_store.db import Database
from waymark_store.settings import Settings

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE / "flows"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from gw_support import CHECKOUT_PARAMS, Served, free_port, register  # noqa: E402


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    opened = await Database.open(database_url, pool_size=4)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def start_gateway(db: Database, tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Served]]]:
    """`await start_gateway(token=..., static_dir=...)`: a gateway serving this test's database on a free port."""
    tasks: list[asyncio.Task[None]] = []

    async def start(*, token: str | None = None, static_dir: Path | None = None, **overrides: Any) -> Served:
        settings = Settings(
            database_url=db.url, gateway_addr="127.0.0.1:0", gateway_token=token, poll_seconds=0.5, **overrides
        )
        sock = bind("127.0.0.1", 0)
        port = sock.getsockname()[1]
        static = static_dir or tmp_path / "no-build"
        tasks.append(asyncio.create_task(serve(settings, db, sock, announce=False, static_dir=static)))
        url = f"http://127.0.0.1:{port}/"
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(500):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(url + "healthz")).status_code == 200:
                        break
                assert not tasks[-1].done(), tasks[-1]
                await asyncio.sleep(0.02)
        return Served(url, db, settings)

    try:
        yield start
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


@pytest.fixture
async def gateway(start_gateway: Callable[..., Awaitable[Served]]) -> Served:
    return await start_gateway()


@pytest.fixture
async def checkout(db: Database) -> str:
    """A registered `Checkout(order_id, wait_seconds=1.0, **options)`."""
    await register(db, "Checkout", CHECKOUT_PARAMS)
    return "Checkout"


@pytest.fixture
async def services(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Settings]:
    """The compiler, scheduler and timer services and a worker for gw_flows, in this process (like `waymark dev`)."""
    import gw_flows
    from waymark._worker.cli import serve as serve_workers
    from waymark_store.service import load_service

    settings = Settings(database_url=database_url, compiler_url=f"127.0.0.1:{free_port()}", poll_seconds=0.5)
    monkeypatch.setenv("WAYMARK_DATABASE_URL", database_url)
    monkeypatch.setenv("WAYMARK_COMPILER_URL", settings.compiler_url)
    stop, registered = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(load_service(name).run(settings)) for name in ("compiler", "scheduler", "timer")]
    tasks.append(asyncio.create_task(serve_workers(settings, [gw_flows], stop=stop, registered=registered)))
    try:
        waiter = asyncio.create_task(registered.wait())
        done, _ = await asyncio.wait({waiter, *tasks}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
        assert waiter in done, [task for task in done if task is not waiter]
        yield settings
    finally:
        stop.set()
        for task in tasks[:-1]:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
