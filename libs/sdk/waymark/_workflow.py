"""`Workflow` and `@workflow`.

The decorator keeps the user's `run()` as `__waymark_run__` (the compiler reads its source; `run_in_process` calls
it) and replaces `run` with the client entry point, so `await Checkout().run(order_id=1)` enqueues a run and waits
for its result, and the same line inside another workflow starts a child workflow.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, overload

from waymark._action import ActionInvocation
from waymark._policy import RetryPolicy, seconds_of, workflow_timeout_of
from waymark._registry import register_workflow
from waymark._runtime import ACTIVE

if TYPE_CHECKING:
    from waymark._client import WorkflowHandle

W = TypeVar("W", bound="type[Workflow]")
R = TypeVar("R")


class Workflow:
    """Base class of workflows. Subclass it, write `async def run(self, ...)`, decorate the class with `@workflow`."""

    __waymark_name__: ClassVar[str]
    __waymark_run__: ClassVar[Callable[..., Awaitable[Any]]]
    __waymark_timeout__: ClassVar[float | None] = None  # @workflow(timeout=...), seconds

    async def run(self, *args: Any, **kwargs: Any) -> Any:  # replaced on every @workflow class
        raise TypeError(f"{type(self).__name__} is not decorated with @waymark.workflow")

    @classmethod
    async def start(
        cls,
        *args: Any,
        workflow_id: str | None = None,
        workflow_timeout: float | timedelta | None = None,
        **kwargs: Any,
    ) -> WorkflowHandle:
        """Enqueue a run and return its handle at once. Idempotent on `workflow_id`: starting an id that exists
        returns the existing run's handle. `workflow_timeout` (seconds or timedelta; default: the class's
        `@workflow(timeout=...)`) ends the run `timed_out` if it has not finished by then."""
        from waymark._client import start_workflow

        return await start_workflow(cls, args, kwargs, workflow_id=workflow_id, workflow_timeout=workflow_timeout)

    async def run_action(
        self,
        invocation: ActionInvocation[R],
        *,
        retry: RetryPolicy | None = None,
        timeout: float | timedelta | None = None,
    ) -> R:
        """Await an action call with a per-call policy that overrides the decorator's."""
        if not isinstance(invocation, ActionInvocation):
            raise TypeError(
                f"run_action() takes an action call such as `charge(order_id)`, got {type(invocation).__name__}"
            )
        seconds = None if timeout is None else seconds_of(timeout, "run_action(timeout=)")
        return await invocation.run(retry, seconds)


def _client_run(user_run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def run(self: Workflow, *args: Any, **kwargs: Any) -> Any:
        runtime = ACTIVE.get()
        if runtime is not None:  # a child workflow inside run_in_process
            workflow_id = kwargs.pop("workflow_id", None)
            return await runtime.run_child(self, args, kwargs, workflow_id)
        from waymark._client import start_workflow

        workflow_id = kwargs.pop("workflow_id", None)
        workflow_timeout = kwargs.pop("workflow_timeout", None)
        handle = await start_workflow(
            type(self), args, kwargs, workflow_id=workflow_id, workflow_timeout=workflow_timeout
        )
        return await handle.result()

    run.__doc__ = user_run.__doc__
    run.__wrapped__ = user_run  # type: ignore[attr-defined]
    return run


@overload
def workflow(cls: W, /) -> W: ...
@overload
def workflow(*, name: str | None = None, timeout: float | timedelta | None = None) -> Callable[[W], W]: ...


def workflow(cls: Any = None, /, *, name: str | None = None, timeout: float | timedelta | None = None) -> Any:
    """Declare a workflow class. Its name (default: the class name) is what clients enqueue by. `timeout` (seconds
    or a timedelta) is the default workflow timeout of its runs started by a client: past it, CancelledError is
    raised at the run's current await (its finally blocks run) and the run ends `timed_out`."""
    timeout_seconds = workflow_timeout_of(timeout, "@workflow(timeout=)")

    def decorate(target: Any) -> Any:
        if not (isinstance(target, type) and issubclass(target, Workflow)):
            raise TypeError(f"@workflow decorates a subclass of waymark.Workflow, got {target!r}")
        user_run = target.__dict__.get("run")
        # An async generator (a `yield` in run) passes here so that registration refuses it with WM121, located.
        if user_run is None or not (inspect.iscoroutinefunction(user_run) or inspect.isasyncgenfunction(user_run)):
            raise TypeError(f"workflow {target.__qualname__} must define `async def run(self, ...)`")
        target.__waymark_name__ = name or target.__name__
        target.__waymark_run__ = user_run
        target.__waymark_timeout__ = timeout_seconds
        target.run = _client_run(user_run)  # type: ignore[method-assign,assignment]
        register_workflow(target.__waymark_name__, target)
        return target

    return decorate if cls is None else decorate(cls)
