"""WM106 secrets-call: generating secrets in a workflow.

What: any `secrets.*` call (`secrets.token_hex()`, `secrets.choice(...)` ...) inside `run()` or a helper.

Why: a new secret on every resume would not match the one already handed to an action, and secrets should not be
stored in a run's state (which is readable in the dashboard) unless an action returns them on purpose.

Example:

    password = secrets.token_urlsafe(16)

Use instead: generate (and use) the secret inside an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_target


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    target = call_target(node, ctx)
    if target is not None and target.startswith("secrets."):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM106",
    name="secrets-call",
    message="{call}() is nondeterministic",
    help="generate and use the secret inside an @action",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
