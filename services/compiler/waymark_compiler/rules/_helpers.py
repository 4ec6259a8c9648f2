"""Small helpers shared by rule modules."""

from __future__ import annotations

import ast

from waymark_compiler.rules._base import RuleContext

#: Workflow primitives the compiler lowers itself (not plain functions, even though they are functions).
PRIMITIVES = frozenset({"asyncio.sleep", "asyncio.gather", "waymark.wait_for_signal"})


def call_target(node: ast.Call, ctx: RuleContext) -> str | None:
    """The qualified name a call's callee resolves to (`datetime.datetime.now`), when it is a global or builtin."""
    ref = ctx.resolve(node.func)
    if ref is None or ref.kind not in ("global", "builtin"):
        return None
    return ref.qualname


def span_node(start: ast.AST, end: ast.AST) -> ast.stmt:
    """A position-only node from the start of `start` to the end of `end` (for spans that are not one node)."""
    node = ast.Pass()
    node.lineno, node.col_offset = getattr(start, "lineno", 1), getattr(start, "col_offset", 0)
    node.end_lineno, node.end_col_offset = getattr(end, "end_lineno", None), getattr(end, "end_col_offset", None)
    return node
