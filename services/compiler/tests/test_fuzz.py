"""Fuzzing the whole `check_bundle` path: generated workflows (random ASTs over the names of a real manifest), token
and AST mutations of every valid fixture, random text, and hand-picked extremes. The compiler must never raise and
never report an internal error (WM000): it returns a program or diagnostics, and every diagnostic is well formed.
A program it returns must load in the VM (if it compiles, it runs)."""

from __future__ import annotations

import ast
import importlib
import io
import keyword
import os
import re
import tokenize
from collections.abc import Callable
from functools import cache
from importlib.metadata import entry_points
from typing import Any

import pytest
from compiler_support import FIXTURES
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from waymark._bundle import bundles_for_modules
from waymark_compiler import check_bundle
from waymark_ir import pb

#: `WAYMARK_FUZZ_EXAMPLES=5000` for a longer hunt than CI's.
FUZZ = settings(
    max_examples=int(os.environ.get("WAYMARK_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


# ---- the oracle ------------------------------------------------------------------------------------------------


@cache
def base_manifest() -> tuple[pb.ManifestEntry, ...]:
    [bundle] = bundles_for_modules([importlib.import_module("fuzz_base")])
    return tuple(bundle.manifest)


@cache
def vm_loader() -> Callable[[bytes], Any]:
    [point] = entry_points(group="waymark.plugins", name="vm")
    loader: Callable[[bytes], Any] = point.load()
    return loader


def assert_only_diagnostics(bundle: pb.Bundle) -> pb.CheckResponse:
    response = check_bundle(bundle)  # raising fails the test: the compiler must never crash
    lines = bundle.source.splitlines() or [""]
    for d in response.diagnostics:
        assert d.code != "WM000", f"internal error: {d.message}\n--- source ---\n{bundle.source}"
        assert re.fullmatch(r"WM\d{3}", d.code)
        assert d.message and d.help, d
        assert 1 <= d.line <= max(len(lines), 1) + 1 and d.col >= 1, d
        assert d.end_line >= d.line, d
        assert d.rendered.startswith(f"{d.code} {d.message}"), d
        assert f"= help: {d.help}" in d.rendered, d
    if response.diagnostics:
        assert not response.workflows, "a bundle with diagnostics compiles no workflow"
    for workflow in response.workflows:
        assert workflow.program is not None
        vm_loader()(bytes(workflow.program))  # if it compiles, the VM loads it
    return response


def bundle_for(source: str, *, workflows: tuple[str, ...] = ("Fuzz",)) -> pb.Bundle:
    return pb.Bundle(
        module="fuzz_base",
        filename="fuzz.py",
        source=source,
        workflows=[pb.WorkflowEntry(name=name, qualname=name) for name in workflows],
        manifest=list(base_manifest()),
    )


# ---- generated workflows -------------------------------------------------------------------------------------------

LOCALS = ["a", "b", "x", "rest", "kw", "self", "total", "item"]
ODD_NAMES = ["nope", "café", "π", "ℌ", "_", "__name__", "print", "len", "Ellipsis", "NotImplemented"]
ATTRS = ["x", "now", "append", "get", "items", "run", "model_dump", "sleep", "__class__", "real", "RED", "total"]


@cache
def manifest_names() -> list[str]:
    return sorted({entry.path for entry in base_manifest()})


def dotted(path: str) -> ast.expr:
    head, *rest = path.split(".")
    node: ast.expr = ast.Name(head, ast.Load())
    for attr in rest:
        node = ast.Attribute(node, attr, ast.Load())
    return node


names = st.one_of(
    st.sampled_from(LOCALS).map(lambda n: ast.Name(n, ast.Load())),
    st.sampled_from(ODD_NAMES).map(lambda n: ast.Name(n, ast.Load())),
    st.deferred(lambda: st.sampled_from(manifest_names())).map(dotted),
)
constants = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**63, 10**30]),  # (ints beyond 4300 digits: `ast.unparse` cannot print them; EXTREMES)
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.binary(max_size=6),
    st.sampled_from([None, True, False, ...]),
    st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False),
).map(ast.Constant)
leaves: st.SearchStrategy[ast.expr] = st.one_of(names, constants)

BINOPS = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.BitAnd, ast.BitOr, ast.LShift]
CMPOPS = [ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.In, ast.NotIn, ast.Is, ast.IsNot]


