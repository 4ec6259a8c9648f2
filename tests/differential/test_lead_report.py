"""The workflow the lead reported (corpus/diff_class_semantics.py `Lead`): both helpers must give exactly what plain
CPython printed for it, not only agree with each other."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from waymark.testing import run_in_process, run_in_vm

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from corpus.diff_class_semantics import Lead, LeadInWorkflow  # type: ignore[import-not-found]  # noqa: E402

CPYTHON = {
    "t": [True, 3, True, "2", "2", 2, "PRO"],
    "h": 1,
    "e": ["A", 1, "A is out of stock (1 left)", ("A is out of stock (1 left)",)],
}


@pytest.mark.parametrize("helper", [run_in_process, run_in_vm], ids=["in_process", "in_vm"])
async def test_the_lead_workflow_gives_what_cpython_gives(helper: object) -> None:
    result = await helper(Lead)  # type: ignore[operator]
    assert result == CPYTHON
    assert type(result["e"][3]) is tuple


@pytest.mark.parametrize("helper", [run_in_process, run_in_vm], ids=["in_process", "in_vm"])
async def test_the_lead_exception_built_in_the_workflow(helper: object) -> None:
    assert await helper(LeadInWorkflow, 2) == ["A", 2, "A is out of stock (2 left)", ("A is out of stock (2 left)",)]  # type: ignore[operator]
