"""The differential oracle (CONVENTIONS "Tests"): every fixture workflow of `corpus/diff_*.py` runs through
`waymark.testing.run_in_process` (plain Python) and `run_in_vm` (the real compiler and the real Rust VM); both must
return the same value (same tagged encoding: same types, same dict order) or raise the same exception class with
the same message, after the same action calls with the same arguments at the same virtual times.

One corpus module per construct family. A case the compiler or the VM does not support yet carries
`xfail="reason"` (strict: it must really fail).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from waymark.testing import TraceEvent, run_in_process, run_in_vm
from waymark_ir import values
from waymark_ir.values import RemoteException

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from corpus.diffcase import Case  # type: ignore[import-not-found]  # noqa: E402

MODULES = sorted(path.stem for path in CORPUS.glob("diff_*.py"))


def _params() -> list[Any]:
    params = []
    for name in MODULES:
        module = importlib.import_module(f"corpus.{name}")
        for item in module.CASES:
            marks = [pytest.mark.xfail(strict=True, reason=item.xfail)] if item.xfail else []
            params.append(pytest.param(item, id=f"{name.removeprefix('diff_')}:{item.label}", marks=marks))
    return params


Outcome = tuple[tuple[str, str, str], list[tuple[float, str, str]]]


async def run(helper: Any, item: Case) -> Outcome:
    trace: list[TraceEvent] = []
    try:
        result = await helper(
            item.workflow,
            *item.args,
            overrides=item.overrides,
            signals=item.signals,
            cancel_at=item.cancel_at,
            trace=trace,
            **item.kwargs,
        )
        ending = ("returned", values.dumps(result), "")
    except Exception as exc:
        name = exc.class_name if isinstance(exc, RemoteException) else values.class_name_of(type(exc))
        # the instance attributes too (`self.sku = sku`), as they travel; not the note with the original traceback
        # that run_in_process adds for the test's report
        attrs = values.encode(exc).get("$exception", {}).get("attrs", {})
        notes = [n for n in attrs.pop("__notes__", []) if not str(n).startswith("waymark.testing:")]
        if notes:
            attrs["__notes__"] = notes
        ending = ("raised", name, str(exc), values.dumps(attrs))
    calls = [(round(e.time, 6), e.name, values.dumps(e.detail)) for e in trace if e.kind == "call"]
    return ending, calls


@pytest.mark.parametrize("item", _params())
async def test_in_process_and_in_vm_agree(item: Case) -> None:
    native = await run(run_in_process, item)
    expected = ("raised", item.raises) if item.raises else ("returned",)
    assert native[0][: len(expected)] == expected, f"the in-process run itself did not go as the case says: {native}"
    compiled = await run(run_in_vm, item)
    assert compiled[0] == native[0]
    if item.unordered:
        assert sorted(compiled[1]) == sorted(native[1])
    else:
        assert compiled[1] == native[1]


def test_the_corpus_is_not_empty() -> None:
    assert len(_params()) >= 50
