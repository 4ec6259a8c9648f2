"""WM110 plain-function-call: calling a plain function from a workflow.

What: a call of a module-level function that is neither an `@action`, a pure builtin, nor a method of the workflow.

Why: the compiler never runs user code, so it cannot know what the function does: it may do I/O, read the clock
or mutate global state, and it would run again on every resume. Actions run on workers, exactly where and when
Waymark records them.

Example:

    def shipping_zone(postcode: str) -> str: ...

    zone = shipping_zone(postcode)

Use instead: decorate it with `@action` and `await` it; or, for pure logic, make it a method of the workflow class
and call `self.shipping_zone(postcode)` (methods are compiled with the workflow).
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
        return  # WM111
    name = ctx.segment(node.func)
    yield RULE.finding(node, call=name, short=ref.parts[-1])


RULE = Rule(
    code="WM110",
    name="plain-function-call",
    message="{call}() is a plain function, not an @action",
    help="decorate it with @action and await it, or move pure logic into a method and call self.{short}(...)",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
    fallback=True,
)
