"""WM123 global: `global` or `nonlocal` inside a workflow.

What: a `global` or `nonlocal` statement in `run()` or a helper.

Why: module-level state is per process and is not part of a run's snapshot: a resumed run would see whatever another
run left there, and its own changes would be lost on restart.

Example:

    global processed
    processed += 1

Use instead: keep state in local variables (or on `self`), pass data in as input, and store shared data through
`@action`s.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext


def check(node: ast.Global | ast.Nonlocal, ctx: RuleContext) -> Iterator[Finding]:
    yield RULE.finding(node, keyword="global" if isinstance(node, ast.Global) else "nonlocal")


RULE = Rule(
    code="WM123",
    name="global",
    message="`{keyword}` is not supported in a workflow",
    help="keep state in local variables or on self; share data through @actions",
    doc=__doc__ or "",
    nodes=(ast.Global, ast.Nonlocal),
    check=check,
)
