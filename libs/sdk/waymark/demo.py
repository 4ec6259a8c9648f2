"""The bundled demo that `waymark dev` runs when given no module: the seed Checkout of DESIGN §1, with a short sleep
and a card that is declined twice before it goes through."""

from __future__ import annotations

import asyncio
import logging

from waymark import Workflow, action, workflow

log = logging.getLogger("waymark.demo")

_attempts: dict[int, int] = {}


@action
async def charge(order_id: int) -> bool:
    """Declined on the first two attempts for an order, accepted on the third (in this process)."""
    _attempts[order_id] = _attempts.get(order_id, 0) + 1
    accepted = _attempts[order_id] >= 3
    log.info(
        "demo: charge(order_id=%d) attempt %d: %s",
        order_id,
        _attempts[order_id],
        "accepted" if accepted else "declined",
    )
    return accepted


@action
async def send_receipt(order_id: int, outcome: str) -> str:
    return f"receipt for order {order_id}: {outcome}"


@workflow
class Checkout(Workflow):
    async def run(self, order_id: int, wait_seconds: float = 1.0) -> str:
        for _ in range(3):
            if await charge(order_id):
                await send_receipt(order_id, "paid")
                return "paid"
            await asyncio.sleep(wait_seconds)  # durable: survives restarts
        return "failed"


@action
async def greet(name: str) -> str:
    return f"hello {name}"


@workflow
class Greeter(Workflow):
    async def run(self, name: str) -> str:
        text = await greet(name)
        return text + "!"
