"""Signals (buffered, timed out) and child workflows (results and failures)."""

from __future__ import annotations

import asyncio

import waymark
from waymark import Workflow, action, workflow
from waymark.testing import Signal

from .diffcase import case


class Rejected(Exception):
    pass


@action(name="d_sc_notify")
async def notify(who: str) -> str:
    return f"notified {who}"


@workflow(name="d_sc_approval")
class Approval(Workflow):
    async def run(self, timeout: float) -> list[object]:
        await notify("manager")
        try:
            decision = await waymark.wait_for_signal("decision", timeout=timeout)
        except TimeoutError as exc:
            return ["timed out", str(exc)]
        if decision.get("approved"):
            return ["approved by", decision["by"], await notify(decision["by"])]
        raise Rejected(f"rejected by {decision['by']}")


@workflow(name="d_sc_child")
class Child(Workflow):
    async def run(self, n: int) -> dict[str, int]:
        await asyncio.sleep(n)
        if n > 100:
            raise Rejected(f"child cannot take {n}")
        return {"n": n, "double": n * 2}


@workflow(name="d_sc_parent")
class Parent(Workflow):
    async def run(self, ns: list[int]) -> list[object]:
        results: list[object] = []
        for n in ns:
            try:
                results.append(await Child().run(n))
            except Rejected as exc:
                results.append(f"child failed: {exc}")
        results.append(await notify("parent"))
        return results


@workflow(name="d_sc_parent_uncaught")
class ParentUncaught(Workflow):
    async def run(self, n: int) -> object:
        return await Child().run(n=n)


CASES = [
    case("approved", Approval, 3600.0, signals=[Signal("decision", {"approved": True, "by": "ana"}, at=60)]),
    case(
        "rejected",
        Approval,
        3600.0,
        signals={"decision": {"approved": False, "by": "bo"}},
        raises="corpus.diff_signals_children.Rejected",
    ),
    case("timed_out", Approval, 60.0, signals=[Signal("decision", {"approved": True, "by": "late"}, at=120)]),
    case("children", Parent, [1, 500, 3]),
    case("child_uncaught", ParentUncaught, 1000, raises="corpus.diff_signals_children.Rejected"),
]
