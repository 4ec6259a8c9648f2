"""LISTEN on a dedicated connection, with reconnection and catch-up.

Users: `listener.subscribe(channel)` returns a `Wakeup`; every notification (and every reconnection, reported as an
empty payload because notifications may have been missed while disconnected) wakes it. Callers follow the rule of
ARCHITECTURE.md: subscribe, then query, then wait, then query again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from waymark_store.db import connect, redact

log = logging.getLogger("waymark.listener")


class Wakeup:
    """A latch with the payloads received since the last `wait`. An empty payload means "re-check everything".

    At most MAX_PAYLOADS are kept: past that they collapse into one "" (re-check everything), so a subscriber that
    waits rarely, or never (one that subscribed for its callback), holds bounded memory."""

    MAX_PAYLOADS = 256

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.payloads: list[str] = []

    def notify(self, payload: str) -> None:
        if len(self.payloads) < self.MAX_PAYLOADS:
            self.payloads.append(payload)
        elif self.payloads != [""]:
            self.payloads = [""]
        self._event.set()

    async def wait(self, timeout: float | None) -> list[str]:
        """Wait up to `timeout` seconds for a notification; return (and clear) the payloads seen."""
        if not self._event.is_set() and (timeout is None or timeout > 0):
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout)
        self._event.clear()
        payloads, self.payloads = self.payloads, []
        return payloads


class Listener:
    """One dedicated LISTEN connection per process, shared by every subscriber."""

    def __init__(self, url: str, *, keepalive: float = 5.0) -> None:
        self._url = url
        self._keepalive = keepalive
        self._subscribers: dict[str, list[Callable[[str], None]]] = {}
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._lost = asyncio.Event()
        self._listening: set[str] = set()

    async def start(self) -> Listener:
        self._task = asyncio.create_task(self._maintain(), name="waymark-listener")
        await self._ready.wait()
        return self

    async def subscribe(self, channel: str, callback: Callable[[str], None] | None = None) -> Wakeup:
        """Deliver `channel` notifications to a new Wakeup (and `callback`, if given). When this returns, the
        channel is LISTENed to, so a query made afterwards cannot miss a notification sent after it."""
        wakeup = Wakeup()
        callbacks = self._subscribers.setdefault(channel, [])
        callbacks.append(wakeup.notify)
        if callback is not None:
            callbacks.append(callback)
        conn = self._conn
        if conn is not None and channel not in self._listening:
            self._listening.add(channel)
            try:
                await conn.add_listener(channel, self._dispatch)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                self._lost.set()  # the reconnect re-LISTENs every channel and wakes every subscriber
        return wakeup

    def _dispatch(self, _conn: object, _pid: int, channel: str, payload: object) -> None:
        for callback in self._subscribers.get(channel, []):
            callback(str(payload))

    async def _maintain(self) -> None:
        delay = 0.1
        while True:
            try:
                conn = await connect(self._url)
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                log.warning("LISTEN connection to %s failed (%s); retrying in %.1fs", redact(self._url), exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            delay = 0.1
            self._lost.clear()
            conn.add_termination_listener(lambda _c: self._lost.set())
            try:
                self._listening = set(self._subscribers)
                for channel in self._listening:
                    await conn.add_listener(channel, self._dispatch)
                self._conn = conn
                first = not self._ready.is_set()
                self._ready.set()
                if not first:  # notifications may have been missed while we were away: everyone re-checks
                    for channel in list(self._subscribers):
                        self._dispatch(conn, 0, channel, "")
                await self._watch(conn)
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("LISTEN connection lost (%s); reconnecting", exc)
            finally:
                self._conn = None
                with contextlib.suppress(Exception):
                    conn.terminate()

    async def _watch(self, conn: asyncpg.Connection) -> None:
        """Return when the connection is gone: closed by the server, or silently dead (keepalive query fails)."""
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self._keepalive)
            if self._lost.is_set() or conn.is_closed():
                return
            await asyncio.wait_for(conn.execute("SELECT 1"), self._keepalive)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
