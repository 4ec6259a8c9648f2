"""WM122 with: a context manager inside a workflow.

What: `with` or `async with` in `run()` or a helper.

Why: context managers hold resources (files, connections, locks) that cannot live in a run's snapshot; the run may
resume hours later in another process.

Example:

    with open("report.txt", "w") as out:
        out.write(text)

Use instead: do the work that needs the resource inside an `@action`; use `try/finally` in the workflow for cleanup
steps (a `finally` may await cleanup actions).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import span_node


def check(node: ast.With | ast.AsyncWith, ctx: RuleContext) -> Iterator[Finding]:
    keyword = "async with" if isinstance(node, ast.AsyncWith) else "with"
    last = node.items[-1].optional_vars or node.items[-1].context_expr
    # a context manager named by a global (`async with LOCK:`) is part of this problem, not another one
    named = tuple(
        sub
        for item in node.items
        if isinstance(item.context_expr, (ast.Name, ast.Attribute))
        for sub in ast.walk(item.context_expr)
    )
    yield RULE.finding(span_node(node, last), keyword=keyword, claims=named)


RULE = Rule(
    code="WM122",
    name="with",
    message="`{keyword}` is not supported in a workflow",
    help="use the resource inside an @action; use try/finally in the workflow for cleanup steps",
    doc=__doc__ or "",
    nodes=(ast.With, ast.AsyncWith),
    check=check,
)
