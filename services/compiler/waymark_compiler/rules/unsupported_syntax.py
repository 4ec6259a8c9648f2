"""WM125 unsupported-syntax: a construct the workflow compiler does not lower.

What: nested function or class definitions, `async for`, `match`, `try/except*`, and any other syntax outside the
subset DESIGN §1 lists (assignments, if/for/while, try/except/finally, comprehensions, f-strings, calls of
actions, helpers and pure builtins ...).

Why: the compiler turns `run()` into instructions for a resumable VM; each construct needs a lowering whose state
fits in a snapshot. Anything else is refused when the workflow is registered rather than failing at run time.

Example:

    async for event in stream():
        ...

Use instead: the supported subset: define helpers as methods of the workflow class, loop with `for`/`while`, use
`if/elif` instead of `match`, and move anything else into an `@action`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import span_node

WHAT: dict[type[ast.AST], tuple[str, str]] = {
    ast.FunctionDef: ("a nested function", "define it as a method of the workflow class and call self.name(...)"),
    ast.AsyncFunctionDef: ("a nested function", "define it as a method of the workflow class and call self.name(...)"),
    ast.ClassDef: ("a class definition", "define classes at module level"),
    ast.AsyncFor: ("`async for`", "loop over a list returned by an @action"),
    ast.Match: ("`match`", "use if/elif"),
    ast.TryStar: ("`except*`", "use except"),
}


def check(node: ast.stmt, ctx: RuleContext) -> Iterator[Finding]:
    what, fix = WHAT[type(node)]
    head: ast.AST = node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        keyword = {ast.AsyncFunctionDef: "async def ", ast.ClassDef: "class "}.get(type(node), "def ")
        header = span_node(node, node)  # only the `def name` part, not the whole body
        header.end_lineno, header.end_col_offset = node.lineno, node.col_offset + len(keyword + node.name)
        head = header
    elif isinstance(node, (ast.AsyncFor, ast.Match)):
        head = span_node(node, node.iter if isinstance(node, ast.AsyncFor) else node.subject)
    yield RULE.finding(head, what=what, fix=fix)


RULE = Rule(
    code="WM125",
    name="unsupported-syntax",
    message="{what} is not supported in a workflow",
    help="{fix}",
    doc=__doc__ or "",
    nodes=tuple(WHAT),
    check=check,
)