def _store(target: ast.expr) -> ast.expr:
    """The same target in store context (names, attributes, subscripts, tuples and starred)."""
    if isinstance(target, ast.Name):
        return ast.Name(target.id, ast.Store())
    if isinstance(target, ast.Attribute):
        return ast.Attribute(target.value, target.attr, ast.Store())
    if isinstance(target, ast.Subscript):
        return ast.Subscript(target.value, target.slice, ast.Store())
    return ast.Name("x", ast.Store())


def _comprehension(elt: ast.expr, it: ast.expr, cond: ast.expr | None) -> list[ast.comprehension]:
    return [ast.comprehension(ast.Name("item", ast.Store()), it, [cond] if cond is not None else [], 0)]


def extend_expr(inner: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    args = st.lists(st.one_of(inner, inner.map(lambda e: ast.Starred(e, ast.Load()))), max_size=3)
    kwargs = st.lists(
        st.builds(ast.keyword, st.one_of(st.none(), st.sampled_from(["timeout", "retry", "key", "x", "tz"])), inner),
        max_size=2,
    )
    return st.one_of(
        st.builds(ast.BinOp, inner, st.sampled_from(BINOPS).map(lambda op: op()), inner),
        st.builds(ast.UnaryOp, st.sampled_from([ast.Not, ast.USub, ast.Invert]).map(lambda op: op()), inner),
        st.builds(
            ast.BoolOp, st.sampled_from([ast.And, ast.Or]).map(lambda op: op()), st.lists(inner, min_size=2, max_size=3)
        ),
        st.builds(lambda a, op, b: ast.Compare(a, [op()], [b]), inner, st.sampled_from(CMPOPS), inner),
        st.builds(ast.Call, inner, args, kwargs),
        st.builds(ast.Call, names, args, kwargs),
        st.builds(lambda v, a: ast.Attribute(v, a, ast.Load()), inner, st.sampled_from(ATTRS)),
        st.builds(
            lambda v, s: ast.Subscript(v, s, ast.Load()),
            inner,
            st.one_of(inner, st.builds(ast.Slice, st.none() | inner, st.none() | inner, st.none() | inner)),
        ),
        st.builds(lambda e: ast.List(e, ast.Load()), st.lists(inner, max_size=3)),
        st.builds(lambda e: ast.Tuple(e, ast.Load()), st.lists(inner, max_size=3)),
        st.builds(ast.Set, st.lists(inner, min_size=1, max_size=3)),
        st.builds(
            ast.Dict, st.lists(st.none() | inner, min_size=0, max_size=2), st.lists(inner, min_size=2, max_size=2)
        )
        .filter(lambda d: len(d.keys) <= len(d.values))
        .map(lambda d: ast.Dict(d.keys, d.values[: len(d.keys)])),
        st.builds(ast.IfExp, inner, inner, inner),
        st.builds(ast.Await, inner),
        st.builds(lambda v: ast.NamedExpr(ast.Name("total", ast.Store()), v), inner),
        st.builds(lambda e, it, c: ast.ListComp(e, _comprehension(e, it, c)), inner, inner, st.none() | inner),
        st.builds(lambda e, it, c: ast.SetComp(e, _comprehension(e, it, c)), inner, inner, st.none() | inner),
        st.builds(lambda e, it: ast.GeneratorExp(e, _comprehension(e, it, None)), inner, inner),
        st.builds(lambda k, v, it: ast.DictComp(k, v, _comprehension(k, it, None)), inner, inner, inner),
        st.builds(lambda body: ast.Lambda(ast.arguments([], [ast.arg("x")], None, [], [], None, []), body), inner),
        st.builds(
            lambda v, spec: ast.JoinedStr([ast.Constant("v="), ast.FormattedValue(v, spec, None)]),
            inner,
            st.sampled_from([-1, 114, 115, 97]),
        ),
        st.builds(ast.Yield, st.none() | inner),
        st.builds(ast.YieldFrom, inner),
    )


expressions: st.SearchStrategy[ast.expr] = st.recursive(leaves, extend_expr, max_leaves=12)
targets = st.one_of(
    st.sampled_from(LOCALS[:5]).map(lambda n: ast.Name(n, ast.Store())),
    expressions.filter(lambda e: isinstance(e, (ast.Attribute, ast.Subscript, ast.Name))).map(_store),
    st.sampled_from(manifest_names()[:0] or ["CACHE", "LIMIT", "TABLE", "total"]).map(
        lambda n: ast.Name(n, ast.Store())
    ),
)


def extend_stmts(inner: st.SearchStrategy[list[ast.stmt]]) -> st.SearchStrategy[list[ast.stmt]]:
    body = inner.map(lambda b: b or [ast.Pass()])
    handler = st.builds(
        lambda t, name, b: ast.ExceptHandler(t, name, b),
        st.none() | names,
        st.none() | st.sampled_from(["e", "err"]),
        body,
    )
    compound = st.one_of(
        st.builds(ast.If, expressions, body, inner),
        st.builds(lambda t, it, b, o: ast.For(_store(t), it, b, o), targets, expressions, body, inner),
        st.builds(lambda t, it, b: ast.AsyncFor(_store(t), it, b, []), targets, expressions, body),
        st.builds(ast.While, expressions, body, inner),
        st.builds(ast.Try, body, st.lists(handler, min_size=1, max_size=2), inner, inner),
        st.builds(ast.TryStar, body, st.lists(handler, min_size=1, max_size=1), st.just([]), st.just([])),
        st.builds(lambda e, b: ast.With([ast.withitem(e, ast.Name("item", ast.Store()))], b), expressions, body),
        st.builds(lambda e, b: ast.AsyncWith([ast.withitem(e, None)], b), expressions, body),
        st.builds(
            lambda b: ast.FunctionDef("nested", ast.arguments([], [], None, [], [], None, []), b, [], None),
            body.map(lambda b: [ast.Nonlocal(["total"]), *b]),
        ),
        st.builds(lambda b: ast.ClassDef("Inner", [], [], b, []), body),
        st.builds(
            lambda subject, b: ast.Match(subject, [ast.match_case(ast.MatchValue(ast.Constant(1)), None, b)]),
            expressions,
            body,
        ),
    )
    return st.lists(st.one_of(compound.map(lambda s: [s]), inner), min_size=1, max_size=3).map(
        lambda parts: [s for part in parts for s in part]
    )


simple_statements = st.one_of(
    st.builds(lambda t, v: ast.Assign([t], v), targets, expressions),
    st.builds(
        lambda t, v: ast.Assign([ast.Tuple([t, ast.Starred(ast.Name("b", ast.Store()), ast.Store())], ast.Store())], v),
        targets,
        expressions,
    ),
    st.builds(lambda t, op, v: ast.AugAssign(t, op(), v), targets, st.sampled_from(BINOPS), expressions),
    st.builds(
        lambda t, v: ast.AnnAssign(t, ast.Name("int", ast.Load()), v, 1),
        st.sampled_from(LOCALS[:4]).map(lambda n: ast.Name(n, ast.Store())),
        st.none() | expressions,
    ),
    st.builds(ast.Expr, expressions),
    st.builds(ast.Return, st.none() | expressions),
    st.builds(ast.Raise, st.none() | expressions, st.none() | expressions),
    st.builds(ast.Assert, expressions, st.none() | expressions),
    st.builds(lambda t: ast.Delete([t]), targets),
    st.sampled_from(
        [
            ast.Pass(),
            ast.Break(),
            ast.Continue(),
            ast.Global(["CACHE"]),
            ast.Global(["counter"]),
            ast.Import([ast.alias("json", None)]),
            ast.ImportFrom("os", [ast.alias("path", "p")], 0),
        ]
    ),
).map(lambda s: [s])
statements: st.SearchStrategy[list[ast.stmt]] = st.recursive(simple_statements, extend_stmts, max_leaves=10)


def workflow_module(run_body: list[ast.stmt], helper_body: list[ast.stmt], ahelper_body: list[ast.stmt]) -> str:
    def method(name: str, body: list[ast.stmt], is_async: bool, args: list[str]) -> ast.stmt:
        arguments = ast.arguments(
            [],
            [ast.arg(a) for a in args],
            ast.arg("rest"),
            [],
            [],
            ast.arg("kw"),
            [ast.Constant(1)] if len(args) > 2 else [],
        )
        maker = ast.AsyncFunctionDef if is_async else ast.FunctionDef
        return maker(name, arguments, body or [ast.Pass()], [], None)

    run_body = [
        *run_body,
        ast.Expr(ast.Call(ast.Attribute(ast.Name("self", ast.Load()), "helper", ast.Load()), [ast.Constant(1)], [])),
    ]
    klass = ast.ClassDef(
        "Fuzz",
        [ast.Name("Workflow", ast.Load())],
        [],
        [
            method("run", run_body, True, ["self", "a", "b"]),
            method("helper", helper_body, False, ["self", "x"]),
            method("ahelper", ahelper_body, True, ["self", "x"]),
        ],
        [],
    )
    module = ast.Module([ast.ImportFrom("waymark", [ast.alias("Workflow", None)], 0), klass], [])
    return ast.unparse(ast.fix_missing_locations(module))


@FUZZ
@given(statements, statements, statements)
def test_generated_workflows_get_programs_or_diagnostics(
    run: list[ast.stmt], helper: list[ast.stmt], ahelper: list[ast.stmt]
) -> None:
    try:
        source = workflow_module(run, helper, ahelper)
    except (ValueError, TypeError, AttributeError, RecursionError):
        assume(False)  # an AST that `ast.unparse` itself cannot print
        return
    assert_only_diagnostics(bundle_for(source))


# ---- mutations of the valid fixtures ------------------------------------------------------------------------------

VALID = [
    "conformance.seedflows",
    "sem_flows",
    "ir_core",
    "ir_calls",
    "ir_data",
    "ir_exceptions",
    "worker_good",
    "fuzz_base",
]
INSERTS = [
    "lambda: ",
    "await ",
    "yield ",
    "*",
    "**",
    "not ",
    "-",
    "(",
    ")",
    "[",
    "]",
    "global x; ",
    "nonlocal y; ",
    "import os; ",
    "print(",
    "self.",
    ".x",
    "()",
    "[0]",
    " := ",
    "async ",
    "del ",
    "f'{",
    "'",
    "\\",
    "#",
    "\t",
    "\n",
    "    ",
    "é",
    "𝔸",
    "\x00",
    "1if ",
    "0x",
    "\\N{",
    "match x:\n case 1: pass\n",
    "datetime.now()",
    "os.environ",
    "CACHE.append(1)",
]


@cache
def valid_bundle(module: str) -> pb.Bundle:
    [bundle] = bundles_for_modules([importlib.import_module(module)])
    return bundle


@FUZZ
@given(st.sampled_from(VALID), st.data())
def test_token_mutations_of_valid_workflows(module: str, data: st.DataObject) -> None:
    bundle = valid_bundle(module)
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(bundle.source).readline)
        if t.type not in (tokenize.ENDMARKER, tokenize.DEDENT) and t.start[0] == t.end[0]
    ]
    lines = bundle.source.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        token = data.draw(st.sampled_from(tokens))
        (row, start), (_, end) = token.start, token.end
        line = lines[row - 1]
        replacement = data.draw(
            st.one_of(
                st.just(""),
                st.just(token.string * 2),
                st.sampled_from(tokens).map(lambda t: t.string),
                st.sampled_from(INSERTS).map(lambda s, t=token: s + t.string),
                st.sampled_from(keyword.kwlist),
            )
        )
        lines[row - 1] = line[:start] + replacement + line[end:]
    mutated = pb.Bundle(
        module=bundle.module,
        filename=bundle.filename,
        source="".join(lines),
        workflows=list(bundle.workflows),
        manifest=list(bundle.manifest),
    )
    assert_only_diagnostics(mutated)


