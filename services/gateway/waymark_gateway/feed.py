"""The change feed behind every subscription of one gateway process.

One LISTEN subscription per process (waymark_runs: runs whose events arrived; waymark_done: runs that finished),
fanned out to every subscriber. Notifications are debounced (a burst becomes one read), then the changed runs are
re-read from Postgres (`dashboard.runs_by_id`, primary-key lookups) and offered to the subscribers that want them.
An empty payload (a reconnect, or a batch too long for one NOTIFY) re-reads everything watched.

NOTIFY says that an event arrived, not that the scheduler has advanced the run yet, and a run's status changes
without a notification of its own (queued -> running -> waiting). So runs stay "hot" for a while after a
notification, and every `recheck` seconds the hot runs and the runs watched one by one are read again; a subscriber
is sent a run again only when its (status, updated_at) moved, or when a notification named it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import Iterable

from waymark_store import channels, dashboard
from waymark_store.dashboard import RunRow
from waymark_store.db import CONNECTION_ERRORS, Database
from waymark_store.runs import TERMINAL

log = logging.getLogger("waymark.gateway")

READ_CHUNK = 1000  # run ids per re-read statement


def _key(row: RunRow) -> tuple[str, object]:
    return row.status, row.updated_at


class RunWatch:
    """One subscriber: one run (`run_id`) or every run (of `workflow_name`, when given), and the changed rows not
    taken yet (the latest row of each run: a slow subscriber skips intermediate states, never the last one)."""

    MAX_SEEN = 5000

    def __init__(self, run_id: uuid.UUID | None, workflow_name: str | None) -> None:
        self.run_id = run_id
        self.workflow_name = workflow_name
        self._pending: dict[uuid.UUID, RunRow] = {}
        self._seen: OrderedDict[uuid.UUID, tuple[str, object]] = OrderedDict()
        self._ready = asyncio.Event()

    def wants(self, row: RunRow) -> bool:
        if self.run_id is not None:
            return row.run_id == self.run_id
        return self.workflow_name is None or row.workflow_name == self.workflow_name

    def seen(self, row: RunRow) -> None:
        """`row` was sent: a re-read that finds it unchanged is not sent again."""
        self._seen[row.run_id] = _key(row)
        self._seen.move_to_end(row.run_id)
        while len(self._seen) > self.MAX_SEEN:
            self._seen.popitem(last=False)

    def offer(self, rows: Iterable[RunRow], named: set[uuid.UUID]) -> None:
        for row in rows:
            if not self.wants(row):
                continue
            if row.run_id not in named and self._seen.get(row.run_id) == _key(row):
                continue
            self._pending[row.run_id] = row
            self._ready.set()

    async def next(self) -> list[RunRow]:
        """The changed runs, newest first (waits until there is at least one)."""
        while not self._pending:
            self._ready.clear()
            await self._ready.wait()
        batch, self._pending = list(self._pending.values()), {}
        for row in batch:
            self.seen(row)
        batch.sort(key=lambda row: (row.created_at, row.run_id), reverse=True)
        return batch


class RunFeed:
    def __init__(
        self, db: Database, *, debounce: float = 0.075, recheck: float = 2.0, hot_seconds: float = 30.0
    ) -> None:
        self.db = db
        self.debounce = debounce
        self.recheck = recheck
        self.hot_seconds = hot_seconds
        self.max_hot = 2000
        self._watches: set[RunWatch] = set()
        self._named: set[uuid.UUID] = set()  # notified since the last read
        self._everything = False
        self._hot: OrderedDict[uuid.UUID, float] = OrderedDict()  # run id -> until when it is re-read
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()

    async def watch(self, *, run_id: uuid.UUID | None = None, workflow_name: str | None = None) -> RunWatch:
        """A new subscriber. When this returns the channels are LISTENed to: read the current state after it."""
        await self._start()
        watch = RunWatch(run_id, workflow_name)
        self._watches.add(watch)
        return watch

    def unwatch(self, watch: RunWatch) -> None:
        self._watches.discard(watch)

    @property
    def watchers(self) -> int:
        return len(self._watches)

    async def _start(self) -> None:
        async with self._starting:
            if self._task is not None:
                return
            await self.db.listener.subscribe(channels.RUNS, self._notified)
            await self.db.listener.subscribe(channels.DONE, self._notified)
            self._task = asyncio.create_task(self._loop(), name="waymark-gateway-feed")

    def _notified(self, payload: str) -> None:
        if not self._watches:
            return  # nobody to tell; a subscriber that arrives later reads the current state itself
        if payload == "":
            self._everything = True
        for text in channels.split_payload(payload):
            with contextlib.suppress(ValueError):
                self._named.add(uuid.UUID(text))
        self._wake.set()

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.recheck)
            if self._wake.is_set():
                await asyncio.sleep(self.debounce)  # let the burst this notification belongs to arrive
            self._wake.clear()
            named, self._named = self._named, set()
            everything, self._everything = self._everything, False
            if not self._watches:
                self._hot.clear()
                continue
            try:
                await self._read(named, everything, loop.time())
            except CONNECTION_ERRORS as exc:
                log.warning("gateway feed: re-reading runs failed (%s: %s); retrying", type(exc).__name__, exc)
                self._named |= named
                self._everything |= everything
            except Exception:
                log.exception("gateway feed: re-reading runs failed")

    async def _read(self, named: set[uuid.UUID], everything: bool, now: float) -> None:
        for run_id in named:
            self._hot[run_id] = now + self.hot_seconds
            self._hot.move_to_end(run_id)
        while len(self._hot) > self.max_hot:
            self._hot.popitem(last=False)
        for run_id in [run_id for run_id, until in self._hot.items() if until < now]:
            del self._hot[run_id]
        watched = {watch.run_id for watch in self._watches if watch.run_id is not None}
        wanted = [*dict.fromkeys([*named, *watched, *self._hot])]
        if everything:
            named = set(wanted)
        rows: list[RunRow] = []
        for start in range(0, len(wanted), READ_CHUNK):
            found = await dashboard.runs_by_id(self.db.pool, wanted[start : start + READ_CHUNK])
            rows.extend(found.values())
        for row in rows:
            if row.status in TERMINAL:
                self._hot.pop(row.run_id, None)
        for watch in list(self._watches):
            watch.offer(rows, named)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
