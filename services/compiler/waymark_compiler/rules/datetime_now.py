"""WM101 datetime-now: reading the wall clock in a workflow.

What: `datetime.now()`, `datetime.utcnow()`, `datetime.today()` or `date.today()` (however `datetime` was imported,
with or without `tz=`) inside `run()` or a helper it calls.

Why: a workflow's steps run in the scheduler's VM, not in your process, and a step that does not commit (a crash, a
lost connection) runs again from the run's last snapshot. A clock read gives a different answer on every try, so the
run could take a path that disagrees with what it already recorded. Waymark keeps run time in Postgres; a workflow
reads time only through something recorded.

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
from waymark_compiler.rules._helpers import call_names, matches, referenced

CALLS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "arrow.now",
        "arrow.utcnow",
        "pendulum.now",
        "pendulum.today",
    }
)


def check(node: ast.Call | ast.Attribute | ast.Name, ctx: RuleContext) -> Iterator[Finding]:
    if not isinstance(node, ast.Call):
        if referenced(node, ctx, CALLS):
            yield RULE.finding(node, call=ctx.segment(node), parens="")
        return
    if matches(call_names(node, ctx), CALLS):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM101",
    name="datetime-now",
    message="{call}{parens} is nondeterministic",
    help="move it into an @action and await the result",
    doc=__doc__ or "",
    defaults={"parens": "()"},
    nodes=(ast.Call, ast.Attribute, ast.Name),
    check=check,
)
