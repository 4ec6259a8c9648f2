"""Connections: one asyncpg pool per process for statements, dedicated connections for LISTEN.

Pooled connections never carry session state: LISTEN lives on a dedicated connection (see listener.py), every
advisory lock is transaction-scoped, and nothing runs SET (only SET LOCAL). So a released connection needs no reset
query: asyncpg's default (`SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`) would cost one more
round trip and one more commit on every use of the pool. asyncpg still rolls back a transaction left open.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

if TYPE_CHECKING:
    from waymark_store.listener import Listener

log = logging.getLogger("waymark.store")

# A connection of our own or one borrowed from a pool (asyncpg hands out proxies); an Executor is anything with
# execute/fetch/fetchrow/fetchval. (asyncpg's classes are generic only in its stubs, hence the two spellings.)
if TYPE_CHECKING:
    Connection = asyncpg.Connection[Any] | PoolConnectionProxy[Any]
    Executor = Connection | asyncpg.Pool[Any]
else:
    Connection = asyncpg.Connection | PoolConnectionProxy
    Executor = Connection | asyncpg.Pool


# What a lost connection or a restarting server raises: worth retrying after a pause, never a reason to give up.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    OSError,  # refused, reset, no socket file, timeouts (TimeoutError is an OSError)
    asyncpg.InterfaceError,  # the connection was closed under us
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.exceptions.OperatorInterventionError,  # 57P01 admin shutdown, 57P02 crash shutdown, 57P03 starting up
)


async def connect(url: str, *, timeout: float = 10.0) -> asyncpg.Connection:
    """A dedicated connection (LISTEN, long-lived work)."""
    conn: asyncpg.Connection = await asyncpg.connect(url, timeout=timeout)
    return conn


async def _no_reset(_conn: asyncpg.Connection) -> None:
    """Pool release hook: nothing to reset (see the module docstring); asyncpg has already rolled back any open
    transaction and dropped the connection's listeners."""


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10, **kwargs: Any) -> asyncpg.Pool:
    kwargs.setdefault("reset", _no_reset)
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
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            await conn.close()
            return
        if loop.time() >= deadline:
            raise SystemExit(
                f"waymark: cannot reach Postgres at {redact(url)} after {timeout:.0f}s ({last}); "
                "check WAYMARK_DATABASE_URL and that the server is running"
            )
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


class Database:
    """What every service opens at start-up: the database reached, migrations applied, a pool and a listener."""

    def __init__(self, url: str, pool: asyncpg.Pool, listener: Listener) -> None:
        self.url, self.pool, self.listener = url, pool, listener

    @classmethod
    async def open(cls, url: str, *, pool_size: int = 4, wait: float = 60.0) -> Database:
        from waymark_store.listener import Listener
        from waymark_store.migrate import apply_migrations

        await wait_for_database(url, timeout=wait)
        pool = await create_pool(url, min_size=1, max_size=pool_size)
        try:
            await apply_migrations(pool)
            listener = await Listener(url).start()
        except BaseException:
            await pool.close()
            raise
        return cls(url, pool, listener)

    async def close(self) -> None:
        await self.listener.close()
        await self.pool.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