@FUZZ
@given(st.sampled_from(VALID), st.data())
def test_ast_mutations_of_valid_workflows(module: str, data: st.DataObject) -> None:
    """Replace random expressions and statements of valid workflows with generated ones."""
    bundle = valid_bundle(module)
    tree = ast.parse(bundle.source)
    exprs = [n for n in ast.walk(tree) if isinstance(n, ast.expr) and not isinstance(n, ast.Name)]
    bodies = [n for n in ast.walk(tree) if isinstance(getattr(n, "body", None), list) and not isinstance(n, ast.Module)]
    for _ in range(data.draw(st.integers(1, 3))):
        if exprs and data.draw(st.booleans()):
            victim = data.draw(st.sampled_from(exprs))
            replacement = data.draw(expressions)
            for parent in ast.walk(tree):
                for field, value in ast.iter_fields(parent):
                    if value is victim:
                        setattr(parent, field, replacement)
                    elif isinstance(value, list) and victim in value:
                        value[value.index(victim)] = replacement
        elif bodies:
            owner = data.draw(st.sampled_from(bodies))
            index = data.draw(st.integers(0, len(owner.body)))
            owner.body[index:index] = data.draw(statements)
    try:
        source = ast.unparse(ast.fix_missing_locations(tree))
    except (ValueError, TypeError, AttributeError, RecursionError):
        assume(False)
        return
    mutated = pb.Bundle(
        module=bundle.module,
        filename=bundle.filename,
        source=source,
        workflows=list(bundle.workflows),
        manifest=list(bundle.manifest),
    )
    assert_only_diagnostics(mutated)


