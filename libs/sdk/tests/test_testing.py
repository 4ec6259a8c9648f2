"""waymark.testing: run_in_process (and, where the behaviour is the same, run_in_vm) as a user's tests use them.

The workflows live in this module (the compiler reads their source from it for run_in_vm). Action names carry a
`tt_` prefix: the registry is process-wide, and names must not collide with other test modules' actions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
import waymark
from waymark import (
    ActionTimeout,
    Backoff,
    RegistrationError,
    RetryPolicy,
    ValueNotSupported,
    Workflow,
    action,
    workflow,
)
from waymark.testing import Signal, TraceEvent, WorkflowBlocked, run_in_process, run_in_vm
from waymark_ir.values import RemoteException

Helper = Callable[..., Awaitable[Any]]
BOTH = pytest.mark.parametrize("helper", [run_in_process, run_in_vm], ids=["in_process", "in_vm"])


class PaymentDeclined(Exception):
    pass


# ---- the seed example -------------------------------------------------------------------------------------------


@action(name="tt_charge")
async def charge(order_id: int) -> bool:
    raise AssertionError("replaced by an override in every test")


@workflow(name="tt_checkout")
class Checkout(Workflow):
    async def run(self, order_id: int, wait_seconds: float) -> str:
        for _ in range(3):
            if await charge(order_id):
                return "paid"
            await asyncio.sleep(wait_seconds)
        return "failed"


def flaky(succeed_on: int) -> tuple[list[int], Callable[[int], Awaitable[bool]]]:
    calls: list[int] = []

    async def fake(order_id: int) -> bool:
        calls.append(order_id)
        return len(calls) >= succeed_on

    return calls, fake


@BOTH
async def test_checkout_pays_on_the_third_attempt_with_hour_long_sleeps_skipped(helper: Helper) -> None:
    calls, fake = flaky(3)
    trace: list[TraceEvent] = []
    started = time.monotonic()
    result = await helper(Checkout, order_id=7, wait_seconds=3600, overrides={"tt_charge": fake}, trace=trace)
    assert result == "paid"
    assert calls == [7, 7, 7]
    assert [e.time for e in trace if e.kind == "attempt"] == [0.0, 3600.0, 7200.0]
    assert time.monotonic() - started < 30  # virtual time: nowhere near two hours


@BOTH
async def test_checkout_fails_after_three_declines(helper: Helper) -> None:
    calls, fake = flaky(99)
    assert await helper(Checkout, 1, 60.0, overrides={charge: fake}) == "failed"
    assert len(calls) == 3


# ---- retries, backoff, timeouts ---------------------------------------------------------------------------------


@action(name="tt_flaky", retry=RetryPolicy(attempts=4, backoff=Backoff.exponential(initial=1, factor=2, max=60)))
async def flaky_step(n: int) -> int:
    raise AssertionError("overridden")


@workflow(name="tt_retrying")
class Retrying(Workflow):
    async def run(self, n: int) -> Any:
        return await flaky_step(n)


def failing(times: int, error: BaseException) -> tuple[list[int], Callable[..., Awaitable[int]]]:
    attempts: list[int] = []

    async def fake(**arguments: int) -> int:  # called with the action's arguments by name
        attempts.append(waymark.current_call().attempt)
        if len(attempts) <= times:
            raise error
        return next(iter(arguments.values())) * 10

    return attempts, fake


@BOTH
async def test_retries_with_exponential_backoff_in_virtual_time(helper: Helper) -> None:
    attempts, fake = failing(3, ConnectionError("flaky network"))
    trace: list[TraceEvent] = []
    assert await helper(Retrying, 4, overrides={"tt_flaky": fake}, trace=trace) == 40
    assert attempts == [1, 2, 3, 4]
    assert [e.time for e in trace if e.kind == "attempt"] == [0.0, 1.0, 3.0, 7.0]
    assert [e.detail for e in trace if e.kind == "retry"] == [1.0, 2.0, 4.0]


@BOTH
async def test_the_last_failure_is_raised_when_attempts_run_out(helper: Helper) -> None:
    attempts, fake = failing(10, PaymentDeclined("card declined"))
    with pytest.raises(PaymentDeclined, match="card declined"):
        await helper(Retrying, 1, overrides={"tt_flaky": fake})
    assert attempts == [1, 2, 3, 4]


@action(name="tt_pay", retry=RetryPolicy(attempts=3, on=[PaymentDeclined]))
async def pay(amount: int) -> int:
    raise AssertionError("overridden")


@workflow(name="tt_paying")
class Paying(Workflow):
    async def run(self, amount: int) -> Any:
        return await pay(amount)


@workflow(name="tt_paying_per_call")
class PayingPerCall(Workflow):
    async def run(self, amount: int) -> Any:
        return await self.run_action(pay(amount), retry=RetryPolicy(attempts=5))


@BOTH
async def test_only_the_named_exceptions_are_retried(helper: Helper) -> None:
    attempts, fake = failing(10, ValueError("not a payment problem"))
    with pytest.raises(ValueError, match="not a payment problem"):
        await helper(Paying, 5, overrides={"tt_pay": fake})
    assert attempts == [1]


@BOTH
async def test_a_per_call_policy_overrides_the_decorator(helper: Helper) -> None:
    attempts, fake = failing(4, ValueError("retried by the per-call policy"))
    assert await helper(PayingPerCall, 2, overrides={"tt_pay": fake}) == 20
    assert attempts == [1, 2, 3, 4, 5]


@action(name="tt_slow", timeout=0.25)
async def slow(seconds: float) -> str:
    await asyncio.sleep(seconds)  # real time: actions run on the test's loop
    return "done"


@workflow(name="tt_timing_out")
class TimingOut(Workflow):
    async def run(self, seconds: float) -> Any:
        try:
            return await slow(seconds)
        except ActionTimeout as exc:
            return "timed out: " + str(exc)


@workflow(name="tt_timing_out_retried")
class TimingOutRetried(Workflow):
    async def run(self) -> Any:
        return await self.run_action(slow(30), retry=RetryPolicy(attempts=2, on=[ActionTimeout]), timeout=0.02)


@BOTH
async def test_a_timed_out_attempt_raises_action_timeout_in_the_workflow(helper: Helper) -> None:
    assert await helper(TimingOut, 30) == "timed out: action tt_slow attempt 1 timed out after 0.25s"
    assert await helper(TimingOut, 0) == "done"


@BOTH
async def test_timeouts_are_retried_only_when_named(helper: Helper) -> None:
    trace: list[TraceEvent] = []
    with pytest.raises(ActionTimeout, match=r"attempt 2 timed out after 0\.02s"):
        await helper(TimingOutRetried, trace=trace)
    assert [e.attempt for e in trace if e.kind == "attempt"] == [1, 2]


# ---- overrides ----------------------------------------------------------------------------------------------------


@action(name="tt_double")
async def double(n: int) -> int:
    return n * 2


@action(name="tt_triple")
async def triple(n: int) -> int:
    return n * 3


@action(name="tt_blocking")
def blocking_square(n: int) -> int:
    time.sleep(0.01)  # a plain def action runs in a thread, as on a worker
    return n * n


@workflow(name="tt_arith")
class Arith(Workflow):
    async def run(self, n: int) -> Any:
        return await double(n) + await blocking_square(n)


@BOTH
async def test_actions_run_for_real_without_overrides(helper: Helper) -> None:
    assert await helper(Arith, 3) == 15


@BOTH
async def test_overrides_by_name_function_action_exception_or_value(helper: Helper) -> None:
    assert await helper(Arith, 3, overrides={"tt_double": lambda n: n + 100}) == 112
    assert await helper(Arith, 3, overrides={double: triple}) == 18
    assert await helper(Arith, 3, overrides={double: 1, "tt_blocking": 2}) == 3
    with pytest.raises(PaymentDeclined, match="nope"):
        await helper(Arith, 3, overrides={double: PaymentDeclined("nope")})


async def test_an_override_for_an_unknown_action_is_refused() -> None:
    with pytest.raises(KeyError, match="no action named 'tt_dobule'"):
        await run_in_process(Arith, 3, overrides={"tt_dobule": 1})


# ---- validation and values ------------------------------------------------------------------------------------------


@action(name="tt_describe")
async def describe(n: int, tags: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"n": n, "type": type(n).__name__, "tags": tags}


@workflow(name="tt_validating")
class Validating(Workflow):
    async def run(self, raw: Any) -> Any:
        return await describe(raw, ("a", "b"))


@BOTH
async def test_arguments_are_validated_and_coerced_like_a_worker_does(helper: Helper) -> None:
    assert await helper(Validating, "5") == {"n": 5, "type": "int", "tags": ("a", "b")}
    with pytest.raises(TypeError, match="argument 'n' is invalid"):
        await helper(Validating, "five")


@BOTH
async def test_results_are_validated_against_the_return_annotation(helper: Helper) -> None:
    with pytest.raises(TypeError, match="does not match its return annotation"):
        await helper(Arith, 2, overrides={"tt_double": "not a number"})


@action(name="tt_echo")
async def echo(value: Any) -> Any:
    return value


@workflow(name="tt_echoing")
class Echoing(Workflow):
    async def run(self, value: Any) -> Any:
        return await echo(value)


@workflow(name="tt_echoing_object")
class EchoingObject(Workflow):
    async def run(self) -> Any:
        return await echo({"items": [1, object()]})


@BOTH
async def test_values_keep_their_python_types_across_the_boundaries(helper: Helper) -> None:
    value = {"t": (1, 2), "s": {3}, 4: b"x", "big": 10**30, "when": timedelta(hours=1)}
    assert await helper(Echoing, value) == value


async def test_an_argument_that_cannot_travel_is_refused_with_its_path() -> None:
    with pytest.raises(ValueNotSupported, match=r"args\['value'\]\['items'\]\[1\]"):
        await run_in_process(EchoingObject)


async def test_an_input_that_cannot_travel_is_refused() -> None:
    with pytest.raises(ValueNotSupported, match="input cannot be stored"):
        await run_in_process(Echoing, object())


@workflow(name="tt_returning_object")
class ReturningObject(Workflow):
    async def run(self) -> Any:
        return object()


async def test_a_result_that_cannot_travel_is_refused() -> None:
    with pytest.raises(ValueNotSupported, match="returned a value that cannot be stored"):
        await run_in_process(ReturningObject)


# ---- exceptions -----------------------------------------------------------------------------------------------------


@workflow(name="tt_raising")
class Raising(Workflow):
    async def run(self, n: int) -> Any:
        if n < 0:
            raise PaymentDeclined(f"negative amount {n}")
        return await double(n)


@BOTH
async def test_the_workflows_exception_is_raised_with_its_class_and_message(helper: Helper) -> None:
    with pytest.raises(PaymentDeclined, match="negative amount -3"):
        await helper(Raising, -3)


async def test_the_original_traceback_travels_as_a_note() -> None:
    with pytest.raises(PaymentDeclined) as info:
        await run_in_process(Raising, -3)
    assert any("original traceback" in note and "negative amount" in note for note in info.value.__notes__)


@BOTH
async def test_an_exception_class_that_cannot_be_imported_becomes_a_remote_exception(helper: Helper) -> None:
    class LocalError(Exception):
        pass

    with pytest.raises(RemoteException) as info:
        await helper(Arith, 1, overrides={"tt_double": LocalError("only here")})
    assert info.value.class_name.endswith("<locals>.LocalError")
    assert str(info.value) == "only here"


# ---- children and signals -----------------------------------------------------------------------------------------


@workflow(name="tt_child")
class Child(Workflow):
    async def run(self, n: int) -> tuple[int, int]:
        if n == 0:
            raise ZeroDivisionError("child got zero")
        await asyncio.sleep(10)
        return n, await double(n)


@workflow(name="tt_parent")
class Parent(Workflow):
    async def run(self, n: int) -> list[Any]:
        first = await Child().run(n)
        try:
            await Child().run(0)
        except ZeroDivisionError as exc:
            return [first, str(exc)]
        return [first]


@BOTH
async def test_child_workflows_run_in_process_and_their_exceptions_propagate(helper: Helper) -> None:
    trace: list[TraceEvent] = []
    assert await helper(Parent, 4, trace=trace) == [(4, 8), "child got zero"]
    assert [e.name for e in trace if e.kind == "child"] == ["tt_child", "tt_child"]


@workflow(name="tt_approval")
class Approval(Workflow):
    async def run(self, timeout: float | None) -> Any:
        try:
            first = await waymark.wait_for_signal("approved", timeout=timeout)
        except TimeoutError as exc:
            return "no answer: " + str(exc)
        second = await waymark.wait_for_signal("approved", timeout=timeout)
        return [first, second]


@BOTH
async def test_signals_arrive_in_order_at_their_virtual_times(helper: Helper) -> None:
    trace: list[TraceEvent] = []
    signals = [Signal("approved", {"by": "ana"}, at=60), Signal("approved", ("bo", 2), at=120)]
    assert await helper(Approval, None, signals=signals, trace=trace) == [{"by": "ana"}, ("bo", 2)]
    assert [e.time for e in trace if e.kind == "signal"] == [60.0, 120.0]


@BOTH
async def test_signals_sent_before_the_wait_are_kept(helper: Helper) -> None:
    assert await helper(Approval, 5.0, signals=[Signal("approved", 1), Signal("approved", 2)]) == [1, 2]


@BOTH
async def test_a_signal_wait_times_out_in_virtual_time(helper: Helper) -> None:
    result = await helper(Approval, 3600.0, signals=[Signal("approved", 1, at=7200)])
    assert result == "no answer: no signal 'approved' received in time"


@BOTH
async def test_waiting_for_a_signal_that_never_comes_is_reported_not_hung(helper: Helper) -> None:
    with pytest.raises(WorkflowBlocked, match="blocked"):
        await helper(Approval, None, signals={"approved": 1})


# ---- time and concurrency -------------------------------------------------------------------------------------------


@workflow(name="tt_sleepy")
class Sleepy(Workflow):
    async def run(self) -> str:
        await asyncio.sleep(timedelta(days=365))  # type: ignore[call-overload]  # waymark accepts a timedelta
        await asyncio.sleep(0)
        return await self.nap(3 * 24 * 3600)

    async def nap(self, seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "rested"


@BOTH
async def test_sleeps_in_run_and_its_helpers_are_virtual_and_accept_timedeltas(helper: Helper) -> None:
    started = time.monotonic()
    assert await helper(Sleepy) == "rested"
    assert time.monotonic() - started < 30


@action(name="tt_meet")
async def meet(me: str, other: str) -> str:
    raise AssertionError("overridden")


@workflow(name="tt_meeting")
class Meeting(Workflow):
    async def run(self) -> list[str]:
        return list(await asyncio.gather(meet("a", "b"), meet("b", "a")))


@BOTH
async def test_gathered_actions_run_concurrently_on_the_tests_loop(helper: Helper) -> None:
    arrived = {"a": asyncio.Event(), "b": asyncio.Event()}  # bound to this test's loop

    async def rendezvous(me: str, other: str) -> str:
        arrived[me].set()
        await asyncio.wait_for(arrived[other].wait(), 5)  # would time out if the calls ran one after the other
        return f"{me} met {other}"

    assert await helper(Meeting, overrides={"tt_meet": rendezvous}) == ["a met b", "b met a"]


@action(name="tt_who")
async def who() -> list[Any]:
    call = waymark.current_call()
    return [call.workflow_name, call.action, call.attempt, call.idempotency_key]


@workflow(name="tt_asking")
class Asking(Workflow):
    async def run(self) -> list[Any]:
        return [await who(), await who()]


@BOTH
async def test_current_call_is_available_inside_actions(helper: Helper) -> None:
    (first, second) = await helper(Asking)
    assert first[:3] == ["tt_asking", "tt_who", 1]
    assert first[3] != second[3]


@action(name="tt_inner")
async def inner(n: int) -> int:
    return n + 1


@action(name="tt_outer")
async def outer(n: int) -> Any:
    return await inner(n) * 2  # an action calling an action runs it directly, as on a worker


@workflow(name="tt_nesting")
class Nesting(Workflow):
    async def run(self, n: int) -> Any:
        return await outer(n)


async def test_an_action_calling_an_action_runs_it_directly() -> None:
    trace: list[TraceEvent] = []
    assert await run_in_process(Nesting, 1, trace=trace) == 4
    assert [e.name for e in trace if e.kind == "call"] == ["tt_outer"]


async def test_cancelling_the_test_cancels_the_run_and_its_actions() -> None:
    cancelled = asyncio.Event()

    async def hang(n: int) -> int:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return n

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(run_in_process(Arith, 1, overrides={"tt_double": hang}), 0.05)
    await asyncio.wait_for(cancelled.wait(), 5)


# ---- compiler diagnostics -----------------------------------------------------------------------------------------


@workflow(name="tt_nondeterministic")
class Nondeterministic(Workflow):
    async def run(self) -> float:
        return time.time()


async def test_run_in_vm_reports_compiler_diagnostics() -> None:
    with pytest.raises(RegistrationError, match=r"WM\d+"):
        await run_in_vm(Nondeterministic)


async def test_not_a_workflow_is_refused() -> None:
    with pytest.raises(TypeError, match=r"decorated with @waymark\.workflow"):
        await run_in_process(Workflow)


# ---- cancellation -------------------------------------------------------------------------------------------------


@workflow(name="tt_cancellable")
class Cancellable(Workflow):
    async def run(self) -> int:
        try:
            await asyncio.sleep(3600)
        finally:
            await double(21)
        return 0


@BOTH
async def test_cancel_at_cancels_the_run_and_its_finally_blocks_run(helper: Helper) -> None:
    trace: list[TraceEvent] = []
    with pytest.raises(waymark.WorkflowCancelled, match="tt_cancellable was cancelled"):
        await helper(Cancellable, cancel_at=60, trace=trace)
    assert [(e.time, e.name) for e in trace if e.kind == "call"] == [(60.0, "tt_double")]


@workflow(name="tt_slow", timeout=timedelta(minutes=30))
class Slow(Workflow):
    async def run(self, hours: int) -> str:
        try:
            await asyncio.sleep(3600 * hours)
        finally:
            await double(21)
        return "done"


@BOTH
async def test_the_workflow_timeout_cancels_the_run_and_it_ends_timed_out(helper: Helper) -> None:
    trace: list[TraceEvent] = []
    with pytest.raises(waymark.WorkflowTimedOut, match="tt_slow timed out"):
        await helper(Slow, 1, trace=trace)  # the class default: 30 minutes of virtual time
    assert [(e.time, e.name) for e in trace if e.kind == "call"] == [(1800.0, "tt_double")]
    trace.clear()
    with pytest.raises(waymark.WorkflowTimedOut):
        await helper(Slow, 1, workflow_timeout=60, trace=trace)  # a per-run timeout overrides the default
    assert [(e.time, e.name) for e in trace if e.kind == "call"] == [(60.0, "tt_double")]
    assert await helper(Slow, 1, workflow_timeout=timedelta(hours=2)) == "done"  # finished first: no effect
    with pytest.raises(waymark.WorkflowCancelled):  # a cancel before the timeout decides
        await helper(Slow, 1, cancel_at=10)


def test_a_workflow_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"@workflow\(timeout=\) must be more than 0 seconds"):
        workflow(timeout=0)
    with pytest.raises(TypeError, match=r"number of seconds or a datetime\.timedelta"):
        workflow(timeout="1h")  # type: ignore[arg-type]


@waymark.workflow(name="t_bytes_zfill")
class BytesZfill(waymark.Workflow):
    async def run(self, raw: bytes) -> bytes:
        return raw.zfill(3)  # the receiver's type is not known statically: it compiles (WM133 goes by name here)


async def test_a_method_the_vm_lacks_for_the_type_fails_clearly() -> None:
    """bytes.zfill exists in CPython but not in the VM: the run raises CPython's AttributeError for a missing method,
    naming the type and the method (docs/language.md, "Known differences"), never a crash or a wrong value."""
    assert await run_in_process(BytesZfill, b"7") == b"007"
    with pytest.raises(AttributeError, match=r"^'bytes' object has no attribute 'zfill'$"):
        await run_in_vm(BytesZfill, b"7")
