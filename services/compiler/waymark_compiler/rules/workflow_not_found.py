"""WM002 workflow-not-found: the bundle names a workflow class the compiler cannot find or compile.

What: the class named by the bundle is not in the module's source, or it has no `async def run(self, ...)`.

Why: the compiler compiles `run()` from the source text; a class built dynamically (by `type(...)`, in `exec`, or a
source file changed after import) has no source to compile.

Example:

    Checkout = type("Checkout", (Workflow,), {"run": run})

Use instead: define the workflow with a `class` statement in a module and `async def run(self, ...)` in its body.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM002", name="workflow-not-found", message="{what}", help="{fix}", doc=__doc__ or "")
