"""WM134 impure-builtin: calling a builtin that is not pure.

What: a builtin other than the pure ones (`len range enumerate zip min max sum abs round sorted reversed any all
str int float bool list dict set tuple isinstance ...`), e.g. `print`, `open`, `input`, `hash`, `id`, `eval`.

Why: these do I/O or depend on the process (`hash()` of a string changes between processes, `id()` between runs);
a resumed run must compute the same values.

Example:

    print("charging", order_id)

Use instead: do I/O and other side effects inside an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.builtins_table import BUILTIN_EXCEPTIONS, BUILTIN_TYPES, CONVERSIONS, PURE_FUNCTIONS
from waymark_compiler.rules._base import Finding, Rule, RuleContext

ALLOWED = PURE_FUNCTIONS | CONVERSIONS | set(BUILTIN_EXCEPTIONS) | set(BUILTIN_TYPES)


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    ref = ctx.resolve(node.func)
    if ref is None or ref.kind != "builtin" or len(ref.parts) != 1 or ref.parts[0] in ALLOWED:
        return
    yield RULE.finding(node, name=ref.parts[0])


RULE = Rule(
    code="WM134",
    name="impure-builtin",
    message="builtin `{name}()` is not allowed in a workflow",
    help="do I/O and other side effects inside an @action",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
    fallback=True,
)
