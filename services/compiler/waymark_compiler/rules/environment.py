"""WM107 environment: reading or changing environment variables in a workflow.

What: `os.environ`, `os.environ[...]`, `os.environ.get(...)`, `os.getenv(...)` (or `os.environb`, `from os import
environ, getenv`) inside `run()` or a helper it calls; also changing it (`os.environ["K"] = v`, `del os.environ[k]`,
`os.environ.update(...)`, `os.putenv(...)`), reported once, as WM107 (not also as a module-level mutation, WM136).

Why: the environment belongs to the process that happens to hold it, and a workflow's steps do not run in your
worker: they run in the scheduler's VM, resumed from a snapshot by whichever scheduler picks the run up, where the
variables differ (or are missing). The run would take another path than the one it recorded.

Example:

    region = os.environ["REGION"]
    debug = os.getenv("DEBUG") == "1"

Use instead: pass configuration in as the workflow's input, or read it inside an `@action` (actions run on your
workers, with your environment).

    @action
    async def region() -> str:
        return os.environ["REGION"]
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches

VARIABLES = frozenset({"os.environ", "os.environb"})
FUNCTIONS = frozenset({"os.getenv", "os.getenvb", "os.putenv", "os.unsetenv"})
WRITERS = frozenset({"os.putenv", "os.unsetenv"})
MUTATORS = frozenset({"setdefault", "pop", "popitem", "update", "clear", "__setitem__", "__delitem__"})


def _is_environ(node: ast.expr, ctx: RuleContext) -> bool:
    ref = ctx.resolve(node)
    if ref is None or ref.kind != "global" or ref.attrs:
        return False
    opaque = ref.entry.opaque if ref.entry is not None else None
    return ref.qualname in VARIABLES or (opaque is not None and opaque.type_qualname == "os._Environ")


def _environ_in(target: ast.expr, ctx: RuleContext) -> ast.expr | None:
    """The `os.environ` that an assignment or `del` target changes (`os.environ["K"]`), if any."""
    while isinstance(target, (ast.Subscript, ast.Attribute)):
        if _is_environ(target, ctx):
            return target
        target = target.value
    return target if isinstance(target, ast.Name) and _is_environ(target, ctx) else None


def check(node: ast.AST, ctx: RuleContext) -> Iterator[Finding]:
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        # `os.environ["K"] = v`, `del os.environ["K"]`: one diagnostic (it changes the environment), which also
        # covers the module-level mutation WM136 would report
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            environ = _environ_in(target, ctx)
            if environ is not None:
                yield RULE.finding(environ, name=ctx.segment(environ), verb="changes", claims=tuple(ast.walk(target)))
        return
    if isinstance(node, ast.Call):
        method_of_environ = isinstance(node.func, ast.Attribute) and _is_environ(node.func.value, ctx)
        if method_of_environ or matches(call_names(node, ctx), FUNCTIONS):
            changes = matches(call_names(node, ctx), WRITERS) or (
                method_of_environ and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS
            )
            yield RULE.finding(node, name=f"{ctx.segment(node.func)}()", verb="changes" if changes else "reads")
        return
    if isinstance(node, (ast.Name, ast.Attribute)) and _is_environ(node, ctx):
        yield RULE.finding(node, name=ctx.segment(node))


RULE = Rule(
    code="WM107",
    name="environment",
    message="`{name}` {verb} the process environment",
    help="pass configuration in as input, or read it inside an @action",
    doc=__doc__ or "",
    nodes=(ast.Call, ast.Attribute, ast.Name, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete),
    check=check,
    defaults={"verb": "reads"},
)
