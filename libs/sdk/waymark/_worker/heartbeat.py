"""Lease heartbeats from a thread with its own event loop and connection, so that an action that blocks the main
event loop (a CPU-bound `async def`, a blocking call) cannot starve them and lose its lease (DESIGN §2)."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable

import asyncpg
from waymark_store import actions
from waymark_store.db import connect

log = logging.getLogger("waymark.worker")


class HeartbeatThread:
    def __init__(
        self,
        url: str,
        lease_seconds: float,
        on_lost: Callable[[set[int]], None],
        main_loop: asyncio.AbstractEventLoop,
        on_cancel: Callable[[set[int]], None] | None = None,
    ) -> None:
        self._url = url
        self._lease = lease_seconds
        self._interval = max(lease_seconds / 3, 0.05)
        self._on_lost = on_lost
        self._on_cancel = on_cancel
        self._main_loop = main_loop
        self._held: dict[int, uuid.UUID] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="waymark-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def hold(self, call_id: int, token: uuid.UUID) -> None:
        with self._lock:
            self._held[call_id] = token

    def drop(self, call_id: int) -> None:
        with self._lock:
            self._held.pop(call_id, None)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        asyncio.run(self._beat_forever())

    async def _beat_forever(self) -> None:
        conn: asyncpg.Connection | None = None
        while not self._stop.is_set():
            with self._lock:
                leases = list(self._held.items())
            if leases:
                try:
                    if conn is None or conn.is_closed():
                        conn = await connect(self._url)
                    reply = await actions.heartbeat(conn, leases, self._lease)
                    lost = {call_id for call_id, _ in leases} - reply.held
                    if lost:
                        with self._lock:
                            lost = {c for c in lost if c in self._held}  # finished meanwhile: not lost
                        if lost:
                            self._main_loop.call_soon_threadsafe(self._on_lost, lost)
                    if reply.cancel_requested and self._on_cancel is not None:
                        self._main_loop.call_soon_threadsafe(self._on_cancel, reply.cancel_requested)
                except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning("heartbeat failed (%s); retrying", exc)
                    if conn is not None:
                        conn.terminate()
                    conn = None
            await asyncio.get_running_loop().run_in_executor(None, self._stop.wait, self._interval)
        if conn is not None:
            await conn.close()
