"""WM102 time-call: calling the `time` module in a workflow.

What: any `time.*` call (`time.time()`, `time.monotonic()`, `time.sleep()` ...) inside `run()` or a helper.

Why: clocks differ on every resume, so code that reads them takes different paths when the run is resumed; and
`time.sleep()` blocks the VM instead of suspending the run durably.

Example:

    started = time.time()
    time.sleep(60)

Use instead: `await asyncio.sleep(seconds)` for a durable sleep (it survives restarts and holds no memory), and
read clocks inside an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_target


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    target = call_target(node, ctx)
    if target is None or not target.startswith("time."):
        return
    if target == "time.sleep":
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
    message="{call}() {what}",
    help="{fix}",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
