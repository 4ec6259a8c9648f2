"""WM106 secrets-call: generating secrets in a workflow.

What: any `secrets.*` call (`secrets.token_hex()`, `secrets.token_urlsafe()`, `secrets.choice(...)` ...) inside
`run()` or a helper it calls.

Why: a new secret on every try of a step would not match the one already handed to an action, and secrets should
not live in a run's state (stored in Postgres and shown in the dashboard) unless an action returns them on purpose.

Example:

    password = secrets.token_urlsafe(16)

Use instead: generate (and use) the secret inside an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches, referenced


def check(node: ast.Call | ast.Attribute | ast.Name, ctx: RuleContext) -> Iterator[Finding]:
    if not isinstance(node, ast.Call):
        if referenced(node, ctx, frozenset(), ("secrets.",)):
            yield RULE.finding(node, call=ctx.segment(node), parens="")
        return
    if matches(call_names(node, ctx), frozenset(), ("secrets.",)):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM106",
    name="secrets-call",
    message="{call}{parens} is nondeterministic",
    help="generate and use the secret inside an @action",
    doc=__doc__ or "",
    defaults={"parens": "()"},
    nodes=(ast.Call, ast.Attribute, ast.Name),
    check=check,
)
