"""WM105 os-urandom: reading random bytes from the operating system in a workflow.

What: `os.urandom(n)` (or `os.getrandom`) inside `run()` or a helper.

Why: every resume of the run would read different bytes, so anything derived from them changes on resume.

Example:

    token = os.urandom(16).hex()

Use instead: generate the bytes in an `@action` and await it; the result is recorded once.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_target

CALLS = frozenset({"os.urandom", "os.getrandom", "posix.urandom", "posix.getrandom"})


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    if call_target(node, ctx) in CALLS:
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM105",
    name="os-urandom",
    message="{call}() is nondeterministic",
    help="generate the bytes in an @action and await the result",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
