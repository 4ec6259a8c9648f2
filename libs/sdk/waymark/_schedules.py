"""Cron schedules: `await waymark.schedule(Report, cron="0 * * * *", name="hourly-report", input={...})`.

A schedule is a row in Postgres (waymark_store.schedules); the timer service fires it (docs/policies.md). These
functions only write and read that row, through the client's connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from waymark_ir import values
from waymark_store import cron as cron_parser
from waymark_store import schedules as store

from waymark._client import _connection, encode_input
from waymark._workflow import Workflow

MAX_NAME = 200  # characters


@dataclass(frozen=True)
class Schedule:
    """A schedule as stored. `next_fire_at` and `last_fire_at` are fire times (UTC); `last_error` says why the last
    fire started no run (None when it did)."""

    name: str
    workflow: str
    cron: str
    timezone: str
    input: dict[str, Any]
    paused: bool
    next_fire_at: datetime
    last_fire_at: datetime | None
    last_run_id: uuid.UUID | None
    last_error: str | None

    @property
    def last_workflow_id(self) -> str | None:
        """The workflow_id of the last fire's run (`schedule:<name>:<fire time>`), for `Workflow.start` lookups."""
        return None if self.last_fire_at is None else store.workflow_id_of(self.name, self.last_fire_at)


def _schedule(row: store.ScheduleRow) -> Schedule:
    return Schedule(
        name=row.name,
        workflow=row.workflow_name,
        cron=row.cron,
        timezone=row.timezone,
        input=values.loads(row.input),
        paused=row.paused,
        next_fire_at=row.next_fire_at,
        last_fire_at=row.last_fire_at,
        last_run_id=row.last_run_id,
        last_error=row.last_error,
    )


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"a schedule name must be a non-empty str, got {name!r}")
    if "\x00" in name:
        raise ValueError(f"a schedule name must not contain NUL characters, got {name!r}")
    if len(name) > MAX_NAME:
        raise ValueError(f"a schedule name is at most {MAX_NAME} characters, got {len(name)}")
    return name


async def schedule(
    workflow: type[Workflow],
    *,
    cron: str,
    name: str,
    input: Mapping[str, Any] | None = None,
    timezone: str = "UTC",
    paused: bool = False,
) -> Schedule:
    """Create or update (by `name`) a schedule that starts `workflow` with `input` (run()'s arguments by name) at
    every time the 5-field `cron` expression matches in `timezone`. Idempotent: declaring the same schedule again
    (at every deploy) keeps its next fire time. The expression, the zone and the input are checked here, with an
    error naming what is wrong; the workflow need not be registered yet (a fire without it records `last_error`)."""
    if not (isinstance(workflow, type) and issubclass(workflow, Workflow) and "__waymark_run__" in workflow.__dict__):
        raise TypeError(f"schedule() takes a class decorated with @waymark.workflow, got {workflow!r}")
    _check_name(name)
    if not isinstance(timezone, str):
        raise TypeError(f"timezone must be an IANA zone name (str), got {timezone!r}")
    cron_parser.validate(cron, timezone)  # before any connection: a bad expression is the caller's error
    if input is not None and not isinstance(input, Mapping):
        raise TypeError(f"input must be a mapping of {workflow.__waymark_name__}.run() arguments by name")
    conn = await _connection()
    input_json = encode_input(workflow, (), dict(input or {}), conn.settings.max_payload_bytes)
    row = await store.upsert(
        conn.db.pool,
        name=name,
        workflow_name=workflow.__waymark_name__,
        expression=cron,
        timezone=timezone,
        input_json=input_json,
        paused=paused,
    )
    return _schedule(row)


async def unschedule(name: str) -> bool:
    """Delete the schedule; True if it existed. Runs it started are not touched."""
    conn = await _connection()
    return await store.delete(conn.db.pool, _check_name(name))


async def schedules() -> list[Schedule]:
    """Every schedule, by name."""
    conn = await _connection()
    return [_schedule(row) for row in await store.list_all(conn.db.pool)]


async def pause_schedule(name: str) -> Schedule:
    """Stop firing until `resume_schedule`. Raises LookupError for an unknown name."""
    conn = await _connection()
    row = await store.pause(conn.db.pool, _check_name(name))
    if row is None:
        raise LookupError(f"no schedule named {name!r}")
    return _schedule(row)


async def resume_schedule(name: str) -> Schedule:
    """Fire again, from the first fire time after now (fires missed while paused are skipped)."""
    conn = await _connection()
    row = await store.resume(conn.db.pool, _check_name(name))
    if row is None:
        raise LookupError(f"no schedule named {name!r}")
    return _schedule(row)
