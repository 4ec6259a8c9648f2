"""WM120 lambda: a `lambda` inside a workflow.

What: any `lambda` expression in `run()` or a helper.

Why: workflow state must be plain data that survives a restart; a function object cannot be stored in a run's
snapshot, and the compiler lowers only named, compiled code.

Example:

    ordered = sorted(items, key=lambda item: item.price)

Use instead: a comprehension, a builtin with plain arguments, or a method of the workflow class called as
`self.name(...)`. To sort by a field, build `(key, item)` pairs or sort inside an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext


def check(node: ast.Lambda, ctx: RuleContext) -> Iterator[Finding]:
    yield RULE.finding(node)


RULE = Rule(
    code="WM120",
    name="lambda",
    message="lambda is not supported in a workflow",
    help="use a comprehension, or a method of the workflow class called as self.name(...)",
    doc=__doc__ or "",
    nodes=(ast.Lambda,),
    check=check,
)
