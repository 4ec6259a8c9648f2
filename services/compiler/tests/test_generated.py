"""Generated workflows (program_gen.py): CPython and the compiled program (reference interpreter, and the Rust VM
when installed) must agree on results, exceptions and action calls."""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from irvm import Interpreter
from program_gen import module_source
from waymark._bundle import bundles_for_workflows, workflows_in_module
from waymark_compiler import check_bundle

SEEDS = list(range(120))
VM_SEEDS = SEEDS[:30]  # run_in_vm drives a virtual-time loop per run: slower
HAS_VM = any(True for _ in entry_points(group="waymark.plugins", name="vm"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("generated")
    (folder / "gen_programs.py").write_text(module_source(SEEDS, "Gen"))
    sys.path.insert(0, str(folder))
    try:
        module = importlib.import_module("gen_programs")
    finally:
        sys.path.remove(str(folder))
    [bundle] = bundles_for_workflows(workflows_in_module(module))
    response = check_bundle(bundle)
    assert not response.diagnostics, "\n\n".join(d.rendered for d in response.diagnostics[:3])
    return module, {w.workflow_name: w.program for w in response.workflows}


async def outcome(run: Any) -> tuple[Any, ...]:
    support = importlib.import_module("gen_support")
    support.CALLS.clear()
    try:
        result = await run()
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc), list(support.CALLS))
    return ("returned", result, list(support.CALLS))


def source_of(seed: int) -> str:
    return module_source([seed], "Gen")


@pytest.mark.parametrize("seed", SEEDS)
async def test_generated_program(seed: int, generated: tuple[Any, dict[str, Any]]) -> None:
    module, programs = generated
    cls = getattr(module, f"Gen{seed}")
    for args in ((1, 2), (5, -3)):
        native = await outcome(lambda args=args: cls.__waymark_run__(cls(), *args))
        compiled = await outcome(lambda args=args: Interpreter(programs[f"Gen{seed}"]).run_with(cls(), *args))
        assert compiled == native, source_of(seed)


@pytest.mark.skipif(not HAS_VM, reason="the vm plugin (waymark-scheduler) is not installed")
@pytest.mark.parametrize("seed", VM_SEEDS)
async def test_generated_program_in_vm(seed: int, generated: tuple[Any, dict[str, Any]]) -> None:
    from waymark.testing import run_in_process, run_in_vm

    module, _ = generated
    cls = getattr(module, f"Gen{seed}")
    for args in ((1, 2), (5, -3)):
        expected = await outcome(lambda args=args: run_in_process(cls, *args))
        actual = await outcome(lambda args=args: run_in_vm(cls, *args))
        assert actual == expected, source_of(seed)


def test_sources_are_reproducible() -> None:
    assert module_source([7], "Gen") == module_source([7], "Gen")
    assert Path(__file__).exists()
