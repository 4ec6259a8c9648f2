"""A retry policy assigned once to a local variable of run() or a helper (`policy = RetryPolicy(...)`) and passed
as `self.run_action(call, retry=policy)`: folded at registration like a literal or a module-level policy."""

from __future__ import annotations

from datetime import timedelta

import waymark
from waymark import Backoff, RetryPolicy, Workflow, action, workflow

from .diffcase import case


@action(name="d_policy_locals_flaky")
async def flaky(key: str, failures: int) -> str:
    attempt = waymark.current_call().attempt  # deterministic per call, so both runs see the same failures
    if attempt <= failures:
        raise ConnectionError(f"attempt {attempt} of {key} failed")
    return f"{key} ok after {attempt}"


@workflow(name="d_policy_locals_run")
class InRun(Workflow):
    async def run(self, key: str, failures: int) -> object:
        policy = RetryPolicy(attempts=4, backoff=Backoff.exponential(initial=1, factor=3, max=20), on=[ConnectionError])
        first = await self.run_action(flaky(key, failures), retry=policy)
        second = await self.run_action(flaky(key + "!", 0), retry=policy, timeout=timedelta(seconds=30))
        return [first, second]


@workflow(name="d_policy_locals_helper")
class InHelper(Workflow):
    async def charge(self, key: str, failures: int) -> str:
        backoff = Backoff.fixed(7)
        retry = RetryPolicy(attempts=3, backoff=backoff, on=[ConnectionError])
        return await self.run_action(flaky(key, failures), retry=retry)

    async def run(self, keys: list[str], failures: int) -> list[str]:
        out = []
        for key in keys:
            out.append(await self.charge(key, failures))
        return out


CASES = [
    case("run_first_time", InRun, "a", 0),
    case("run_retries", InRun, "b", 3),
    case("run_exhausted", InRun, "c", 4, raises="builtins.ConnectionError"),
    case("helper_retries", InHelper, ["x", "y"], 2),
    case("helper_exhausted", InHelper, ["z"], 3, raises="builtins.ConnectionError"),
]
