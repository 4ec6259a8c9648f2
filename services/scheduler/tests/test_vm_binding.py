"""The PyO3 binding end to end: a tiny Program built with waymark_ir.pb, advanced through a sleep and an action."""

from __future__ import annotations

import json
from typing import Any

import pytest
from waymark_ir import pb
from waymark_scheduler import vm


def _const(value: object) -> pb.Expr:
    return pb.Expr(constant=pb.Value(json=json.dumps(value)))


def _program() -> bytes:
    """async def run(self, order_id): await asyncio.sleep(1.5); r = await charge(order_id); return r"""
    code = [
        pb.Instr(line=2, await_=pb.Await(awaitable=pb.Expr(sleep=pb.SleepCall(seconds=_const(1.5))))),
        pb.Instr(
            line=3,
            await_=pb.Await(
                target=pb.Target(slot=2),
                awaitable=pb.Expr(action=pb.ActionCall(action=0, args=[pb.Arg(value=pb.Expr(local=1))])),
            ),
        ),
        pb.Instr(line=4, return_=pb.Return(value=pb.Expr(local=2))),
    ]
    run = pb.Function(
        name="run",
        is_async=True,
        params=[pb.Param(name="order_id", slot=1, kind=pb.ParamKind.POSITIONAL_OR_KEYWORD)],
        locals=["self", "order_id", "r"],
        code=code,
    )
    charge = pb.ActionRef(
        name="charge",
        module="shop",
        qualname="charge",
        params=[pb.Param(name="order_id", slot=0, kind=pb.ParamKind.POSITIONAL_OR_KEYWORD)],
        signature_hash="abc",
    )
    program = pb.Program(
        ir_version=1, workflow_name="Checkout", module="shop", qualname="Checkout", functions=[run], actions=[charge]
    )
    return bytes(program)


def _advance(program: vm.Program, snapshot: bytes | None, events: list[dict[str, Any]]) -> tuple[bytes, vm.Effects]:
    snap, effects = program.advance(snapshot, json.dumps(events).encode())
    assert isinstance(snap, bytes)
    return snap, json.loads(effects)


def test_sleep_then_action_then_result() -> None:
    program = vm.load_program(_program())
    assert program.workflow_name == "Checkout"

    snap, fx = _advance(program, None, [{"kind": "start", "input": {"order_id": 7}}])
    assert fx["status"] == "waiting"
    assert fx["timers"] == [{"seq": 1, "kind": "sleep", "seconds": 1.5}]
    assert fx["actions"] == []
    assert json.loads(snap)["format"] == vm.SNAPSHOT_FORMAT

    snap, fx = _advance(program, snap, [{"kind": "timer", "seq": 1}])
    assert fx["status"] == "running"
    [action] = fx["actions"]
    assert action["seq"] == 2
    assert action["key"] == "charge@abc"
    assert json.loads(action["args"]) == {"order_id": 7}
    assert json.loads(action["policy"])["attempts"] == 1

    snap, fx = _advance(program, snap, [{"kind": "action", "seq": 2, "ok": True, "value": {"$tuple": [1, "ok"]}}])
    assert fx["status"] == "completed"
    assert fx["result"] is not None
    assert json.loads(fx["result"]) == {"$tuple": [1, "ok"]}


def test_missing_argument_fails_the_run_like_cpython() -> None:
    program = vm.Program(_program())
    _, fx = _advance(program, None, [{"kind": "start", "input": {}}])
    assert fx["status"] == "failed"
    assert fx["error"] is not None
    error = json.loads(fx["error"])["$exception"]
    assert error["class"] == "builtins.TypeError"
    assert error["message"] == "Checkout.run() missing 1 required positional argument: 'order_id'"


def test_errors_map_to_typed_exceptions() -> None:
    with pytest.raises(vm.VmProgramError):
        vm.Program(b"\xff\xff\xff")
    program = vm.Program(_program())
    with pytest.raises(vm.VmEventError):
        program.advance(None, b"not json")
    with pytest.raises(vm.VmSnapshotError):
        program.advance(b"{}", b"[]")
    assert issubclass(vm.VmInternalError, vm.VmError)
