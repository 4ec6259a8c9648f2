"""The timer service: fire due timers and cron schedules, enforce attempt deadlines, recover expired leases.

It sleeps until the earliest due timer or lease expiry (asked of Postgres, whose clock is the only clock) or until
NOTIFY waymark_timers says something earlier may exist. Every statement is `... FOR UPDATE SKIP LOCKED` and
conditional on `fired_at IS NULL` / `status = 'running'`, so a second replica is safe; replicas only share work.
Attempt deadlines go before lease expiry: an attempt past both is a timeout (it spends an attempt), not a crash.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from waymark_store import actions, channels, schedules, telemetry, timers
from waymark_store.db import Database
from waymark_store.service import ServiceSpec
from waymark_store.settings import Settings

log = logging.getLogger("waymark.timer")

BATCH = 1000
SCHEDULE_BATCH = 100  # schedules fired per transaction (each starts a run)


class Timer:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.fired = 0
        self.redelivered = 0
        self.lost = 0
        self.timed_out = 0
        self.scheduled = 0
        self.tracing = telemetry.enabled()

    async def run(self) -> None:
        wakeup = await self.db.listener.subscribe(channels.TIMERS)
        while True:
            try:
                delay = await self.tick()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("timer tick failed (%s: %s); retrying", type(exc).__name__, exc)
                delay = 0.5
            await wakeup.wait(delay)

    async def tick(self) -> float:
        """Do everything due now; return how long to sleep before the next thing is due."""
        pool = self.db.pool
        while True:
            traced: list[timers.FiredTimer] | None = [] if self.tracing else None
            fired = await timers.fire_due(pool, BATCH, rows=traced)
            for timer in traced or ():
                trace_fired(timer)
            scheduled = await schedules.fire_due(pool, SCHEDULE_BATCH)
            for fire in scheduled:
                if fire.error is None:
                    log.info("schedule %s fired (%s): run %s", fire.name, fire.fire_at.isoformat(), fire.run_id)
                else:
                    log.warning("schedule %s (%s): %s", fire.name, fire.fire_at.isoformat(), fire.error)
            self.scheduled += len(scheduled)
            timed_retried, timed_failed = await actions.expire_deadlines(pool, BATCH)
            if timed_retried or timed_failed:
                log.info(
                    "attempt deadlines passed: %d calls to retry, %d failed with ActionTimeout",
                    timed_retried,
                    timed_failed,
                )
            redelivered, lost = await actions.expire_leases(pool, BATCH)
            self.timed_out += timed_retried + timed_failed
            self.fired += fired
            self.redelivered += redelivered
            self.lost += lost
            if redelivered or lost:
                log.info("leases expired: %d calls redelivered, %d lost", redelivered, lost)
            busy = len(scheduled) >= SCHEDULE_BATCH or timed_retried + timed_failed >= BATCH
            if fired < BATCH and redelivered + lost < BATCH and not busy:
                break
        until = await timers.seconds_until_due(pool)
        if until is None:
            return self.settings.poll_seconds
        # Wake a hair after the due time (timestamps are compared with <=), and never spin.
        return max(0.0, min(until + 0.001, self.settings.poll_seconds))


def trace_fired(timer: timers.FiredTimer) -> None:
    """A span from the timer's due time to its firing (its length is the lateness), child of the advance that set
    it. Timestamps are Postgres' clock, like the timer itself."""
    span = telemetry.tracer().start_span(
        f"timer {timer.kind}",
        context=telemetry.context_of(timer.traceparent),
        kind=telemetry.SpanKind.INTERNAL,
        start_time=int(timer.due * 1e9),
        attributes={"waymark.run_id": timer.run_id, "waymark.seq": timer.seq, "waymark.timer": timer.kind},
    )
    span.end(end_time=max(int(timer.fired * 1e9), int(timer.due * 1e9)))


async def run_timer(settings: Settings, **_: Any) -> None:
    db = await Database.open(settings.require_database_url(), pool_size=2)
    try:
        log.info("timer running")
        await Timer(settings, db).run()
    finally:
        await db.close()


SERVICE = ServiceSpec(
    name="timer",
    help="fire durable sleeps, timeouts and cron schedules, enforce attempt deadlines, recover expired leases",
    run=run_timer,
    order=30,
)
