"""WM001 syntax-error: the module's source does not parse.

What: the source text sent in the bundle is not valid Python for the compiler's parser.

Why: the compiler works from the source text; it cannot compile what it cannot parse. (A worker that imported the
module successfully normally sends parseable source; this catches a file edited after import, or a bundle built by
other tooling.)

Example:

    async def run(self) -> None
        ...

Use instead: fix the syntax error; `python -c "import yourmodule"` shows it too.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM001", name="syntax-error", message="{error}", help="fix the syntax error", doc=__doc__ or "")
