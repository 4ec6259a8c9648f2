"""WM137 unencodable-constant: a literal that cannot be stored as a workflow value.

What: an integer literal with more digits than Python converts to text (4300 by default, e.g. a 5000-digit hex
mask), or a string literal holding unpaired surrogates (`"\\ud800"`), inside `run()` or a helper it calls.

Why: a workflow's values live in its snapshot in Postgres, as tagged JSON (docs/values.md): integers as decimal
text, strings as UTF-8. These two cannot be written there, so a run would fail at its first step; the compiler
refuses them when the workflow is registered instead.

Example:

    MASK = 0xFFFF...FFFF  # 5000 hex digits, used in run()
    marker = "\\ud800"

Use instead: compute such numbers inside an `@action` (or keep them as text); write characters outside the Basic
Multilingual Plane as themselves or with a `\\U0001f600` escape, not as two `\\u` surrogate escapes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.limits import too_large_int
from waymark_compiler.rules._base import Finding, Rule, RuleContext


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check(node: ast.Constant, ctx: RuleContext) -> Iterator[Finding]:
    if too_large_int(node.value):
        yield RULE.finding(
            node,
            what="this integer has more digits than Python converts to text, so it cannot be stored as a value",
            fix="compute the number inside an @action, or keep it as text",
        )
    elif isinstance(node.value, str) and _has_lone_surrogate(node.value):
        yield RULE.finding(
            node,
            what="this string holds surrogate code points (not valid UTF-8), so it cannot be stored as a value",
            fix="write the character itself or a \\U escape (`\\U0001f600`), or use bytes",
        )


RULE = Rule(
    code="WM137",
    name="unencodable-constant",
    message="{what}",
    help="{fix}",
    doc=__doc__ or "",
    nodes=(ast.Constant,),
    check=check,
)
