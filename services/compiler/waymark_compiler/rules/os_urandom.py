"""WM105 os-urandom: reading random bytes from the operating system in a workflow.

What: `os.urandom(n)` (or `os.getrandom`) inside `run()` or a helper it calls.

Why: a step that does not commit runs again from the run's last snapshot and would read different bytes the second
time, so anything derived from them would disagree with what the run already recorded.

Example:

    token = os.urandom(16).hex()

Use instead: generate the bytes in an `@action` and await it; the result is recorded once.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches, referenced

CALLS = frozenset({"os.urandom", "os.getrandom"})


def check(node: ast.Call | ast.Attribute | ast.Name, ctx: RuleContext) -> Iterator[Finding]:
    if not isinstance(node, ast.Call):
        if referenced(node, ctx, CALLS):
            yield RULE.finding(node, call=ctx.segment(node), parens="")
        return
    if matches(call_names(node, ctx), CALLS):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM105",
    name="os-urandom",
    message="{call}{parens} is nondeterministic",
    help="generate the bytes in an @action and await the result",
    doc=__doc__ or "",
    defaults={"parens": "()"},
    nodes=(ast.Call, ast.Attribute, ast.Name),
    check=check,
)
