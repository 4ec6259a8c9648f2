"""WM103 random-call: drawing random numbers in a workflow.

What: any call of the `random` module (`random.random()`, `random.choice(xs)`, `random.shuffle(xs)`,
`random.Random(...)`, `from random import randint` ...) inside `run()` or a helper it calls.

Why: a step that does not commit runs again from the run's last snapshot; a new draw on the second try can send the
run down a different path than the one it already recorded (an action called twice, or one never called).

Example:

    if random.random() < 0.1:
        await audit(order_id)

Use instead: draw the number in an `@action` and await it; its result is recorded once.

    @action
    async def sample(rate: float) -> bool:
        return random.random() < rate
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches, names_of, referenced

PREFIXES = ("random.",)  # numpy.random is a library call (WM117), whose help says the same


def check(node: ast.Call | ast.Attribute | ast.Name, ctx: RuleContext) -> Iterator[Finding]:
    names = call_names(node, ctx) if isinstance(node, ast.Call) else names_of(node, ctx)
    if matches(names, frozenset(), ("secrets.",)):
        return  # `secrets.choice` is `random.SystemRandom().choice`: WM106 says it better
    if not isinstance(node, ast.Call):
        if referenced(node, ctx, frozenset(), PREFIXES):
            yield RULE.finding(node, call=ctx.segment(node), parens="")
        return
    if matches(names, frozenset(), PREFIXES):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM103",
    name="random-call",
    message="{call}{parens} is nondeterministic",
    help="draw it in an @action and await the result",
    doc=__doc__ or "",
    defaults={"parens": "()"},
    nodes=(ast.Call, ast.Attribute, ast.Name),
    check=check,
)
