"""WM104 uuid-random: generating a random or time-based UUID in a workflow.

What: `uuid.uuid1()` or `uuid.uuid4()` (also `from uuid import uuid4`) inside `run()` or a helper it calls.

Why: a step that does not commit runs again from the run's last snapshot, and would generate a different id the
second time, so ids handed to actions would not match the ones already recorded.

Example:

    ref = uuid.uuid4().hex

Use instead: generate it in an `@action` and await it, or derive a stable one from the input (the workflow id, an
order number) with `uuid.uuid5` inside an action.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches, referenced

CALLS = frozenset({"uuid.uuid1", "uuid.uuid4", "uuid.uuid6", "uuid.uuid7"})


def check(node: ast.Call | ast.Attribute | ast.Name, ctx: RuleContext) -> Iterator[Finding]:
    if not isinstance(node, ast.Call):
        if referenced(node, ctx, CALLS):
            yield RULE.finding(node, call=ctx.segment(node), parens="")
        return
    if matches(call_names(node, ctx), CALLS):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM104",
    name="uuid-random",
    message="{call}{parens} is nondeterministic",
    help="generate the id in an @action and await the result",
    doc=__doc__ or "",
    defaults={"parens": "()"},
    nodes=(ast.Call, ast.Attribute, ast.Name),
    check=check,
)
