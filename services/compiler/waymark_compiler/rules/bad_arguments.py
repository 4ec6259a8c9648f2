"""WM141 bad-arguments: a call whose arguments do not fit the callee's signature.

What: an action, child workflow or workflow method called with too many positional arguments, an unknown keyword,
a missing required argument, or the same argument twice.

Why: Python would raise `TypeError` when the line runs, possibly hours into a run; the compiler knows the signatures
from the manifest and refuses it up front.

Example:

    @action
    async def charge(order_id: int) -> bool: ...

    await charge(order_id, amount)

Use instead: call it with the parameters it declares.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM141", name="bad-arguments", message="{what}", help="{fix}", doc=__doc__ or "")
