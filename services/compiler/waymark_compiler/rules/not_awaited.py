"""WM150 not-awaited: an action, sleep, signal wait, child workflow or async helper called without `await`.

What: a statement that calls something awaitable and drops the result, e.g. `charge(order_id)` on its own line.

Why: like in plain asyncio, nothing happens until it is awaited: the action never runs.

Example:

    charge(order_id)

Use instead: `await charge(order_id)` (or gather several with `await asyncio.gather(...)`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import PRIMITIVES


def _is_awaitable_call(call: ast.Call, ctx: RuleContext) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
        return func.attr == "run_action" or (ctx.is_helper(func.attr) and ctx.is_async_helper(func.attr))
    if isinstance(func, ast.Attribute) and func.attr == "run" and isinstance(func.value, ast.Call):
        inner = ctx.resolve(func.value.func)
        return inner is not None and inner.entry_kind == "workflow"
    ref = ctx.resolve(func)
    if ref is None or ref.kind != "global":
        return False
    return (ref.entry_kind == "action" and not ref.attrs) or ref.qualname in PRIMITIVES


def check(node: ast.Expr, ctx: RuleContext) -> Iterator[Finding]:
    if isinstance(node.value, ast.Call) and _is_awaitable_call(node.value, ctx):
        yield RULE.finding(node.value, call=ctx.segment(node.value.func))


RULE = Rule(
    code="WM150",
    name="not-awaited",
    message="{call}(...) is never awaited",
    help="add `await`: without it nothing runs",
    doc=__doc__ or "",
    nodes=(ast.Expr,),
    check=check,
)
