"""WM130 undefined-name: a name that is neither local, a module-level name, nor a builtin.

What: a name read in `run()` or a helper that the worker could not resolve when it imported the module.

Why: Python would raise `NameError` when the line runs, possibly hours into a run; the compiler refuses it up
front.

Example:

    return totl + 1

Use instead: fix the name, or define/import it at module level.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext


def check(node: ast.Name, ctx: RuleContext) -> Iterator[Finding]:
    if not isinstance(node.ctx, ast.Load):
        return
    ref = ctx.resolve(node)
    if ref is not None and ref.kind == "undefined":
        yield RULE.finding(node, name=node.id)


RULE = Rule(
    code="WM130",
    name="undefined-name",
    message="name `{name}` is not defined",
    help="define or import it at module level, or assign it before use",
    doc=__doc__ or "",
    nodes=(ast.Name,),
    check=check,
    fallback=True,
)
