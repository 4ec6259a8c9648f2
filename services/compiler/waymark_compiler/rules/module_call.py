"""WM117 module-call: calling a function of another module (a library, or a module the VM cannot see into).

What: a call of a function or class that comes from another module and is not a workflow primitive, an `@action`,
a pure builtin or plain data (a model, dataclass, enum or exception): `json.dumps(...)`, `math.sqrt(x)`,
`re.match(...)`, `numpy.mean(xs)`, `pandas.read_csv(...)`, `collections.Counter(xs)`, `uuid.uuid5(...)`,
`hashlib.sha256(...)`, a helper imported from another of your modules ...

Why: the compiler never runs your code or your libraries: it compiles `run()` into instructions for a small VM that
knows Python's data types, operators, pure builtins and the methods of plain data, and nothing else. A library
function's code is invisible to it (it may read the clock, do I/O, or keep state), and it would not exist in the
scheduler process that runs the step.

Example:

    payload = json.dumps({"order": order_id})
    rate = math.log(growth)

Use instead: call it inside an `@action` and await the result; often plain Python does it in the workflow:
`sum(xs) / len(xs)` for a mean, and no serialisation at all (action arguments and results travel as data already).
The VM implements a few module functions itself (`math.ceil/floor/sqrt/isclose ...`, `dataclasses.replace`,
`operator.itemgetter`): see docs/language.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_ir import pb

from waymark_compiler.builtins_table import MODULE_FUNCTIONS
from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import PRIMITIVES, names_of

#: Plain-Python replacements for a few library functions people reach for in orchestration code.
INSTEAD: dict[str, str] = {
    "math.sqrt": "use `x ** 0.5`, or compute it in an @action",
    "math.pow": "use `x ** y`",
    "math.fabs": "use `abs(x)`",
    "math.floor": "use `int(x // 1)`, or compute it in an @action",
    "math.ceil": "use `-int(-x // 1)`, or compute it in an @action",
    "math.trunc": "use `int(x)`",
    "statistics.mean": "use `sum(xs) / len(xs)`",
    "statistics.fmean": "use `sum(xs) / len(xs)`",
    "json.dumps": "pass the data as it is (action arguments and results travel as data), or serialise in an @action",
    "json.loads": "let an @action return parsed data, or parse inside an @action",
    "copy.copy": "copy with `list(x)`, `dict(x)`, `{**x}` or a comprehension",
    "copy.deepcopy": "rebuild it with a comprehension, or let an @action return a fresh copy",
    "functools.reduce": "use a `for` loop",
}


RANDOM_LIBRARIES = ("numpy.random.", "scipy.stats.", "torch.rand", "faker.")


def is_own(qualname: str, module: str) -> bool:
    """A function defined in the workflow's own module or package (WM110 covers those)."""
    return "<locals>" in qualname or (bool(module) and qualname.split(".")[0] == module.split(".")[0])


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    ref = ctx.resolve(node.func)
    if ref is None or ref.kind != "global" or ref.attrs or ref.entry is None:
        return
    if ref.qualname in MODULE_FUNCTIONS:
        return  # the VM implements it (dataclasses.replace ...)
    if ref.entry.function is not None:
        if ref.entry.function.is_async or ref.qualname in PRIMITIVES or is_own(ref.entry.function.qualname, ctx.module):
            return  # WM111, a primitive, WM110
    elif ref.entry.class_ref is not None:
        cls = ref.entry.class_ref
        if (
            cls.kind != pb.ClassKind.UNSPECIFIED
            or is_own(cls.qualname, ctx.module)
            or cls.qualname.startswith("waymark.")
        ):
            return  # data the VM constructs, or one of your classes (WM132 says why it is not data)
    elif ref.entry.module is None:
        return  # (a called module object is a stand-in for a library `waymark check` could not import)
    written = ctx.module_path(node.func)
    qualname = written or ref.qualname or ".".join(ref.parts)
    module = qualname.rsplit(".", 1)[0] if "." in qualname else qualname
    names = names_of(node.func, ctx)
    fix = next((INSTEAD[name] for name in sorted(names) if name in INSTEAD), None)
    if fix is None and any(name.startswith(RANDOM_LIBRARIES) for name in names):
        fix = "it draws random numbers: draw them inside an @action and await the result"
    fix = fix or "call it inside an @action and await it"
    yield RULE.finding(node, call=ctx.segment(node.func), module=module, fix=fix)


RULE = Rule(
    code="WM117",
    name="module-call",
    message="{call}() comes from module `{module}`, which a workflow cannot call into",
    help="{fix}",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
    fallback=True,
)
