"""WM126: the compiler refuses exactly what the VM could not load, so a workflow that compiles always runs. The
boundary is checked against the real VM (its program decoder nests at most 100 messages deep)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from waymark._bundle import bundles_for_modules
from waymark.testing import run_in_vm
from waymark_compiler import check_bundle
from waymark_compiler.limits import VM_MAX_NESTING, program_nesting
from waymark_ir import pb


def sum_workflow(tmp_path: Path, terms: int) -> type:
    name = f"limits_sum_{terms}"
    expression = " + ".join(["a"] * terms)
    (tmp_path / f"{name}.py").write_text(
        "from waymark import Workflow, workflow\n\n\n"
        f"@workflow(name={name!r})\n"
        f"class Sum{terms}(Workflow):\n"
        "    async def run(self, a: int) -> int:\n"
        f"        return {expression}\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
    cls: type = getattr(module, f"Sum{terms}")
    return cls


def largest_loadable_sum() -> int:
    """Terms of `a + a + ...` whose program nests exactly as deep as the VM decodes (each `+` adds two levels)."""
    return 49


async def test_the_deepest_program_that_compiles_runs(tmp_path: Path) -> None:
    cls = sum_workflow(tmp_path, largest_loadable_sum())
    [bundle] = bundles_for_modules([sys.modules[cls.__module__]])
    response = check_bundle(bundle)
    assert not response.diagnostics
    depth = max(depth for _, depth in program_nesting(response.workflows[0].program))
    assert depth - 1 == VM_MAX_NESTING, "this workflow sits exactly at the VM's limit"
    assert await run_in_vm(cls, a=1) == largest_loadable_sum()


def test_one_level_deeper_is_refused_with_a_location(tmp_path: Path) -> None:
    cls = sum_workflow(tmp_path, largest_loadable_sum() + 1)
    [bundle] = bundles_for_modules([sys.modules[cls.__module__]])
    [diagnostic] = check_bundle(bundle).diagnostics
    assert diagnostic.code == "WM126"
    assert (diagnostic.line, diagnostic.col) == (7, 9)
    assert "the VM loads at most 100" in diagnostic.message
    assert diagnostic.help.startswith("split the expression")


@pytest.mark.parametrize("terms", [200, 5000])
def test_far_deeper_code_is_refused_not_crashed(tmp_path: Path, terms: int) -> None:
    source = (
        "from waymark import Workflow\n\nclass Deep(Workflow):\n    async def run(self, a):\n        return "
        + " if a else ".join(["1"] * terms)
        + "\n"
    )
    bundle = pb.Bundle(
        module="deep", filename="deep.py", source=source, workflows=[pb.WorkflowEntry(name="Deep", qualname="Deep")]
    )
    codes = {d.code for d in check_bundle(bundle).diagnostics}
    assert codes in ({"WM126"}, {"WM001"}), codes  # the parser itself may refuse the deepest
