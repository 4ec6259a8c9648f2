"""Hypothesis-generated workflows through the differential oracle (CONVENTIONS "Tests": "hypothesis-generated
programs for the VM"). Each example is the source of a small `run()` over ints, floats, a string and a list
(assignments, arithmetic, comparisons, if/else, for loops, try/except, an action call), written to a module file,
imported, and run by `run_in_process` and `run_in_vm`: same result, or same exception class and message.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import waymark
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from waymark.testing import run_in_process, run_in_vm
from waymark_ir import values
from waymark_ir.values import RemoteException

EXAMPLES = int(os.environ.get("WAYMARK_GENERATED_EXAMPLES", "60"))  # more for a bug hunt: 1000 take ~25 s
INT_VARS = ("a", "b")
NUM_VARS = ("a", "b", "f")


@waymark.action(name="gen_bump")
async def bump(n: Any) -> Any:
    return n + 1


def _int_expr() -> st.SearchStrategy[str]:
    leaves = st.sampled_from([*INT_VARS, "len(xs)", "len(s)"]) | st.integers(-20, 20).map(str)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "//", "%"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        calls = st.tuples(st.sampled_from(["abs", "-"]), inner).map(
            lambda t: f"abs({t[1]})" if t[0] == "abs" else f"(-{t[1]})"
        )
        pairs = st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})")
        return binary | calls | pairs

    return st.recursive(leaves, extend, max_leaves=4)


def _num_expr() -> st.SearchStrategy[str]:
    leaves = st.sampled_from(list(NUM_VARS)) | st.sampled_from(["0.5", "2.0", "-1.25", "3"])
    return st.recursive(
        leaves,
        lambda inner: st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        max_leaves=3,
    )


def _cond() -> st.SearchStrategy[str]:
    compare = st.tuples(_int_expr(), st.sampled_from(["<", "<=", "==", "!=", ">"]), _int_expr()).map(" ".join)
    return (
        compare
        | compare.map(lambda c: f"not ({c})")
        | st.tuples(compare, st.sampled_from(["and", "or"]), compare).map(" ".join)
    )


def _simple_statement() -> st.SearchStrategy[list[str]]:
    return st.one_of(
        st.tuples(st.sampled_from(INT_VARS), _int_expr()).map(lambda t: [f"{t[0]} = {t[1]}"]),
        _num_expr().map(lambda e: [f"f = {e}"]),
        _int_expr().map(lambda e: [f"xs.append({e})"]),
        _int_expr().map(lambda e: [f"s = s + str({e})"]),
        st.sampled_from(INT_VARS).map(lambda v: [f"{v} = await bump({v})"]),
        st.just(["xs.sort()"]),
        st.just(["s = f'{s[-6:]}|{a}'"]),
    )


def _statement() -> st.SearchStrategy[list[str]]:
    def indent(lines: list[str]) -> list[str]:
        return ["    " + line for line in lines]

    def extend(inner: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
        block = st.lists(inner, min_size=1, max_size=2).map(lambda blocks: [line for b in blocks for line in b])
        return st.one_of(
            st.tuples(_cond(), block, block).map(lambda t: [f"if {t[0]}:", *indent(t[1]), "else:", *indent(t[2])]),
            st.tuples(st.integers(0, 3), block).map(lambda t: [f"for _ in range({t[0]}):", *indent(t[1])]),
            block.map(lambda b: ["try:", *indent(b), "except ZeroDivisionError as exc:", "    s = s + str(exc)[:8]"]),
        )

    return st.recursive(_simple_statement(), extend, max_leaves=5)


programs = st.lists(_statement(), min_size=1, max_size=6).map(lambda blocks: [line for b in blocks for line in b])
_counter = itertools.count()


def _load(tmp: Path, body: list[str]) -> type[waymark.Workflow]:
    number = next(_counter)
    name = f"gen_flow_{number}"
    source = textwrap.dedent(f"""\
        import sys
        from typing import Any

        from waymark import Workflow, workflow

        bump = sys.modules[{__name__!r}].bump


        @workflow(name="{name}")
        class Generated(Workflow):
            async def run(self, a: int, b: int, f: float, s: str, xs: list[Any]) -> Any:
        """) + "".join(f"        {line}\n" for line in [*body, "return [a, b, f, s, xs]"])
    path = tmp / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    cls: type[waymark.Workflow] = module.Generated
    return cls


async def _outcome(helper: Any, cls: type[waymark.Workflow]) -> tuple[str, ...]:
    try:
        result = await helper(cls, 3, -7, 1.5, "x", [2, 1])
    except Exception as exc:
        name = exc.class_name if isinstance(exc, RemoteException) else values.class_name_of(type(exc))
        return ("raised", name, str(exc))
    return ("returned", values.dumps(result))


GENERATED = Path(__file__).parent / ".generated"  # git-ignored; the compiler reads a module's source from its file


def _folder() -> Path:
    GENERATED.mkdir(exist_ok=True)
    (GENERATED / ".gitignore").write_text("*\n")
    return GENERATED


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
async def test_generated_programs_agree(body: list[str]) -> None:
    cls = _load(_folder(), body)
    native = await _outcome(run_in_process, cls)
    compiled = await _outcome(run_in_vm, cls)
    assert compiled == native, "\n".join(body)
