"""WM000 internal-error: the compiler failed on this workflow.

What: a bug in the compiler, not in your code: lowering raised an unexpected exception.

Why: rather than failing the whole registration with a traceback, the compiler reports the workflow it could not
compile (and still checks the others), so the problem is visible in `waymark check` and in the worker's log.

Example: any construct that triggers the bug.

Use instead: please report it with the workflow's source; meanwhile, rewriting the construct named in the message
usually works around it.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(
    code="WM000",
    name="internal-error",
    message="internal compiler error: {error}",
    help="this is a bug in the Waymark compiler; please report it with this workflow's source",
    doc=__doc__ or "",
)
