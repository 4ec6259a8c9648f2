"""WM102 time-call: calling the `time` module in a workflow.

What: any `time.*` call (`time.time()`, `time.monotonic()`, `time.perf_counter()`, `time.sleep()` ..., also through
`import time as t` or `from time import monotonic`), or the event loop's clock (`asyncio.get_event_loop().time()`),
inside `run()` or a helper it calls.

Why: clocks read differently on every try of a step (a step that does not commit runs again from the last snapshot,
on whichever scheduler picks the run up), so code that reads them can take a path that disagrees with what the run
already recorded. `time.sleep()` would block the scheduler instead of suspending the run.

Example:

    started = time.time()
    time.sleep(60)

Use instead: `await asyncio.sleep(seconds)` for a durable sleep (it survives restarts and holds no memory while it
waits), and read clocks inside an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches, referenced

LOOPS = frozenset({"asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop"})


def _loop_clock(node: ast.Call, ctx: RuleContext) -> bool:
    """`asyncio.get_event_loop().time()`: the event loop's monotonic clock."""
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "time"
        and isinstance(func.value, ast.Call)
        and matches(call_names(func.value, ctx), LOOPS) is not None
    )


def check(node: ast.Call | ast.Attribute | ast.Name, ctx: RuleContext) -> Iterator[Finding]:
    if not isinstance(node, ast.Call):
        if referenced(node, ctx, frozenset(), ("time.",)):
            yield RULE.finding(
                node,
                call=ctx.segment(node),
                parens="",
                what="is nondeterministic",
                fix="move it into an @action and await the result",
            )
        return
    if _loop_clock(node, ctx):
        yield RULE.finding(
            node, call=ctx.segment(node.func), what="reads a clock", fix="move it into an @action and await the result"
        )
        return
    name = matches(call_names(node, ctx), frozenset(), ("time.",))
    if name is None:
        return
    if name == "time.sleep":
        yield RULE.finding(
            node,
            call=ctx.segment(node.func),
            what="blocks instead of sleeping durably",
            fix="use `await asyncio.sleep(seconds)`, a durable sleep",
        )
    else:
        yield RULE.finding(
            node,
            call=ctx.segment(node.func),
            what="is nondeterministic",
            fix="move it into an @action and await the result",
        )


RULE = Rule(
    code="WM102",
    name="time-call",
    message="{call}{parens} {what}",
    help="{fix}",
    doc=__doc__ or "",
    defaults={"parens": "()"},
    nodes=(ast.Call, ast.Attribute, ast.Name),
    check=check,
)
