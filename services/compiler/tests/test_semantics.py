"""Differential oracle: every workflow of `fixtures/sem_flows.py` runs natively (CPython, actions called directly)
and compiled, through the reference interpreter (`irvm.py`); results, exceptions and action calls must match."""

from __future__ import annotations

from typing import Any

import pytest
from compiler_support import bundle_of, load
from irvm import Interpreter
from waymark_compiler import check_bundle

MODULE = load("sem_flows")
CASES = [(name, args) for name, cases in MODULE.CASES.items() for args in cases]


def programs() -> dict[str, Any]:
    response = check_bundle(bundle_of("sem_flows"))
    assert not response.diagnostics, "\n\n".join(d.rendered for d in response.diagnostics)
    return {w.workflow_name: w.program for w in response.workflows}


PROGRAMS = programs()


async def outcome(run: Any) -> tuple[str, Any, list[str]]:
    MODULE.LOG.clear()
    try:
        result = await run()
    except Exception as exc:  # the same exception must come out of both
        return "raised", (type(exc).__name__, str(exc)), list(MODULE.LOG)
    return "returned", result, list(MODULE.LOG)


@pytest.mark.parametrize(("name", "args"), CASES, ids=[f"{n}{a}" for n, a in CASES])
async def test_compiled_matches_cpython(name: str, args: tuple[Any, ...]) -> None:
    cls = getattr(MODULE, name)
    native = await outcome(lambda: cls.__waymark_run__(cls(), *args))
    compiled = await outcome(lambda: Interpreter(PROGRAMS[name]).run_with(cls(), *args))
    assert compiled == native


def test_every_workflow_has_cases() -> None:
    assert set(PROGRAMS) == set(MODULE.CASES)
