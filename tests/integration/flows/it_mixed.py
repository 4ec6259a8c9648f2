"""The chaos test's mix: retries, failures (caught and not), gathers; with it_chain (sleeps between actions) and
it_timers (sleeps only). Every outcome is a function of the input, so the test knows what each run must end with."""

from __future__ import annotations

import asyncio

import waymark
from it_support import log_execution
from waymark import Backoff, RetryPolicy, Workflow, action, workflow


class Flaky(Exception):
    pass


@action(retry=RetryPolicy(attempts=4, backoff=Backoff.fixed(0.2), on=[Flaky]))
async def flaky_step(key: int, fails: int) -> str:
    """Fails its first `fails` attempts (the attempt number is durable: redeliveries do not change it)."""
    attempt = waymark.current_call().attempt
    log_execution("start")
    await asyncio.sleep(0.3)
    if attempt <= fails:
        raise Flaky(f"attempt {attempt} of {key} failed")
    log_execution("end")
    return f"{key} ok after {attempt}"


@workflow
class MixRetry(Workflow):
    async def run(self, key: int, fails: int) -> str:
        return await flaky_step(key, fails)


@action(retry=RetryPolicy(attempts=2, backoff=Backoff.fixed(0.1)))
async def broken_step(key: int) -> int:
    log_execution("start")
    await asyncio.sleep(0.1)
    raise ValueError(f"broken {key}")


@workflow
class MixFail(Workflow):
    """Fails: the action's error after its two attempts ends the run."""

    async def run(self, key: int) -> int:
        value = await broken_step(key)
        return value + 1


@workflow
class MixCatch(Workflow):
    async def run(self, key: int) -> str:
        try:
            await broken_step(key)
        except ValueError as exc:
            await asyncio.sleep(0.3)
            return "caught " + str(exc)
        return "not caught"


@action
async def square(x: int) -> int:
    log_execution("start", step=x)
    await asyncio.sleep(0.5)
    log_execution("end", step=x)
    return x * x


@workflow
class MixGather(Workflow):
    async def run(self, n: int) -> int:
        values = await asyncio.gather(*[square(i) for i in range(n)])
        await asyncio.sleep(0.5)
        return sum(values)
