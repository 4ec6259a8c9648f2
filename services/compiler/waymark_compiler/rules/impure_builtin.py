"""WM134 impure-builtin: calling a builtin that is not pure.

What: a builtin other than the pure ones (`len range enumerate zip min max sum abs round sorted reversed any all
str int float bool list dict set tuple isinstance ...`): dynamic code (`eval`, `exec`, `compile`, `__import__`),
introspection (`getattr`, `setattr`, `hasattr`, `delattr`, `vars`, `globals`, `locals`, `dir`, `type(...)` with three
arguments), process-specific values (`id`, `hash`), and objects the VM does not have (`memoryview`, `open`, ...).
(`print` is WM114; `open` and `input` are WM113.)

Why: the VM runs compiled workflow code on plain data; dynamic code and introspection would need the Python objects
and namespaces of a process the run does not live in, and `hash()` of a string or `id()` of an object differ between
processes, so a resumed run would compute different values.

Example:

    handler = getattr(self, f"handle_{kind}")
    bucket = hash(customer_id) % 16

Use instead: write the code out (`if kind == "refund": await self.handle_refund(...)`), access attributes directly
(`order.total`), and derive stable keys from the data itself (`customer_id % 16`, or `hashlib` inside an
`@action`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.builtins_table import BUILTIN_EXCEPTIONS, BUILTIN_TYPES, CONVERSIONS, PURE_FUNCTIONS
from waymark_compiler.rules._base import Finding, Rule, RuleContext

ALLOWED = PURE_FUNCTIONS | CONVERSIONS | set(BUILTIN_EXCEPTIONS) | set(BUILTIN_TYPES)
HELP: dict[str, str] = {
    **dict.fromkeys(
        ("eval", "exec", "compile", "__import__"), "write the code out in the workflow; dynamic code cannot be compiled"
    ),
    **dict.fromkeys(
        ("getattr", "setattr", "hasattr", "delattr", "vars", "globals", "locals", "dir"),
        "access attributes and names directly (`order.total`), or branch with if/elif",
    ),
    **dict.fromkeys(("id", "hash"), "derive a stable key from the data itself, or hash with hashlib in an @action"),
}


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    ref = ctx.resolve(node.func)
    if ref is None or ref.kind != "builtin" or len(ref.parts) != 1 or ref.parts[0] in ALLOWED:
        return
    name = ref.parts[0]
    if name == "super" and getattr(ctx, "exception_method", False):
        return  # super().__init__(...) in an exception's __init__: the lowering decides (WM144)
    yield RULE.finding(node, name=name, fix=HELP.get(name, "do it inside an @action and await the result"))


RULE = Rule(
    code="WM134",
    name="impure-builtin",
    message="builtin `{name}()` is not allowed in a workflow",
    help="{fix}",
    defaults={"fix": "do it inside an @action and await the result"},
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
    fallback=True,
)
