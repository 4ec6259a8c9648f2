"""The hook through which `waymark.testing.run_in_process` takes over action calls, sleeps, signals and children.

Outside of `run_in_process` no runtime is active: awaiting an action runs it directly (handy in scripts and unit
tests), and the workflow-only primitives explain where they can be used.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from waymark._action import ActionInvocation
    from waymark._policy import RetryPolicy
    from waymark._workflow import Workflow


class InProcessRuntime(Protocol):
    async def call_action(
        self, invocation: ActionInvocation[Any], retry: RetryPolicy | None, timeout: float | None
    ) -> Any: ...

    async def wait_for_signal(self, name: str, timeout: float | None) -> Any: ...

    async def run_child(
        self, workflow: Workflow, args: tuple[Any, ...], kwargs: dict[str, Any], workflow_id: str | None
    ) -> Any: ...


ACTIVE: ContextVar[InProcessRuntime | None] = ContextVar("waymark_in_process_runtime", default=None)
