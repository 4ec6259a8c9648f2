"""Actions for the lease tests: a slow one that says which worker ran it, an at-most-once one, and a poison one that
kills its own worker every time it runs."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from it_support import log_execution
from waymark import ActionLost, Workflow, action, workflow


@action
async def nap_step(index: int, seconds: float) -> list[int]:
    """Sleeps, then returns [index, pid of the worker that ran it]."""
    log_execution("start", step=index)
    await asyncio.sleep(seconds)
    log_execution("end", step=index)
    return [index, os.getpid()]


@workflow
class Napper(Workflow):
    async def run(self, index: int, seconds: float) -> list[int]:
        return await nap_step(index, seconds)


@action(at_most_once=True)
async def once_step(seconds: float) -> str:
    log_execution("start")
    await asyncio.sleep(seconds)
    log_execution("end")
    return "done"


@workflow
class OnceOnly(Workflow):
    async def run(self, seconds: float) -> str:
        try:
            return await once_step(seconds)
        except ActionLost as exc:
            return "lost: " + str(exc)


@action
async def poison_step() -> str:
    log_execution("start")
    os.kill(os.getpid(), signal.SIGKILL)  # the worker dies with the call in hand, every time
    return "unreachable"


@workflow
class Poisoned(Workflow):
    async def run(self) -> str:
        try:
            return await poison_step()
        except ActionLost as exc:
            return "lost: " + str(exc)


@action
async def blocking_step(seconds: float) -> str:
    """Blocks the worker's event loop (a CPU-bound or badly written async action)."""
    log_execution("start")
    time.sleep(seconds)  # on purpose: the heartbeat thread must keep the lease anyway
    log_execution("end")
    return "unblocked"


@workflow
class Blocker(Workflow):
    async def run(self, seconds: float) -> str:
        return await blocking_step(seconds)