# ---- garbage, and manifests that do not match the source ----------------------------------------------------------


@FUZZ
@given(st.text(max_size=400))
def test_random_text(source: str) -> None:
    assert_only_diagnostics(bundle_for(source))


PYTHONISH = list("class Fuzz(Workflow):\n async def run(self, a):\n  return a+[]()=:.*{}'\"#\\\t yield await lambda")


@FUZZ
@given(st.text(alphabet=st.sampled_from(PYTHONISH), max_size=300))
def test_python_flavoured_text(source: str) -> None:
    assert_only_diagnostics(bundle_for(source))


manifest_entries = st.builds(
    lambda path, kind: kind(path),
    st.sampled_from(
        ["a", "b", "x", "self", "len", "print", "Fuzz", "Workflow", "asyncio", "asyncio.sleep", "CACHE", "nope"]
    ),
    st.sampled_from(
        [
            lambda p: pb.ManifestEntry(path=p, constant=pb.Value(json="{not json")),
            lambda p: pb.ManifestEntry(path=p, constant=pb.Value(json='{"$set": "oops"}')),
            lambda p: pb.ManifestEntry(path=p, module=pb.ModuleEntry(name="")),
            lambda p: pb.ManifestEntry(path=p, function=pb.FunctionEntry(qualname="", is_async=True)),
            lambda p: pb.ManifestEntry(path=p, class_ref=pb.ClassRef(qualname="x.Y", kind=pb.ClassKind.MODEL, mro=[])),
            lambda p: pb.ManifestEntry(path=p, opaque=pb.OpaqueEntry(type_qualname="", mutable=True)),
            lambda p: pb.ManifestEntry(path=p, action=pb.ActionRef(name="", module="", qualname="", params=[])),
            lambda p: pb.ManifestEntry(path=p, workflow=pb.WorkflowRef(name="Fuzz", params=[])),
            lambda p: pb.ManifestEntry(path=p),
        ]
    ),
)


