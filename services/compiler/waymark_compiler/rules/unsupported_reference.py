"""WM135 unsupported-reference: using a function, module, action or method as a value.

What: a name that refers to code rather than data, used without calling it: `handler = charge`,
`fn = self.helper`, `mod = json`, or an attribute of a module that the worker could not resolve; also a class
attribute whose value is computed when the module is imported (`started = time.time()`, `client = Client()` in the
workflow's class body) and read by the workflow: that is reported where the value is computed.

Why: a value computed at import differs between worker processes (a clock, a random token, a client). A run's state
is plain data (it is stored in Postgres between steps); code objects cannot be stored, and the
compiler needs to see each call where it happens.

Example:

    step = charge if fast else charge_slowly
    await step(order_id)

Use instead: call the action or method directly in each branch.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM135", name="unsupported-reference", message="{what}", help="{fix}", doc=__doc__ or "")
