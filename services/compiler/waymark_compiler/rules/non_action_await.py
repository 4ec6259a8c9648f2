"""WM111 non-action-await: awaiting a coroutine that is not an action.

What: `await fetch(x)` where `fetch` is a plain `async def` function (not decorated with `@action`).

Why: the compiler cannot see into plain coroutines; their I/O would run again on every resume and their results
would not be recorded.

Example:

    async def fetch(url: str) -> bytes: ...

    body = await fetch(url)

Use instead: decorate the coroutine with `@action`, or, for pure logic, make it an `async def` method of the
workflow and `await self.fetch(url)`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import PRIMITIVES


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    ref = ctx.resolve(node.func)
    if ref is None or ref.kind != "global" or ref.entry_kind != "function" or ref.attrs or ref.qualname in PRIMITIVES:
        return
    if ref.entry is not None and ref.entry.function is not None and ref.entry.function.is_async:
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM111",
    name="non-action-await",
    message="{call}() is a coroutine function, not an @action",
    help="decorate it with @action (its result is then recorded) or make it an async method of the workflow",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
    fallback=True,
)
