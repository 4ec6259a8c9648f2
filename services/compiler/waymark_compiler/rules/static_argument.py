"""WM143 static-argument: an argument of a workflow primitive that must be written literally.

What: e.g. `asyncio.gather(..., return_exceptions=flag)` with a variable, an unknown keyword argument of
`asyncio.sleep`, `asyncio.gather` or `waymark.wait_for_signal`, or a child workflow constructed with arguments.

Why: these arguments decide how the compiled instruction behaves; they are fixed when the workflow is registered.

Example:

    await asyncio.gather(*calls, return_exceptions=tolerant)

Use instead: a literal (`return_exceptions=True`), with an `if` choosing between two calls when it must vary.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM143", name="static-argument", message="{what}", help="{fix}", doc=__doc__ or "")
