"""WM136 global-mutation: changing module-level state from a workflow.

What: `CACHE[key] = value`, `config.limit = 3`, `COUNTS[k] += 1`, `del REGISTRY[name]`, `CACHE.append(x)`,
`SEEN.add(x)`, `SETTINGS.update(...)`, `RATES["US"].append(x)`, where the object belongs to the module (a global),
not to the run; and
`counter += 1` (or `counter = counter + 1`) on a module-level `counter`, which Python turns into a local that is read
before it is set.

Why: module-level objects live in one worker process, and a workflow's steps do not run there: they run in the
scheduler's VM, resumed from a snapshot by whichever scheduler picks the run up. A change to a global would be
invisible to the run when it resumes, lost on restart, and shared by every run in the process.

Example:

    SEEN: set[int] = set()
    processed = 0

    SEEN.add(order_id)
    processed += 1

Use instead: keep the data in local variables (or on `self`) and return it, or store it through an `@action` (a
database row, a cache) and read it back through one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.module_data import MUTATORS  # one list of in-place methods for both checks
from waymark_compiler.rules._base import Finding, Rule, RuleContext

HELP = "keep the data in local variables or on self, or store it through an @action"


def _base_name(target: ast.expr) -> ast.Name | None:
    while isinstance(target, (ast.Attribute, ast.Subscript)):
        target = target.value
    return target if isinstance(target, ast.Name) else None


def _table_base(node: ast.expr) -> ast.Name | None:
    """The name a container is reached from through subscripts, attributes and `.get(...)`."""
    while True:
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            node = node.func.value
        else:
            return node if isinstance(node, ast.Name) else None


def _targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        found: list[ast.expr] = []
        for target in node.targets:
            found += target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        return found
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [node.target]
    if isinstance(node, ast.Delete):
        return list(node.targets)
    return []


def _reads(node: ast.AST, name: str) -> bool:
    return any(isinstance(sub, ast.Name) and sub.id == name and isinstance(sub.ctx, ast.Load) for sub in ast.walk(node))


def check_statement(node: ast.stmt, ctx: RuleContext) -> Iterator[Finding]:
    for target in _targets(node):
        if isinstance(target, ast.Name):
            # `counter += 1` on a module-level name: Python makes it a local of the function (UnboundLocalError)
            reads_first = isinstance(node, ast.AugAssign) or (
                isinstance(node, (ast.Assign, ast.AnnAssign))
                and node.value is not None
                and _reads(node.value, target.id)
            )
            if ctx.declared_global(target.id):
                yield RULE.finding(target, name=target.id, fix=HELP)
            elif reads_first and ctx.global_ref(target.id) is not None and not ctx.bound_before(target.id, node):
                yield RULE.finding(
                    target,
                    name=target.id,
                    fix=f"Python makes `{target.id}` a local here, read before it is set; keep the value in a local "
                    "or on self and return it, or store it through an @action",
                )
            continue
        if not isinstance(target, (ast.Attribute, ast.Subscript)):
            continue
        base = _base_name(target)
        if base is None:
            continue
        ref = ctx.resolve(base)
        if ref is not None and ref.kind in ("global", "builtin"):
            yield RULE.finding(base, name=base.id, fix=HELP)


def check_call(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in MUTATORS:
        return
    ref = ctx.resolve(func.value)
    if ref is not None and ref.kind == "global" and ref.entry is not None and not ref.attrs:
        if (ref.entry.opaque is not None and ref.entry.opaque.mutable) or ref.parts[0] in ctx.manifest.frozen_data:
            yield RULE.finding(node, name=ctx.segment(func.value), fix=HELP)
        return
    # `RATES["US"].append(x)`, `RATES.get("US", []).append(x)`: a container inside a module-level table
    base = _table_base(func.value)
    if base is None or base is func.value:
        return
    ref = ctx.resolve(base)
    if ref is None or ref.kind != "global" or ref.entry is None:
        return
    if (ref.entry.opaque is not None and ref.entry.opaque.mutable) or base.id in ctx.manifest.frozen_data:
        yield RULE.finding(node, name=base.id, fix=HELP)


def check(node: ast.AST, ctx: RuleContext) -> Iterator[Finding]:
    if isinstance(node, ast.Call):
        yield from check_call(node, ctx)
    elif isinstance(node, ast.stmt):
        yield from check_statement(node, ctx)


RULE = Rule(
    code="WM136",
    name="global-mutation",
    message="changing module-level `{name}` from a workflow",
    help="{fix}",
    doc=__doc__ or "",
    nodes=(ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Call),
    check=check,
)