@FUZZ
@given(st.sampled_from(VALID), st.lists(manifest_entries, max_size=4), st.data())
def test_manifests_that_do_not_match_the_source(
    module: str, extra: list[pb.ManifestEntry], data: st.DataObject
) -> None:
    """A bundle from a buggy or hostile client: entries missing, wrong, or malformed."""
    bundle = valid_bundle(module)
    kept = [e for e in bundle.manifest if data.draw(st.booleans())]
    mutated = pb.Bundle(
        module=bundle.module,
        filename=bundle.filename,
        source=bundle.source,
        workflows=list(bundle.workflows),
        manifest=kept + extra,
    )
    assert_only_diagnostics(mutated)


# ---- extremes -------------------------------------------------------------------------------------------------------


def run_body(body: str) -> str:
    lines = "\n".join("        " + line for line in body.splitlines())
    return f"from waymark import Workflow\n\n\nclass Fuzz(Workflow):\n    async def run(self, a, b=1):\n{lines}\n"


EXTREMES = {
    "sum of 5000 terms": "return " + "+".join(["a"] * 5000),
    "sum of 60 terms": "return " + "+".join(["a"] * 60),
    "150 nested parentheses": "return " + "(" * 150 + "a" + ")" * 150,
    "150 nested lists": "return " + "[" * 150 + "a" + "]" * 150,
    "3000 nots": "return " + "not " * 3000 + "a",
    "5000 ands": "return " + " and ".join(["a"] * 5000),
    "2000 conditional expressions": "return " + " if a else ".join(["1"] * 2000),
    "3000 attributes": "return " + "a." * 3000 + "b",
    "3000 subscripts": "return a" + "[0]" * 3000,
    "3000 calls": "return a" + "()" * 3000,
    "power tower": "return " + "**".join(["2"] * 3000),
    "5000 comparisons": "return " + " < ".join(["a"] * 5000),
    "5000-digit decimal literal": "return " + "1" * 5000,
    "5000-digit hex literal": "return 0x" + "f" * 5000,
    "2 MB string": "return " + repr("x" * 2_000_000),
    "list of 100k literals": "return [" + ",".join(["1"] * 100_000) + "]",
    "dict of 20k items": "return {" + ",".join(f"{i}: {i}" for i in range(20_000)) + "}",
    "20k statements": "x = 0\n" + "\n".join(f"x = x + {i}" for i in range(20_000)) + "\nreturn x",
    "90 nested ifs": "if a:\n" + "".join("    " * i + "if a:\n" for i in range(1, 90)) + "    " * 90 + "pass",
    "3000 elifs": "x = 0\nif a == 0:\n    x = 0\n"
    + "".join(f"elif a == {i}:\n    x = {i}\n" for i in range(1, 3000))
    + "return x",
    "50 nested comprehensions": "return " + "[x for x in " * 50 + "a" + "]" * 50,
    "f-string with 5000 fields": "return f'" + "{a}" * 5000 + "'",
    "unicode identifiers": "café = 1\nπ = 3\nﬁ = 2\nℌ = fi + café\nreturn ℌ + π",
    "NUL in a string": "return '\\x00'",
    "NUL byte in the source": "return a\x00",
    "infinities": "return 1e999 + -1e999",
    "2000 awaited actions in one sum": "return " + "+".join(["await fuzz_charge(1)"] * 2000),
    "100 nested awaits": "return await " + "(await " * 100 + "fuzz_charge(1)" + ")" * 100,
    "500 nested lambdas": "return " + "lambda: " * 500 + "1",
    "surrogates": "return '\\ud800'",
    "CRLF line ends": "x = 1\r\nreturn x",
    "form feed": "\x0cx = 1\nreturn x",
    "tabs": "if a:\n\tx = 1\n\treturn x",
    "walrus everywhere": "return [(y := z) for z in [(w := a)] if (v := y)]",
    "star targets": "a, *b, (c, [d, *e]) = [1, 2, (3, [4, 5])]\nreturn e",
    "positional-only and keyword-only": "return (lambda p, /, q, *, r: 0)",
    "slices": "return a[::-1], a[1:2, ::3], a[...]",
    "nested f-strings": "return f'{f\"{f'{a!r:>{b}}'}\"}'",
    "global and nonlocal": "global a\nreturn a",
    "yield in run": "yield a\nreturn",
    "await outside expression position": "await = 1",
    "class in run": "class A:\n    x = datetime.now()\nreturn A",
    "deleted self": "del self\nreturn self.helper()",
    "self rebound": "self = 1\nreturn self.x",
    "match with guards": "match a:\n    case [1, *rest] if rest:\n        return rest\n"
    "    case {'k': v}:\n        return v\n    case _:\n        return None",
    "try star": "try:\n    pass\nexcept* ValueError as eg:\n    return eg",
}


@pytest.mark.parametrize("body", list(EXTREMES.values()), ids=list(EXTREMES))
def test_extremes(body: str) -> None:
    assert_only_diagnostics(bundle_for(run_body(body)))


@pytest.mark.parametrize("name", ["", "Missing", "Fuzz.run", "<locals>", "a.b.c", "é", "Fuzz\x00"])
def test_unknown_workflow_names(name: str) -> None:
    bundle = bundle_for(run_body("return a"), workflows=(name,))
    response = assert_only_diagnostics(bundle)
    assert [d.code for d in response.diagnostics] == ["WM002"]


def test_every_fixture_module_compiles_or_reports() -> None:
    """The fixtures themselves, through the same oracle (their own manifests)."""
    count = 0
    for path in sorted(FIXTURES.glob("*.py")):
        module = importlib.import_module(path.stem)
        for bundle in bundles_for_modules([module]):
            assert_only_diagnostics(bundle)
            count += 1
    assert count > 30
