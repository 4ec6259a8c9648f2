"""Workflows and actions for the deadline tests: workflow timeouts, attempt deadlines and cron schedules."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from it_support import append, log_execution
from waymark import ActionTimeout, RetryPolicy, Workflow, action, current_call, workflow


@action
async def cleanup(tag: str) -> str:
    """Records that a run's finally block ran (file `cleanups.jsonl`)."""
    append("cleanups.jsonl", {"tag": tag, "workflow_id": current_call().workflow_id})
    return tag


@action
async def hang(seconds: float) -> str:
    """An async action that outlives its run's timeout (the worker cancels it when the run stops waiting)."""
    log_execution("start")
    await asyncio.sleep(seconds)
    log_execution("end")
    return "woke"


@workflow
class Dawdler(Workflow):
    """Sleeps (durably) or hangs in an action, with a cleanup in `finally`."""

    async def run(self, seconds: float, in_action: bool) -> str:
        try:
            if in_action:
                await hang(seconds)
            else:
                await asyncio.sleep(seconds)
        finally:
            await cleanup("dawdler")
        return "finished"


@workflow(timeout=timedelta(seconds=2))
class ShortLived(Workflow):
    """The class default timeout (2 s) applies to every run a client starts."""

    async def run(self, seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "finished"


@action(timeout=1, retry=RetryPolicy(attempts=2, on=[ActionTimeout]))
async def blocks_loop(seconds: float) -> str:
    """Its first attempt blocks the worker's event loop (time.sleep in an async action): the worker's own timeout
    cannot fire, while its heartbeat thread keeps the lease. Only the timer's attempt deadline can stop it."""
    attempt = current_call().attempt
    log_execution("start")
    if attempt == 1:
        time.sleep(seconds)
    log_execution("end")
    return f"attempt {attempt}"


@action(timeout=1)
def blocks_thread(seconds: float) -> str:
    """A plain `def` action that blocks its thread past its timeout (it cannot be interrupted)."""
    time.sleep(seconds)
    return "finished"


@workflow
class Stubborn(Workflow):
    async def run(self, in_thread: bool, seconds: float) -> str:
        if in_thread:
            try:
                return await blocks_thread(seconds)
            except ActionTimeout:
                return "timed out"
        return await blocks_loop(seconds)


@workflow
class Ticker(Workflow):
    """What a cron schedule starts: returns its label (no action, so a fire is one advance)."""

    async def run(self, label: str) -> str:
        return label
