"""WM112 asyncio-api: asyncio APIs other than `asyncio.sleep` and `asyncio.gather`.

What: `asyncio.create_task`, `asyncio.wait_for`, `asyncio.wait`, `asyncio.shield`, `asyncio.Event`, `Queue`,
`Lock`, `get_event_loop`, `get_running_loop`, `timeout` ... inside `run()` or a helper it calls.
(`asyncio.create_subprocess_*` is WM115, `asyncio.to_thread` WM116, `asyncio.open_connection` and `start_server`
WM113, and the event loop's clock `loop.time()` WM102.)

Why: a workflow is not an asyncio program: it is suspended between steps (often for hours, in no process at all),
so tasks, locks, queues, event loops and loop timers cannot survive. Its concurrency is `asyncio.gather`, its timers
are durable sleeps, and timeouts belong to actions and signal waits.

Example:

    result = await asyncio.wait_for(charge(order_id), timeout=30)
    started = asyncio.get_event_loop().time()

Use instead: `await self.run_action(charge(order_id), timeout=30)` for an action timeout,
`await asyncio.gather(...)` for concurrency, `await asyncio.sleep(s)` for timers,
`await waymark.wait_for_signal(name, timeout=...)` to wait for an outside event, and an `@action` to read a clock.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import PRIMITIVES, call_names, matches

ALLOWED = PRIMITIVES | {"asyncio.CancelledError", "asyncio.TimeoutError"}
ELSEWHERE = (  # reported by the I/O, subprocess and threading rules
    "asyncio.to_thread",
    "asyncio.create_subprocess_",
    "asyncio.subprocess.",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.start_unix_server",
)


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    names = call_names(node, ctx)
    if names & ALLOWED or matches(names, frozenset(), ELSEWHERE):
        return
    if matches(names, frozenset(), ("asyncio.",)):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM112",
    name="asyncio-api",
    message="{call}() is not supported in a workflow",
    help="use asyncio.gather for concurrency, asyncio.sleep for timers, run_action(timeout=) for timeouts",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
