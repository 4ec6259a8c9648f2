"""WM131 global-state: using a module-level object that is not immutable data, or a table the module changes.

What: a workflow uses a module-level client, connection, logger or other object (`db.fetch(order_id)` on
`db = Database(...)`), or reads a module-level list, dict or set that the module's own code changes after the
import (`RATES[c] = rate` in a function, `SEEN.add(x)` in an @action, `global RATES; RATES = load()`); the message
names the line that changes it. A list, dict or set of plain data that nothing changes after the import
(`RATES = {"US": 7, "DE": 19}` read as `RATES[country]`, `RATES.get(c, 0)`, `sorted(RATES)`) is not reported: like
other module constants, its value at registration is frozen into the workflow's version.

Why: module-level objects live in one worker process; a workflow's steps run in the scheduler's VM, resumed from
a snapshot by whichever scheduler picks the run up, where that object does not exist. A table is copied into the
compiled workflow when the worker registers it, so a run would keep seeing the registration-time value, not the
live one the module changes: the workflow would silently read stale data.

Example:

    RATES = {"US": 7, "DE": 19}
    db = Database(DSN)

    def refresh(rates):
        RATES.update(rates)                  # the module changes RATES after the import

    rate = RATES[country]
    row = db.fetch(order_id)

Use instead: pass changing data in as the workflow's input, or read it (and use clients) inside an `@action`; a
table that never changes after the import needs nothing:

    @action
    async def current_rate(country: str) -> int:
        return RATES[country]

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
    table = _table_problem(ref.parts[0], _short(opaque.type_qualname), ctx)
    if table is not None:
        yield RULE.finding(node, what=table[0], fix=table[1])
        return
    kind = "mutable " if opaque.mutable else ""
    yield RULE.finding(
        node,
        what=f"`{ctx.segment(node)}` is module-level {kind}state (a `{_short(opaque.type_qualname)}`)",
        fix="use an immutable constant (tuple, frozenset ...) or pass it in as input"
        if opaque.type_qualname in DATA
        else "use it inside an @action",
    )


def _table_problem(name: str, kind: str, ctx: RuleContext) -> tuple[str, str] | None:
    """Why a module-level list/dict/set of plain data is not frozen into the version (module_data.py)."""
    change = ctx.manifest.data_changes.get(name)
    if change is not None:
        return (
            f"`{name}` is a module-level {kind} that the module changes after the import ({change.describe()}): "
            "the workflow would read its value at registration, not the live one",
            f"pass `{name}` (or what you need of it) in as input, or read it in an @action",
        )
    if name in ctx.manifest.foreign_data:
        return (
            f"`{name}` is a module-level {kind} defined in another module, whose changes the compiler cannot see",
            "define the table in the workflow's module (a table only read there is frozen into the version), "
            "make it a tuple/frozenset, or pass it in as input",
        )
    return None


def check_call(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    """`db.fetch(x)`: a method of a module-level object, reported once for the whole call."""
    if not isinstance(node.func, ast.Attribute):
        return
    ref = ctx.resolve(node.func)
    if ref is None or ref.kind != "global" or ref.entry is None or ref.entry.opaque is None or not ref.attrs:
        return
    owner = ".".join(ref.parts[: ref.consumed])
    table = _table_problem(owner, _short(ref.entry.opaque.type_qualname), ctx) if ref.consumed == 1 else None
    if table is not None:
        yield RULE.finding(node, what=table[0], fix=table[1], claims=tuple(ast.walk(node.func)))
        return
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
