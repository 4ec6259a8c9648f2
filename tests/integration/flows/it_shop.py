"""The seed Checkout of DESIGN §1 (sleep shortened), a variant whose charge raises twice under a retry policy, and
flows that feed bad values to actions."""

from __future__ import annotations

import asyncio
import fcntl
import os

from it_support import log_execution, state_dir
from waymark import Backoff, RetryPolicy, Workflow, action, workflow


def count_attempt(name: str) -> int:
    """Append a line to state/<name>.log (workers may be other processes) and return how many it has now."""
    with open(os.path.join(state_dir(), f"{name}.log"), "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("attempt\n")
        handle.flush()
        handle.seek(0)
        return len(handle.readlines())


@action
async def shop_charge(order_id: int) -> bool:
    """Declined the first two times for an order, accepted from the third on."""
    return count_attempt(f"charge-{order_id}") >= 3


@workflow
class SeedCheckout(Workflow):
    async def run(self, order_id: int, wait_seconds: float = 0.5) -> str:
        for _ in range(3):
            if await shop_charge(order_id):
                return "paid"
            await asyncio.sleep(wait_seconds)  # durable: survives restarts
        return "failed"


class PaymentDeclined(Exception):
    pass


@action(retry=RetryPolicy(attempts=3, backoff=Backoff.fixed(0.2), on=[PaymentDeclined]))
async def flaky_charge(order_id: int) -> str:
    """Raises PaymentDeclined on its first two attempts (the retry policy names it), then succeeds."""
    log_execution("start")
    if count_attempt(f"flaky-{order_id}") < 3:
        raise PaymentDeclined(f"card declined for order {order_id}")
    return "paid"


@workflow
class RetryingCheckout(Workflow):
    async def run(self, order_id: int) -> str:
        return await flaky_charge(order_id)


@action
async def typed_step(count: int, label: str) -> str:
    return f"{label}:{count}"


@workflow
class BadArguments(Workflow):
    """Passes its (unvalidated by the VM) value on to an action whose signature says int."""

    async def run(self, value: str) -> str:
        return await typed_step(count=value, label="n")  # type: ignore[arg-type]


@action
async def big_result(size: int) -> str:
    return "x" * size


@workflow
class BigResult(Workflow):
    async def run(self, size: int) -> str:
        text = await big_result(size)
        return "got " + str(len(text))


@action
async def measure(text: str) -> int:
    return len(text)


@workflow
class BigArgument(Workflow):
    """Builds an argument larger than the payload limit and passes it to an action."""

    async def run(self, size: int) -> int:
        return await measure("y" * size)


@workflow
class Echo(Workflow):
    async def run(self, text: str) -> str:
        return text
