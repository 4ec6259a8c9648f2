"""The compiler never crashes: every function body of a few stdlib modules, used as a workflow's `run()`, compiles
to a program or to diagnostics, never to an exception or an internal error (WM000)."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest
from waymark_compiler import compile_bundle
from waymark_ir import pb

STDLIB = Path(sysconfig.get_paths()["stdlib"])
MODULES = [
    "argparse.py",
    "difflib.py",
    "textwrap.py",
    "json/encoder.py",
    "json/decoder.py",
    "fractions.py",
    "statistics.py",
    "shlex.py",
    "string.py",
    "calendar.py",
    "heapq.py",
    "bisect.py",
    "operator.py",
    "ipaddress.py",
    "email/_header_value_parser.py",
    "asyncio/tasks.py",
    "contextlib.py",
    "functools.py",
]


def as_workflow(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    args = function.args
    positional = args.args[1:] if args.args and args.args[0].arg in ("self", "cls") else args.args
    run = ast.AsyncFunctionDef(
        name="run",
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg("self"), *positional],
            vararg=args.vararg,
            kwonlyargs=args.kwonlyargs,
            kw_defaults=args.kw_defaults,
            kwarg=args.kwarg,
            defaults=args.defaults[-len(positional) :] if positional else [],
        ),
        body=function.body,
        decorator_list=[],
        returns=None,
    )
    module = ast.Module(
        body=[ast.ClassDef(name="Fuzz", bases=[], keywords=[], body=[run], decorator_list=[])], type_ignores=[]
    )
    return ast.unparse(ast.fix_missing_locations(module))


@pytest.mark.parametrize("name", MODULES)
def test_stdlib_bodies_never_crash_the_compiler(name: str) -> None:
    path = STDLIB / name
    if not path.exists():
        pytest.skip(f"{name} not in this Python")
    tree = ast.parse(path.read_text())
    count = 0
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.body:
            continue
        try:
            source = as_workflow(node)
        except (ValueError, TypeError, AttributeError):
            continue
        bundle = pb.Bundle(
            module="fuzz", filename="fuzz.py", source=source, workflows=[pb.WorkflowEntry(name="Fuzz", qualname="Fuzz")]
        )
        compiled = compile_bundle(bundle)
        assert not [d for d in compiled.diagnostics if d.code == "WM000"], f"{name}:{node.name}"
        count += 1
    assert count > 0
