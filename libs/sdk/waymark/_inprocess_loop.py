"""Virtual time for `waymark.testing`: an event loop whose clock jumps over idle waits.

The choice, and why:

- The workflow (and, for `run_in_vm`, the driver of the VM) runs on a **fresh `VirtualTimeLoop` in its own thread**.
  Its `time()` is a virtual clock. Whenever the loop has nothing ready and nothing running outside it, it does not
  block in `select()`: it moves the clock to the next timer. So `asyncio.sleep(3600)`, `asyncio.wait_for(...,
  timeout)` and `asyncio.timeout()` inside `run()` and its helpers take no wall time, and timers still fire in their
  virtual order. No global patching of `time` or `asyncio` is needed for that (see `install_timedelta_sleep` for the
  one convenience that is patched).
- **Actions run on the caller's event loop** (the test's), in the caller's context, through `HostBridge`. An action
  may use things bound to the test's loop (a connection pool fixture, an HTTP client), and `asyncio.sleep` inside an
  action is real, as it would be on a worker. While an attempt is in flight the virtual clock is frozen: actions take
  no virtual time, and the loop blocks (for real) until the attempt ends. Retry backoff is a virtual sleep, so it is
  skipped.
- When the loop has nothing to do at all (no timer, nothing in flight) the run can never finish: the loop calls its
  `on_idle` hook, and `run_virtual` turns that into `WorkflowBlocked` instead of hanging the test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import datetime
import functools
import selectors
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class WorkflowBlocked(RuntimeError):
    """The workflow waits for something that can never happen in this test: no timer is pending and nothing is
    running (typically `wait_for_signal` without a timeout for a signal the test does not send)."""


class _VirtualSelector(selectors.DefaultSelector):
    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._virtual_loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        loop = self._virtual_loop
        if loop.outside_work > 0:
            # Frozen clock: wait (for real) until the work outside ends; its completion wakes the self-pipe.
            events: list[tuple[selectors.SelectorKey, int]] = super().select(
                0 if timeout is not None and timeout <= 0 else None
            )
            return events
        events = super().select(0)
        if events or (timeout is not None and timeout <= 0):
            return events
        if timeout is None:
            if loop.on_idle is not None and loop.on_idle():
                return []
            return super().select(None)
        loop.advance(timeout)  # nothing ready, nothing in flight: jump to the next timer
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose `time()` is virtual and whose idle waits take no wall time."""

    def __init__(self) -> None:
        self._virtual_now = 0.0
        self.outside_work = 0  # attempts on the host loop and executor jobs in flight
        self.on_idle: Callable[[], bool] | None = None  # returns True when it scheduled something
        super().__init__(selector=_VirtualSelector(self))
        self._clock_resolution = 1e-6  # virtual times are sums of floats: compare with some slack

    def time(self) -> float:
        return self._virtual_now

    def advance(self, seconds: float) -> None:
        self._virtual_now += max(0.0, seconds)

    def call_later(  # type: ignore[override]
        self,
        delay: Any,
        callback: Callable[..., Any],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.TimerHandle:
        if isinstance(delay, datetime.timedelta):
            delay = delay.total_seconds()
        return super().call_later(delay, callback, *args, context=context)

    def run_in_executor(self, executor: Any, func: Callable[..., T], *args: Any) -> asyncio.Future[T]:  # type: ignore[override]
        future = super().run_in_executor(executor, func, *args)
        self.outside_work += 1
        future.add_done_callback(self._outside_work_done)
        return future

    def _outside_work_done(self, _: object) -> None:
        self.outside_work -= 1


_original_sleep = asyncio.sleep


# functools.wraps also keeps `asyncio.tasks.sleep` as its module and qualname: the bundle builder must still see
# asyncio.sleep when it describes what a workflow's `asyncio.sleep` refers to.
@functools.wraps(_original_sleep)
async def _sleep(delay: Any, result: Any = None) -> Any:
    if isinstance(delay, datetime.timedelta) and isinstance(asyncio.get_running_loop(), VirtualTimeLoop):
        delay = delay.total_seconds()
    return await _original_sleep(delay, result)


def install_timedelta_sleep() -> None:
    """Let `asyncio.sleep(timedelta(...))` work on a virtual loop, as it does in a compiled workflow (DESIGN §1).

    Plain asyncio refuses a timedelta before it reaches the loop (`delay <= 0`), so `asyncio.sleep` is wrapped once,
    process-wide: on any other loop the wrapper only forwards to the original, unchanged."""
    if asyncio.sleep is not _sleep:
        asyncio.sleep = _sleep
        asyncio.tasks.sleep = _sleep


class HostBridge:
    """Runs coroutines on the host (the test's) loop for code on the virtual loop, counting them as outside work."""

    def __init__(self, host: asyncio.AbstractEventLoop, context: contextvars.Context, loop: VirtualTimeLoop) -> None:
        self.host = host
        self.context = context
        self.loop = loop

    async def call(self, factory: Callable[[], Awaitable[T]]) -> T:
        """`await factory()` on the host loop, in a copy of the host context; cancelling the caller cancels it."""
        loop = self.loop
        result: asyncio.Future[T] = loop.create_future()
        holder: list[asyncio.Task[T]] = []

        def start() -> None:  # on the host loop
            task = self.host.create_task(_await(factory), context=self.context.copy())
            holder.append(task)
            task.add_done_callback(lambda done: _hand_back(loop, done, result))

        loop.outside_work += 1
        try:
            self.host.call_soon_threadsafe(start)
            return await result
        except asyncio.CancelledError:
            # Runs after start() on the host (call_soon_threadsafe keeps order), so the task exists.
            with contextlib.suppress(RuntimeError):  # the host loop is already closed
                self.host.call_soon_threadsafe(lambda: holder[0].cancel() if holder else None)
            raise
        finally:
            loop.outside_work -= 1


async def _await(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()


def _hand_back(loop: asyncio.AbstractEventLoop, source: asyncio.Future[T], target: asyncio.Future[T]) -> None:
    """Pass a host task's outcome to the virtual loop. That loop may be closed already: the workflow ended while this
    call (a gather sibling, say) was still running on the host, and nobody waits for its outcome any more."""
    if loop.is_closed():
        if not source.cancelled():
            source.exception()  # retrieved: no "exception was never retrieved" noise for an outcome nobody wants
        return
    with contextlib.suppress(RuntimeError):  # closed between the check and the call
        loop.call_soon_threadsafe(_transfer, source, target)


def _transfer(source: asyncio.Future[T], target: asyncio.Future[T]) -> None:
    if target.done():
        return
    if source.cancelled():
        target.cancel()
        return
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())


Main = Callable[[VirtualTimeLoop, HostBridge], Coroutine[Any, Any, T]]


async def run_virtual(main: Main[T], *, describe_block: Callable[[], str] | None = None) -> T:
    """Run `main(loop, bridge)` on a fresh VirtualTimeLoop in a thread of its own, from the caller's loop (which
    stays free to run the actions). Cancelling the caller cancels the run (its `finally` blocks run)."""
    host = asyncio.get_running_loop()
    context = contextvars.copy_context()
    done: concurrent.futures.Future[T] = concurrent.futures.Future()
    ready = threading.Event()
    started: dict[str, Any] = {}

    async def wrapper() -> T:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, VirtualTimeLoop)
        blocked: asyncio.Future[None] = loop.create_future()

        def on_idle() -> bool:
            if blocked.done():
                return False
            blocked.set_result(None)
            return True

        loop.on_idle = on_idle
        task = loop.create_task(main(loop, HostBridge(host, context, loop)))
        started["loop"], started["task"] = loop, task
        ready.set()
        try:
            waiting: set[asyncio.Future[Any]] = {task, blocked}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if task.done():
            return task.result()
        detail = describe_block() if describe_block is not None else ""
        raise WorkflowBlocked(
            "the workflow is blocked: it waits for something this test never provides (a signal?) and no timer or "
            f"action is pending{': ' + detail if detail else ''}"
        )

    def thread_main() -> None:
        try:
            with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
                result = runner.run(wrapper(), context=context.copy())
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the caller's loop
            done.set_exception(exc)
        else:
            done.set_result(result)
        finally:
            ready.set()

    threading.Thread(target=thread_main, name="waymark-virtual-time", daemon=True).start()
    outcome = asyncio.wrap_future(done)
    try:
        return await asyncio.shield(outcome)
    except asyncio.CancelledError:
        if not outcome.done():
            await asyncio.to_thread(ready.wait)
            loop, task = started.get("loop"), started.get("task")
            if loop is not None and task is not None:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(task.cancel)
            with contextlib.suppress(BaseException):
                await outcome
        raise
