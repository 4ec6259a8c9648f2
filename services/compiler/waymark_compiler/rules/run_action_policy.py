"""WM140 run-action-policy: a per-call policy the compiler cannot evaluate when the workflow is registered.

What: `self.run_action(call, retry=..., timeout=...)` whose first argument is not a direct action call, or whose
`retry=`/`timeout=` is not written literally (`RetryPolicy(...)`, `Backoff.exponential(...)`, a number, a
`timedelta(...)`, module-level constants, a `POLICY = RetryPolicy(...)` assigned once at the top of the workflow's
module, a local `policy = RetryPolicy(...)` assigned once in the method), or whose values are invalid
(`attempts=0`, a negative timeout).

A local policy variable (`policy = RetryPolicy(...)` or `backoff = Backoff.fixed(5)` in run() or a helper, passed
as `retry=policy`) is folded into each call when it is assigned exactly once, at the top level of the method before
its uses, from `RetryPolicy(...)`/`Backoff...(...)` with literal arguments, and is used only in `retry=`/`timeout=`
of `self.run_action(...)` (or inside another such variable). Otherwise it is reported once, where it is assigned,
saying which of those it breaks (assigned twice or in a block, used as a value, built from a run-time value).

Why: the policy is part of the compiled workflow: it is evaluated once, at registration, and stored with the version
so every attempt of every run uses the same one.

Example:

    await self.run_action(charge(order_id), retry=self.policy_for(order_id))

Use instead: literal arguments, a policy shared at module level, or one local assigned once from literals:

    PAYMENT_RETRY = RetryPolicy(attempts=5, backoff=Backoff.exponential(initial=1))

    await self.run_action(charge(order_id), retry=PAYMENT_RETRY, timeout=timedelta(seconds=30))

    policy = RetryPolicy(attempts=3, backoff=Backoff.fixed(5))
    await self.run_action(refund(order_id), retry=policy)
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM140", name="run-action-policy", message="{what}", help="{fix}", doc=__doc__ or "")
