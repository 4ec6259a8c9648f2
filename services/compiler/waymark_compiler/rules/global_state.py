"""WM131 global-state: using a module-level object that is not an immutable constant.

What: a workflow reads a module-level list, dict or set, or uses a module-level client, connection, logger or other
object (`db.fetch(order_id)` on `db = Database(...)`).

Why: module-level objects live in one worker process and can change; a workflow's steps run in the scheduler's VM,
resumed from a snapshot by whichever scheduler picks the run up, where that object does not exist. Only immutable
constants (numbers, strings, tuples, frozensets, enums ...) are copied into the compiled workflow.

Example:

    SEEN = set()
    db = Database(DSN)

    if order_id in SEEN: ...
    row = db.fetch(order_id)

Use instead: make the constant immutable (`tuple`, `frozenset`), pass the data in as the workflow's input, and use
clients inside an `@action`:

    @action
    async def load_order(order_id: int) -> Order:
        return await db.fetch(order_id)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.manifest import POLICY_TYPES, canonical
from waymark_compiler.rules._base import Finding, Rule, RuleContext

#: Module-level data whose fix is an immutable constant; anything else (a client, a lock) belongs in an action.
DATA = frozenset(
    {
        "builtins.list",
        "builtins.dict",
        "builtins.set",
        "builtins.bytearray",
        "collections.deque",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
    }
)


def check(node: ast.Name | ast.Attribute | ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    if isinstance(node, ast.Call):
        yield from check_call(node, ctx)
        return
    if not isinstance(node.ctx, ast.Load):
        return
    ref = ctx.resolve(node)
    if ref is None or ref.kind != "global" or ref.entry is None or ref.entry.opaque is None or ref.attrs:
        return
    opaque = ref.entry.opaque
    if canonical(opaque.type_qualname) in POLICY_TYPES:
        return  # `retry=POLICY`: the lowering folds it from the module, or says why not (WM140, WM135)
    kind = "mutable " if opaque.mutable else ""
    yield RULE.finding(
        node,
        what=f"`{ctx.segment(node)}` is module-level {kind}state (a `{_short(opaque.type_qualname)}`)",
        fix="use an immutable constant (tuple, frozenset ...) or pass it in as input"
        if opaque.type_qualname in DATA
        else "use it inside an @action",
    )


def check_call(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    """`db.fetch(x)`: a method of a module-level object, reported once for the whole call."""
    if not isinstance(node.func, ast.Attribute):
        return
    ref = ctx.resolve(node.func)
    if ref is None or ref.kind != "global" or ref.entry is None or ref.entry.opaque is None or not ref.attrs:
        return
    owner = ".".join(ref.parts[: ref.consumed])
    yield RULE.finding(
        node,
        what=f"`{ctx.segment(node.func)}()` calls a method of module-level object `{owner}` "
        f"(a `{_short(ref.entry.opaque.type_qualname)}`)",
        fix="use an immutable constant (tuple, frozenset ...) or pass it in as input"
        if ref.entry.opaque.type_qualname in DATA
        else "call it inside an @action and await the result",
        claims=tuple(ast.walk(node.func)),
    )


def _short(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


RULE = Rule(
    code="WM131",
    name="global-state",
    message="{what}",
    help="{fix}",
    doc=__doc__ or "",
    nodes=(ast.Name, ast.Attribute, ast.Call),
    check=check,
    fallback=True,
)
