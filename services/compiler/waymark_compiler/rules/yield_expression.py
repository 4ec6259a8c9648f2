"""WM121 yield: a generator inside a workflow.

What: `yield` or `yield from` in `run()` or a helper method.

Why: a generator's suspended state cannot be stored in a run's snapshot; workflows suspend only at `await`.

Example:

    def batches(self, items):
        for i in range(0, len(items), 10):
            yield items[i:i + 10]

Use instead: build and return a list.

    def batches(self, items):
        return [items[i:i + 10] for i in range(0, len(items), 10)]
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext


def check(node: ast.Yield | ast.YieldFrom, ctx: RuleContext) -> Iterator[Finding]:
    yield RULE.finding(node, keyword="yield from" if isinstance(node, ast.YieldFrom) else "yield")


RULE = Rule(
    code="WM121",
    name="yield",
    message="`{keyword}` is not supported in a workflow",
    help="build and return a list instead",
    doc=__doc__ or "",
    nodes=(ast.Yield, ast.YieldFrom),
    check=check,
)
