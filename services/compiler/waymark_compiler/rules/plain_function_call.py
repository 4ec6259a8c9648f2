"""WM110 plain-function-call: calling one of your plain functions from a workflow.

What: a call of a function defined in the workflow's own module (or package) that is neither an `@action` nor a
method of the workflow. (Functions of other modules and libraries are WM117; coroutine functions WM111.)

Why: the compiler never runs your code, it compiles `run()` and the methods it calls: a module-level function is not
compiled, so the VM that runs the workflow's steps cannot call it. It may also do I/O, read the clock or change
global state, which a step must not do (a step that does not commit runs again from the last snapshot).

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
from waymark_compiler.rules.module_call import is_own


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    ref = ctx.resolve(node.func)
    if ref is None or ref.kind != "global" or ref.entry_kind != "function" or ref.attrs or ref.qualname in PRIMITIVES:
        return
    if ref.entry is not None and ref.entry.function is not None and ref.entry.function.is_async:
        return  # WM111
    if ref.entry is not None and ref.entry.function is not None and not is_own(ref.entry.function.qualname, ctx.module):
        return  # WM117: a library's function
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
