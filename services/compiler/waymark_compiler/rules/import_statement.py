"""WM124 import: an `import` inside a workflow.

What: `import x` or `from x import y` inside `run()` or a helper method.

Why: importing runs module code (often I/O) while the workflow executes, and the compiler works from the names the
worker resolved at import time: a name imported inside `run()` has no manifest entry.

Example:

    async def run(self, order_id: int) -> str:
        import requests

Use instead: import at module level; code that does I/O belongs in an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext


def check(node: ast.Import | ast.ImportFrom, ctx: RuleContext) -> Iterator[Finding]:
    yield RULE.finding(node)


RULE = Rule(
    code="WM124",
    name="import",
    message="`import` inside a workflow is not supported",
    help="import at module level; code that does I/O belongs in an @action",
    doc=__doc__ or "",
    nodes=(ast.Import, ast.ImportFrom),
    check=check,
)
