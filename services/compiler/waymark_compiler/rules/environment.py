"""WM107 environment: reading environment variables in a workflow.

What: `os.environ`, `os.environ[...]`, `os.getenv(...)` (or `os.environb`) inside `run()` or a helper.

Why: the environment belongs to the process that happens to run the step; another worker, or the same one after a
restart, may have a different one, and the run would take another path on resume.

Example:

    region = os.environ["REGION"]

Use instead: pass configuration in as the workflow's input, or read it inside an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext

VARIABLES = frozenset({"os.environ", "os.environb"})
FUNCTIONS = frozenset({"os.getenv", "os.getenvb", "os.putenv", "os.unsetenv"})


def check(node: ast.Call | ast.Name | ast.Attribute, ctx: RuleContext) -> Iterator[Finding]:
    target = node.func if isinstance(node, ast.Call) else node
    ref = ctx.resolve(target)
    if ref is None or ref.kind != "global" or ref.attrs:
        return
    if isinstance(node, ast.Call):
        if ref.qualname in FUNCTIONS:
            yield RULE.finding(node, name=f"{ctx.segment(target)}()")
        return
    opaque = ref.entry.opaque if ref.entry is not None else None
    if ref.qualname in VARIABLES or (opaque is not None and opaque.type_qualname == "os._Environ"):
        yield RULE.finding(node, name=ctx.segment(node))


RULE = Rule(
    code="WM107",
    name="environment",
    message="`{name}` reads the process environment",
    help="pass configuration in as input, or read it inside an @action",
    doc=__doc__ or "",
    nodes=(ast.Call, ast.Attribute, ast.Name),
    check=check,
)
