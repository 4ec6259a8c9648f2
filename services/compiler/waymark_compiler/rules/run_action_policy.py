"""WM140 run-action-policy: a per-call policy the compiler cannot evaluate when the workflow is registered.

What: `self.run_action(call, retry=..., timeout=...)` whose first argument is not a direct action call, or whose
`retry=`/`timeout=` is not written literally (`RetryPolicy(...)`, `Backoff.exponential(...)`, a number, a
`timedelta(...)`, module-level constants, a `POLICY = RetryPolicy(...)` assigned once at the top of the workflow's
module), or whose values are invalid (`attempts=0`, a negative timeout).

Why: the policy is part of the compiled workflow: it is evaluated once, at registration, and stored with the version
so every attempt of every run uses the same one.

Example:

    await self.run_action(charge(order_id), retry=self.policy_for(order_id))

Use instead: literal arguments, or a policy shared at module level:

    PAYMENT_RETRY = RetryPolicy(attempts=5, backoff=Backoff.exponential(initial=1))

    await self.run_action(charge(order_id), retry=PAYMENT_RETRY, timeout=timedelta(seconds=30))
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM140", name="run-action-policy", message="{what}", help="{fix}", doc=__doc__ or "")
