"""Actions: sequential calls, results in expressions, keyword and default arguments, rich values, failures caught,
per-call retry policies, overrides."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from datetime import timedelta

import waymark
from pydantic import BaseModel
from waymark import ActionTimeout, Backoff, RetryPolicy, Workflow, action, workflow

from .diffcase import case


class Tier(enum.Enum):
    FREE = "free"
    PRO = "pro"


class Customer(BaseModel):
    id: int
    name: str
    tier: Tier = Tier.FREE


@dataclasses.dataclass(frozen=True)
class Quote:
    amount: int
    currency: str = "EUR"


class OutOfStock(Exception):
    pass


@action(name="d_actions_add")
async def add(a: int, b: int = 10) -> int:
    return a + b


@action(name="d_actions_customer")
async def load_customer(customer_id: int) -> Customer:
    return Customer(id=customer_id, name=f"c{customer_id}", tier=Tier.PRO if customer_id % 2 else Tier.FREE)


@action(name="d_actions_quote")
async def quote(customer: Customer, items: tuple[str, ...]) -> Quote:
    return Quote(amount=len(items) * (5 if customer.tier is Tier.PRO else 10))


@action(name="d_actions_reserve")
async def reserve(sku: str) -> dict[str, object]:
    if sku.startswith("x"):
        raise OutOfStock(f"{sku} is out of stock")
    return {"sku": sku, "held": True, "tags": {"a", "b"}}


@action(name="d_actions_flaky")
async def flaky(key: str, failures: int) -> str:
    attempt = waymark.current_call().attempt  # deterministic per call, so both runs see the same failures
    if attempt <= failures:
        raise ConnectionError(f"attempt {attempt} of {key} failed")
    return f"{key} ok after {attempt}"


@action(name="d_actions_slow", timeout=0.25)
async def slow(seconds: float) -> str:
    await asyncio.sleep(seconds)  # real time: actions run on the test's loop
    return "done"


@workflow(name="d_actions_timeout")
class Timeout(Workflow):
    async def run(self, seconds: float) -> list[str]:
        results = []
        try:
            results.append(await slow(seconds))
        except ActionTimeout as exc:
            results.append(f"timed out: {exc}")
        try:
            results.append(
                await self.run_action(
                    slow(seconds), timeout=timedelta(seconds=0.1), retry=RetryPolicy(attempts=2, on=[ActionTimeout])
                )
            )
        except ActionTimeout as exc:
            results.append(f"timed out again: {exc}")
        return results


@workflow(name="d_actions_sequence")
class Sequence(Workflow):
    async def run(self, n: int) -> list[int]:
        first = await add(n)
        second = await add(first, b=1)
        third = await add(b=second, a=2) * 2 + await add(0, 0)
        return [first, second, third]


@workflow(name="d_actions_rich")
class Rich(Workflow):
    async def run(self, customer_id: int) -> list[object]:
        customer = await load_customer(customer_id)
        price = await quote(customer, ("a", "b", "c"))
        return [customer.name, customer.tier, price, price.amount, customer]


@workflow(name="d_actions_caught")
class Caught(Workflow):
    async def run(self, skus: list[str]) -> list[object]:
        held = []
        for sku in skus:
            try:
                held.append(await reserve(sku))
            except OutOfStock as exc:
                held.append(str(exc))
        return held


@workflow(name="d_actions_uncaught")
class Uncaught(Workflow):
    async def run(self, sku: str) -> object:
        return await reserve(sku)


@workflow(name="d_actions_retry")
class Retry(Workflow):
    async def run(self, key: str, failures: int) -> object:
        return await self.run_action(
            flaky(key, failures), retry=RetryPolicy(attempts=3, backoff=Backoff.fixed(30), on=[ConnectionError])
        )


@workflow(name="d_actions_loop")
class Loop(Workflow):
    async def run(self, n: int) -> int:
        total = 0
        for i in range(n):
            total = await add(total, i)
        return total


CASES = [
    case("sequence", Sequence, 5),
    case("rich_pro", Rich, 3),
    case("rich_free", Rich, 4),
    case("caught", Caught, ["a1", "x2", "b3"]),
    case("uncaught", Uncaught, "x9", raises="corpus.diff_actions.OutOfStock"),
    case("retry_first_time", Retry, "k1", 0),
    case("retry_succeeds", Retry, "k2", 2),
    case("retry_exhausted", Retry, "k3", 3, raises="builtins.ConnectionError"),
    case("override_function", Retry, "k4", 5, overrides={"d_actions_flaky": lambda key, failures: f"{key}:{failures}"}),
    case("loop", Loop, 6),
    case("timeout", Timeout, 30.0),
    case("no_timeout", Timeout, 0.0),
    case("override_value", Sequence, 1, overrides={"d_actions_add": 7}),
    case(
        "override_exception",
        Uncaught,
        "a",
        overrides={"d_actions_reserve": OutOfStock("overridden")},
        raises="corpus.diff_actions.OutOfStock",
    ),
]
