"""WM135 unsupported-reference: using a function, module, action or method as a value.

What: a name that refers to code rather than data, used without calling it: `handler = charge`,
`fn = self.helper`, `mod = json`, or an attribute of a module that the worker could not resolve; also a class
attribute of the workflow whose value is not immutable data (`client = Client()`, `pending = []` in the class body)
and that the workflow reads: that is reported where the value is computed.

A class attribute (or module constant) that is immutable data computed at import (`started = time.time()`,
`region = os.environ["REGION"]`) is not reported: it is configuration, frozen into the workflow's version when the
worker registers it (a different value is a different version; see "Module constants" in docs/language.md).

Why: a run's state is plain data (it is stored in Postgres between steps); code objects and shared mutable objects
cannot be stored or shared between runs, and the compiler needs to see each call where it happens.

Example:

    step = charge if fast else charge_slowly
    await step(order_id)

Use instead: call the action or method directly in each branch.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM135", name="unsupported-reference", message="{what}", help="{fix}", doc=__doc__ or "")
