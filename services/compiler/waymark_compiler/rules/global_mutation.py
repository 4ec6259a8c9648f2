"""WM136 global-mutation: assigning into module-level state from a workflow.

What: `CACHE[key] = value`, `config.limit = 3`, `COUNTS[k] += 1`, `del REGISTRY[name]` where the object belongs to
the module (a global), not to the run.

Why: module-level objects live in one worker process: the change is invisible to the run when it resumes elsewhere,
lost on restart, and shared by every run in the process.

Example:

    SEEN: set[int] = set()
    RESULTS: dict[int, str] = {}

    RESULTS[order_id] = "paid"

Use instead: keep the data in local variables (or on `self`) and return it, or store it through an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext


def _base_name(target: ast.expr) -> ast.Name | None:
    while isinstance(target, (ast.Attribute, ast.Subscript)):
        target = target.value
    return target if isinstance(target, ast.Name) else None


def _targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        found: list[ast.expr] = []
        for target in node.targets:
            found += target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        return found
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [node.target]
    if isinstance(node, ast.Delete):
        return list(node.targets)
    return []


def check(node: ast.stmt, ctx: RuleContext) -> Iterator[Finding]:
    for target in _targets(node):
        if not isinstance(target, (ast.Attribute, ast.Subscript)):
            continue
        base = _base_name(target)
        if base is None:
            continue
        ref = ctx.resolve(base)
        if ref is not None and ref.kind in ("global", "builtin"):
            yield RULE.finding(base, name=base.id)


RULE = Rule(
    code="WM136",
    name="global-mutation",
    message="assigning into module-level `{name}` from a workflow",
    help="keep the data in local variables or on self, or store it through an @action",
    doc=__doc__ or "",
    nodes=(ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete),
    check=check,
)
