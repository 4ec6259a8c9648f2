"""Cancellation (`handle.cancel()`, here `cancel_at=`): CancelledError at the current await, finally blocks that await
cleanup actions, a run that catches the cancellation, cancelling sleeps, gathers, signal waits and children."""

from __future__ import annotations

import asyncio

import waymark
from waymark import Workflow, action, workflow
from waymark.testing import Signal

from .diffcase import case


@action(name="d_cancel_log")
async def log(event: str) -> str:
    return event


@workflow(name="d_cancel_cleanup")
class Cleanup(Workflow):
    async def run(self) -> str:
        await log("start")
        try:
            await asyncio.sleep(3600)
            await log("woke up")
        finally:
            await log("cleanup")
        return "done"


@workflow(name="d_cancel_caught")
class Caught(Workflow):
    async def run(self) -> list[str]:
        steps = []
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            steps.append("cancelled")
            steps.append(await log("after cancel"))
            await asyncio.sleep(10)
        steps.append("finished")
        return steps


@workflow(name="d_cancel_gather")
class Gather(Workflow):
    async def run(self) -> str:
        try:
            await asyncio.gather(asyncio.sleep(100), log("arm"), asyncio.sleep(5000))
        finally:
            await log("gather cleanup")
        return "gathered"


@workflow(name="d_cancel_signal")
class SignalWait(Workflow):
    async def run(self) -> object:
        try:
            return await waymark.wait_for_signal("go")
        except asyncio.CancelledError:
            await log("gave up waiting")
            raise


@workflow(name="d_cancel_child")
class Child(Workflow):
    async def run(self) -> str:
        try:
            await asyncio.sleep(3600)
        finally:
            await log("child cleanup")
        return "child done"


@workflow(name="d_cancel_parent")
class Parent(Workflow):
    async def run(self) -> str:
        try:
            return await Child().run()
        finally:
            await log("parent cleanup")


CASES = [
    case("cleanup", Cleanup, cancel_at=60, raises="waymark.WorkflowCancelled"),
    case("too_late", Cleanup, cancel_at=7200),
    case("caught", Caught, cancel_at=5),
    case("gather", Gather, cancel_at=200, raises="waymark.WorkflowCancelled"),
    case("signal", SignalWait, cancel_at=30, raises="waymark.WorkflowCancelled"),
    case("signal_arrives_first", SignalWait, cancel_at=30, signals=[Signal("go", 1, at=10)]),
    # A child is a run of its own: the VM stops waiting for it and cancels it, where CPython's parent task waits for
    # the child task to finish its cleanup first. Both cleanups happen; their order differs.
    case("child", Parent, cancel_at=100, raises="waymark.WorkflowCancelled", unordered=True),
]
