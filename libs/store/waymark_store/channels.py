"""NOTIFY channels. Payloads carry ids only; an empty payload means "something may have changed, look".

Postgres caps a payload at 8000 bytes; `notify_payload` (and the SQL twin `_fit`) send an empty payload instead of
a long one, which listeners treat as a catch-up hint. A lost or cut notification costs latency, never correctness.
"""

from __future__ import annotations

from collections.abc import Iterable

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
