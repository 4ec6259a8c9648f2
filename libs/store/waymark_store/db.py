"""Connections: one asyncpg pool per process for statements, dedicated connections for LISTEN.

asyncpg's pool runs `UNLISTEN *` and `pg_advisory_unlock_all()` when a connection is released, so LISTEN never
lives on a pooled connection (see listener.py) and every advisory lock we take is transaction-scoped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg

log = logging.getLogger("waymark.store")

Executor = asyncpg.Connection | asyncpg.Pool  # anything with execute/fetch/fetchrow/fetchval


async def connect(url: str, *, timeout: float = 10.0) -> asyncpg.Connection:
    """A dedicated connection (LISTEN, long-lived work)."""
    conn: asyncpg.Connection = await asyncpg.connect(url, timeout=timeout)
    return conn


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10, **kwargs: Any) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, **kwargs)
    assert pool is not None  # create_pool returns None only when awaited twice
    return pool


async def wait_for_database(url: str, *, timeout: float = 60.0) -> None:
    """Block until Postgres accepts connections (services may start before it); a clear error after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline, delay, last = loop.time() + timeout, 0.1, ""
    while True:
        try:
            conn = await connect(url, timeout=5)
        except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            await conn.close()
            return
        if loop.time() >= deadline:
            raise SystemExit(f"waymark: cannot reach Postgres at {redact(url)} after {timeout:.0f}s ({last}); "
                             "check WAYMARK_DATABASE_URL and that the server is running")
        log.info("waiting for Postgres (%s)", last)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}@{host}"
