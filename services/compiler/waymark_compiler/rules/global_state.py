"""WM131 global-state: reading a module-level object that is not an immutable constant.

What: a workflow reads a module-level list, dict, set, client, connection or other object.

Why: module-level objects live in one process and can change; a resumed run (maybe on another worker) would see
different contents. Only immutable constants (numbers, strings, tuples, frozensets, enums ...) are copied into the
compiled workflow.

Example:

    SEEN = set()

    if order_id in SEEN: ...

Use instead: make the constant immutable (`tuple`, `frozenset`), pass the data in as the workflow's input, or read
it through an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext


def check(node: ast.Name | ast.Attribute, ctx: RuleContext) -> Iterator[Finding]:
    if not isinstance(node.ctx, ast.Load):
        return
    ref = ctx.resolve(node)
    if ref is None or ref.kind != "global" or ref.entry is None or ref.entry.opaque is None or ref.attrs:
        return
    opaque = ref.entry.opaque
    kind = "mutable " if opaque.mutable else ""
    yield RULE.finding(
        node,
        name=ctx.segment(node),
        kind=kind,
        type=opaque.type_qualname.rsplit(".", 1)[-1],
        fix="use an immutable constant (tuple, frozenset ...) or pass it in as input"
        if opaque.mutable
        else "use it inside an @action",
    )


RULE = Rule(
    code="WM131",
    name="global-state",
    message="`{name}` is module-level {kind}state (a `{type}`)",
    help="{fix}",
    doc=__doc__ or "",
    nodes=(ast.Name, ast.Attribute),
    check=check,
    fallback=True,
)
