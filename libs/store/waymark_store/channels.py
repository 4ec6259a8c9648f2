"""NOTIFY channels. Payloads carry ids only; an empty payload means "something may have changed, look".

Postgres caps a payload at 8000 bytes; `notify_payload` (and the SQL twin `_fit`) send an empty payload instead of
a long one, which listeners treat as a catch-up hint. A lost or cut notification costs latency, never correctness.

The hot statements (starts, advances, outcomes, fired timers) do not NOTIFY in their own transaction: they return
the ids, and `Notices.send` notifies in a transaction of its own once theirs has committed. Reason: a transaction that
NOTIFYs takes one cluster-wide lock at commit and holds it until its commit record is flushed, so notifying
transactions commit one at a time, each waiting for the fsyncs of those ahead of it (measured here: 3-13 ms waits per
commit under load, and a flat ~350 commits/s however many connections insert). A transaction that only NOTIFYs writes
nothing to flush, so it holds the lock for microseconds, and the data transactions group-commit in parallel.
Listeners still hear only about committed work; a crash between the two transactions loses the notification, which,
like any lost notification, costs latency (the pollers find the work), never correctness.

Small batches (at most INLINE_MAX items) still NOTIFY inside their own statement: they are what a lightly loaded
system writes, where nobody queues on that lock and the separate transaction would only add a round trip to every hop
of a run; large batches are what a loaded system writes, where it matters.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from waymark_store.db import Executor

RUNS = "waymark_runs"  # run ids with new events -> schedulers
ACTIONS = "waymark_actions"  # action keys with new or re-queued calls -> workers
TIMERS = "waymark_timers"  # a new timer or lease may be due earlier -> timer
DONE = "waymark_done"  # run ids that reached a terminal state -> clients waiting for results

MAX_PAYLOAD = 7900


def notify_payload(ids: Iterable[str]) -> str:
    text = ",".join(dict.fromkeys(ids))
    return text if len(text.encode()) <= MAX_PAYLOAD else ""


def sql_fit(expression: str) -> str:
    """SQL for a payload expression cut to empty when too long (use inside pg_notify)."""
    return f"(CASE WHEN octet_length({expression}) <= {MAX_PAYLOAD} THEN {expression} ELSE '' END)"


def split_payload(payload: str) -> set[str]:
    return {part for part in payload.split(",") if part}


log = logging.getLogger("waymark.store")

INLINE_MAX = 4  # batches this small notify inside their own transaction (see the module docstring)

NOTIFY = "SELECT pg_notify(n.channel, n.payload) FROM unnest($1::text[], $2::text[]) AS n(channel, payload)"


class Notices:
    """Notifications to send once the transaction that caused them has committed (see the module docstring).
    Payloads are comma-separated ids; "" (a catch-up hint) wins over ids on the same channel."""

    def __init__(self) -> None:
        self._ids: dict[str, dict[str, None]] = {}
        self._everything: set[str] = set()

    def add(self, channel: str, payload: str | None) -> None:
        """`payload` None: nothing to say; "": look at everything; otherwise comma-separated ids."""
        if payload is None:
            return
        if payload == "":
            self._everything.add(channel)
        ids = self._ids.setdefault(channel, {})
        for part in payload.split(","):
            if part:
                ids[part] = None

    def __bool__(self) -> bool:
        return bool(self._ids)

    async def send(self, conn: Executor) -> None:
        """One statement, in its own transaction (call it after the transaction that did the work). A failure is
        logged, not raised: the work is committed, and a lost notification only delays whoever polls for it."""
        if not self._ids:
            return
        names = list(self._ids)
        payloads = ["" if name in self._everything else notify_payload(self._ids[name]) for name in names]
        self._ids.clear()
        self._everything.clear()
        try:
            await conn.execute(NOTIFY, names, payloads)
        except Exception as exc:  # noqa: BLE001 - a connection broken in any way (asyncpg raises several kinds)
            log.warning("NOTIFY %s failed (%s: %s); listeners find the work by polling", names, type(exc).__name__, exc)
