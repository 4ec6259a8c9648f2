"""`run_in_vm`: a workflow through the real compiler and the real Rust VM, in memory.

The compiler and the VM are services; the SDK reaches them only through the `waymark.plugins` entry points
(`compiler`: `check_bundle(bundle) -> CheckResponse`, `vm`: `load_program(bytes) -> Program`), never by import
(ARCHITECTURE.md, "Repository layout and layering").

The driver plays the scheduler, the workers and the timer service at once, on the virtual-time loop: it advances
the VM with a batch of events, starts what the effects ask for (action calls through the same `ActionRunner` as
`run_in_process`, timers as virtual sleeps, child workflows as nested drives), and feeds the outcomes back as events
until the run ends. Outcomes that are ready together go into one advance, as the scheduler does; every second
advance also waits one loop turn before collecting, so that batches of several outcomes are exercised too.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable, Coroutine
from importlib.metadata import entry_points
from typing import Any, Protocol

import orjson

from waymark._bundle import BundleError, bundles_for_workflows
from waymark._errors import RegistrationError
from waymark._inprocess_actions import ActionRunner
from waymark._inprocess_runtime import Signal, cancelled, encode_signal_value, timed_out
from waymark._registry import ACTIONS, WORKFLOWS
from waymark._worker.execute import CallPolicy, encode_exception, final_event
from waymark._workflow import Workflow

TERMINAL = frozenset({"completed", "failed", "cancelled", "timed_out"})


class Program(Protocol):
    def advance(self, snapshot: bytes | None, events: bytes) -> tuple[bytes, bytes]: ...


_programs: weakref.WeakKeyDictionary[type[Workflow], Program] = weakref.WeakKeyDictionary()


def _plugin(name: str, package: str) -> Callable[[Any], Any]:
    for point in entry_points(group="waymark.plugins", name=name):
        loaded: Callable[[Any], Any] = point.load()
        return loaded
    raise RuntimeError(
        f"waymark.testing.run_in_vm needs the `{name}` plugin, which the {package} package provides; "
        f"install it (the `waymark` distribution includes it)"
    )


def load_program(cls: type[Workflow]) -> Program:
    """Compile `cls` (once per class) and load it into the VM. Diagnostics raise RegistrationError."""
    cached = _programs.get(cls)
    if cached is not None:
        return cached
    check = _plugin("compiler", "waymark-compiler")
    load = _plugin("vm", "waymark-scheduler")
    try:
        bundle = bundles_for_workflows([cls])[0]
    except BundleError as exc:
        raise RegistrationError(
            f"cannot compile workflow {cls.__waymark_name__}: {exc}", workflow=cls.__waymark_name__
        ) from None
    response = check(bundle)
    if response.diagnostics:
        rendered = "\n\n".join(d.rendered or f"{d.code} {d.message}" for d in response.diagnostics)
        raise RegistrationError(
            f"the compiler rejected {bundle.module}:\n\n{rendered}",
            diagnostics=[d.to_dict() for d in response.diagnostics],
        )
    for compiled in response.workflows:
        if compiled.workflow_name == cls.__waymark_name__:
            program: Program = load(bytes(compiled.program))
            _programs[cls] = program
            return program
    raise RegistrationError(f"the compiler returned no program for workflow {cls.__waymark_name__}")


class _Crash:
    """Put on the outcome queue when a driver task itself fails (not an action: the driver)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


