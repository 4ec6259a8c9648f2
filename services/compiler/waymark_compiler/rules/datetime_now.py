"""WM101 datetime-now: reading the wall clock in a workflow.

What: `datetime.now()`, `datetime.utcnow()`, `datetime.today()` or `date.today()` inside `run()` or a helper.

Why: a workflow's code runs again whenever the run resumes (after a sleep, a restart, on another machine), and it
must take the same path each time. The clock reads a different value on every resume, so decisions based on it
change under the run's feet.

Example:

    pickup_day = datetime.now().strftime("%A")

Use instead: read the time in an `@action` and await it; the result is recorded once and stays the same on resume.

    @action
    async def today() -> str:
        return datetime.now().strftime("%A")

    pickup_day = await today()
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_target

CALLS = frozenset(
    {"datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today"}
)


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    if call_target(node, ctx) in CALLS:
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM101",
    name="datetime-now",
    message="{call}() is nondeterministic",
    help="move it into an @action and await the result",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
