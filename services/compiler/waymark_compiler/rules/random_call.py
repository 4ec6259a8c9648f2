"""WM103 random-call: drawing random numbers in a workflow.

What: any `random.*` call (`random.random()`, `random.choice(xs)`, `random.Random(...)` ...) inside `run()` or a
helper.

Why: the run's code executes again on every resume; a new random draw each time makes it take a different path
than the one already recorded.

Example:

    if random.random() < 0.1:
        await audit(order_id)

Use instead: draw the number in an `@action` and await it; its result is recorded once.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_target


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    target = call_target(node, ctx)
    if target is not None and (target == "random" or target.startswith("random.")):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM103",
    name="random-call",
    message="{call}() is nondeterministic",
    help="draw it in an @action and await the result",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