async def drive_vm(
    program: Program,
    cls: type[Workflow],
    input_json: str,
    runner: ActionRunner,
    signals: list[Signal],
    cancel_at: float | None = None,
    cancel: asyncio.Event | None = None,
    timeout: float | None = None,
) -> tuple[bool, str, str]:
    """Run one workflow run to its end; (ok, tagged JSON of the result or exception, traceback text). The run is
    cancelled (a `cancel` event) at virtual time `cancel_at`, or when `cancel` is set (a parent gave up on it), and
    gets a `timeout` event at virtual time `timeout` (its workflow timeout)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | _Crash] = asyncio.Queue()
    tasks: dict[tuple[str, int], asyncio.Task[None]] = {}
    handles = []
    cancel = cancel or asyncio.Event()
    child_cancels: dict[int, asyncio.Event] = {}
    detached: list[asyncio.Task[None]] = []  # cancelled children, finishing their own cleanup

    async def forward_cancel() -> None:
        await cancel.wait()
        queue.put_nowait('{"kind":"cancel"}')

    def spawn(key: tuple[str, int], work: Callable[[], Coroutine[Any, Any, str]]) -> None:
        # `work` is a factory: a task cancelled before its first step never runs its body, so a coroutine made
        # up front would be left "never awaited".
        async def guarded() -> None:
            try:
                queue.put_nowait(await work())
            except Exception as exc:  # noqa: BLE001 - a driver failure ends the drive (raised there)
                queue.put_nowait(_Crash(exc))
            finally:
                tasks.pop(key, None)

        tasks[key] = loop.create_task(guarded())

    async def action(effect: dict[str, Any]) -> str:
        definition = ACTIONS.get(effect["action"])
        if definition is None:
            raise LookupError(
                f"workflow {cls.__waymark_name__} calls action {effect['action']!r}, which is not "
                "registered in this process"
            )
        if definition.key != effect["key"]:
            raise RuntimeError(
                f"action {definition.name}: the VM asks for {effect['key']}, this process has "
                f"{definition.key} (the program was compiled against another signature)"
            )
        policy = CallPolicy.parse(effect["policy"], effect["max_attempts"], effect["timeout_seconds"])
        ok, payload, _ = await runner.run_call(definition, effect["args"], policy, effect["seq"])
        return final_event(effect["seq"], ok, payload)

    async def timer(seq: int, seconds: float) -> str:
        await asyncio.sleep(seconds)
        return f'{{"kind":"timer","seq":{seq}}}'

    async def child(effect: dict[str, Any]) -> str:
        child_cls = WORKFLOWS.get(effect["workflow"])
        if child_cls is None:
            raise LookupError(
                f"workflow {cls.__waymark_name__} starts child workflow {effect['workflow']!r}, "
                "which is not registered in this process"
            )
        child_runner = runner.child(child_cls.__waymark_name__)
        runner.record("child", child_cls.__waymark_name__, detail=orjson.loads(effect["args"]))
        child_cancel = child_cancels[effect["seq"]] = asyncio.Event()
        ok, payload, _ = await drive_vm(
            load_program(child_cls), child_cls, effect["args"], child_runner, [], cancel=child_cancel
        )
        body = orjson.dumps({"kind": "child", "seq": effect["seq"], "ok": ok}).decode()[:-1]
        return f'{body},"{"value" if ok else "error"}":{payload}}}'

    for signal in signals:
        text = encode_signal_value(signal)
        head = orjson.dumps({"kind": "signal", "name": signal.name}).decode()[:-1]
        handles.append(loop.call_at(loop.time() + signal.at, _deliver_signal, runner, queue, signal, head, text))

    if cancel_at is not None:
        handles.append(loop.call_at(loop.time() + cancel_at, cancel.set))
    if timeout is not None:
        handles.append(loop.call_at(loop.time() + timeout, queue.put_nowait, '{"kind":"timeout"}'))
    watcher = loop.create_task(forward_cancel())

    events = [f'{{"kind":"start","input":{input_json}}}']
    snapshot: bytes | None = None
    advances = 0
    try:
        while True:
            snapshot, raw = program.advance(snapshot, ("[" + ",".join(events) + "]").encode())
            advances += 1
            effects = orjson.loads(raw)
            for seq in effects.get("cancel") or ():
                for kind in ("action", "timer"):
                    task = tasks.pop((kind, seq), None)
                    if task is not None:
                        task.cancel()
                child_task = tasks.pop(("child", seq), None)
                if child_task is not None:  # a child is a run of its own: it is cancelled, not killed
                    child_cancels[seq].set()
                    detached.append(child_task)
            for effect in effects.get("actions") or ():
                spawn(("action", effect["seq"]), functools.partial(action, effect))
            for effect in effects.get("timers") or ():
                spawn(("timer", effect["seq"]), functools.partial(timer, effect["seq"], effect["seconds"]))
            for effect in effects.get("children") or ():
                spawn(("child", effect["seq"]), functools.partial(child, effect))
            status = effects["status"]
            if status in TERMINAL:
                if status == "completed":
                    return True, effects.get("result") or "null", ""
                if status == "cancelled":  # what the client raises for a cancelled run, in both helpers
                    return False, encode_exception(cancelled(cls.__waymark_name__)), ""
                if status == "timed_out":
                    return False, encode_exception(timed_out(cls.__waymark_name__)), ""
                return False, effects["error"], ""
            events = await _next_batch(queue, settle=advances % 2 == 0)
    finally:
        for handle in handles:
            handle.cancel()
        watcher.cancel()
        for task in list(tasks.values()):
            task.cancel()
        current = asyncio.current_task()
        if detached and current is not None and not current.cancelling():
            await asyncio.gather(*detached, return_exceptions=True)  # as the scheduler would finish them
        for task in detached:
            task.cancel()


def _deliver_signal(
    runner: ActionRunner, queue: asyncio.Queue[str | _Crash], signal: Signal, head: str, text: str
) -> None:
    runner.record("signal", signal.name, detail=signal.value)
    queue.put_nowait(f'{head},"value":{text}}}')


async def _next_batch(queue: asyncio.Queue[str | _Crash], *, settle: bool) -> list[str]:
    batch = [await queue.get()]
    if settle:
        await asyncio.sleep(0)
    while not queue.empty():
        batch.append(queue.get_nowait())
    for item in batch:
        if isinstance(item, _Crash):
            raise item.error
    return [item for item in batch if isinstance(item, str)]
