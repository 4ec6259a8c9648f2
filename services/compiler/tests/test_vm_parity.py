"""The differential fixtures through the real pipeline: `waymark.testing.run_in_process` (CPython) against
`run_in_vm` (this compiler + the Rust VM, loaded through the `waymark.plugins` entry points)."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest
from compiler_support import load

MODULE = load("sem_flows")
HAS_VM = any(True for _ in entry_points(group="waymark.plugins", name="vm"))
KNOWN_VM_GAPS: dict[str, str] = {}
CASES = [
    pytest.param(
        name,
        args,
        id=f"{name}{args}",
        marks=[pytest.mark.xfail(reason=KNOWN_VM_GAPS[f"{name}{args}"])] if f"{name}{args}" in KNOWN_VM_GAPS else [],
    )
    for name, cases in MODULE.CASES.items()
    for args in cases
]


async def outcome(run: Any) -> tuple[Any, ...]:
    MODULE.LOG.clear()
    try:
        result = await run()
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc), list(MODULE.LOG))
    return ("returned", result, list(MODULE.LOG))


@pytest.mark.skipif(not HAS_VM, reason="the vm plugin (waymark-scheduler) is not installed")
@pytest.mark.parametrize(("name", "args"), CASES)
async def test_vm_matches_cpython(name: str, args: tuple[Any, ...]) -> None:
    from waymark.testing import run_in_process, run_in_vm

    cls = getattr(MODULE, name)
    expected = await outcome(lambda: run_in_process(cls, *args))
    actual = await outcome(lambda: run_in_vm(cls, *args))
    assert actual == expected
