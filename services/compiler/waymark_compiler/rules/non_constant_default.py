"""WM142 non-constant-default: a parameter default that is not a constant.

What: `run()` or a helper method with a default such as `items=[]`, `when=datetime.now()` or `limit=compute()`.

Why: defaults are stored in the compiled workflow as constants. A mutable default would be shared between calls
(the classic Python pitfall) and a computed one would be evaluated in the worker's process, not in the run.

Example:

    async def run(self, items: list[str] = []) -> None: ...

Use instead: `None` and a check in the body (`items = [] if items is None else items`), or an immutable constant:
a literal (number, string, tuple ...), a module-level constant (`limit: int = MAX_ITEMS`), an enum member
(`mode: Mode = Mode.FAST`), or a stdlib value built from literals (`wait: timedelta = timedelta(hours=1)`,
`rate: Decimal = Decimal("0.05")`).
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(
    code="WM142",
    name="non-constant-default",
    message="default of `{name}` is not a constant",
    help="use None and set it in the body, or an immutable constant (a literal, module constant or enum member)",
    doc=__doc__ or "",
)
