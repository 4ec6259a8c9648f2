"""Static evaluation of the few expressions the compiler evaluates itself, at registration: per-call policies
(`retry=RetryPolicy(...)`, `timeout=timedelta(...)`), and stdlib values with literal arguments (`timedelta(...)`),
which become constants.

It mirrors `waymark.RetryPolicy` / `waymark.Backoff` (libs/sdk/waymark/_policy.py), including their validation,
without importing the SDK.
"""

from __future__ import annotations

import ast
import datetime
import decimal
import operator
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from waymark_ir import pb

from waymark_compiler import constants
from waymark_compiler.builtins_table import BUILTIN_EXCEPTIONS
from waymark_compiler.manifest import POLICY_TYPES, Ref, canonical


class NotStatic(Exception):
    def __init__(self, node: ast.AST, why: str) -> None:
        super().__init__(why)
        self.node, self.why = node, why


class AlreadyReported(NotStatic):
    """A local policy variable whose problem was reported where it is assigned (once): not reported again."""


@dataclass(frozen=True)
class ClassToken:
    qualname: str
    kind: pb.ClassKind


@dataclass(frozen=True)
class BackoffValue:
    kind: pb.BackoffKind = pb.BackoffKind.UNSPECIFIED
    initial: float = 0.0
    factor: float = 1.0
    max: float = 0.0
    jitter: bool = False

    def to_pb(self) -> pb.Backoff:
        return pb.Backoff(
            kind=self.kind, initial_seconds=self.initial, factor=self.factor, max_seconds=self.max, jitter=self.jitter
        )


@dataclass(frozen=True)
class RetryValue:
    attempts: int = 1
    backoff: BackoffValue = field(default_factory=BackoffValue)
    on: tuple[str, ...] = ()

    def to_pb(self) -> pb.RetryPolicy:
        return pb.RetryPolicy(attempts=self.attempts, backoff=self.backoff.to_pb(), retry_on=list(self.on))


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_STDLIB_CONSTRUCTORS: dict[str, Callable[..., Any]] = {
    "datetime.timedelta": datetime.timedelta,
    "datetime.datetime": datetime.datetime,
    "datetime.date": datetime.date,
    "datetime.time": datetime.time,
    "decimal.Decimal": decimal.Decimal,
    "uuid.UUID": uuid.UUID,
}


def seconds_of(value: Any, node: ast.AST, what: str) -> float:
    if isinstance(value, datetime.timedelta):
        result = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        raise NotStatic(node, f"{what} must be a number of seconds or a timedelta")
    if result < 0 or result != result:
        raise NotStatic(node, f"{what} must be zero or more seconds, got {value!r}")
    return result


class StaticEvaluator:
    """Evaluates literals, module constants, classes and a few known constructors; anything else is NotStatic."""

    def __init__(
        self,
        resolve: Callable[[ast.expr], Ref | None],
        module_value: Callable[[str], ast.expr | None] | None = None,
        local_value: Callable[[ast.Name], ast.expr | None] | None = None,
    ) -> None:
        self.resolve = resolve
        #: the expression a local policy variable is assigned once (`policy = RetryPolicy(...)` in run()), see
        #: `policy_locals`; raises AlreadyReported for one that cannot be folded
        self.local_value = local_value
        #: the expression a module-level name is assigned once (`POLICY = RetryPolicy(...)`), to fold a policy
        #: object the manifest can only describe as opaque; None when the source is not at hand
        self.module_value = module_value
        self._folding: set[str] = set()

    def eval(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.eval(node.operand)
            if isinstance(operand, (int, float)) and not isinstance(operand, bool):
                return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.eval(node.left), self.eval(node.right)
            if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
                try:
                    return _BINARY[type(node.op)](left, right)
                except ArithmeticError as exc:
                    raise NotStatic(node, str(exc)) from None
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.eval(e) for e in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.eval_reference(node)
        if isinstance(node, ast.Call):
            return self.eval_call(node)
        raise NotStatic(node, f"`{ast.unparse(node)}` is not a literal")

    def eval_reference(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Name) and self.local_value is not None:
            value = self.local_value(node)
            if value is not None:
                key = f"local {node.id}"
                if key in self._folding:
                    raise NotStatic(node, f"`{node.id}` is defined in terms of itself")
                self._folding.add(key)
                try:
                    return self.eval(value)
                finally:
                    self._folding.discard(key)
        ref = self.resolve(node)
        if ref is not None and ref.kind == "builtin" and not ref.attrs and ref.parts[0] in BUILTIN_EXCEPTIONS:
            return ClassToken(f"builtins.{ref.parts[0]}", pb.ClassKind.EXCEPTION)
        if ref is not None and ref.kind == "global" and ref.entry is not None and not ref.attrs:
            if ref.entry.constant is not None:
                return constants.decode(ref.entry.constant)
            if ref.entry.class_ref is not None:
                return ClassToken(ref.qualname or ref.entry.class_ref.qualname, ref.entry.class_ref.kind)
            if ref.entry.opaque is not None and canonical(ref.entry.opaque.type_qualname) in POLICY_TYPES:
                return self.module_policy(node, ref.parts[0])
        if ref is not None and ref.qualname is not None:
            return ClassToken(ref.qualname, pb.ClassKind.UNSPECIFIED)  # a callee, e.g. Backoff.exponential
        raise NotStatic(node, f"`{ast.unparse(node)}` is not a literal or a module-level constant")

    def module_policy(self, node: ast.expr, name: str) -> Any:
        """A module-level `RetryPolicy`/`Backoff` (`POLICY = RetryPolicy(...)`), folded from its assignment."""
        value = None if self.module_value is None or name in self._folding else self.module_value(name)
        if value is None:
            raise NotStatic(
                node,
                f"`{name}` must be assigned once at the top of the workflow's module "
                f"(`{name} = RetryPolicy(...)`) for the compiler to read it",
            )
        self._folding.add(name)
        try:
            return self.eval(value)
        finally:
            self._folding.discard(name)

    def eval_call(self, node: ast.Call) -> Any:
        callee = self.eval_reference(node.func) if isinstance(node.func, (ast.Name, ast.Attribute)) else None
        if not isinstance(callee, ClassToken):
            raise NotStatic(node, f"`{ast.unparse(node.func)}(...)` cannot be evaluated at registration")
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise NotStatic(node, "*args and **kwargs cannot be evaluated at registration")
        args = [self.eval(a) for a in node.args]
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords if k.arg is not None}
        builder = _BUILDERS.get(callee.qualname)
        if builder is not None:
            return builder(node, args, kwargs)
        constructor = _STDLIB_CONSTRUCTORS.get(callee.qualname)
        if constructor is not None:
            try:
                return constructor(*args, **kwargs)
            except (TypeError, ValueError, ArithmeticError) as exc:
                raise NotStatic(node, f"{ast.unparse(node.func)}(...): {exc}") from None
        raise NotStatic(node, f"`{ast.unparse(node.func)}(...)` cannot be evaluated at registration")


def _bind(
    node: ast.AST, name: str, args: list[Any], kwargs: dict[str, Any], params: list[str], positional: int
) -> dict[str, Any]:
    if len(args) > positional:
        raise NotStatic(node, f"{name}() takes at most {positional} positional arguments")
    bound = dict(zip(params, args, strict=False))
    for key, value in kwargs.items():
        if key not in params:
            raise NotStatic(node, f"{name}() got an unexpected keyword argument {key!r}")
        if key in bound:
            raise NotStatic(node, f"{name}() got multiple values for {key!r}")
        bound[key] = value
    return bound


def _number(node: ast.AST, value: Any, what: str) -> float:
    return seconds_of(value, node, what)


def _backoff_fixed(node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> BackoffValue:
    bound = _bind(node, "Backoff.fixed", args, kwargs, ["seconds", "jitter"], 1)
    if "seconds" not in bound:
        raise NotStatic(node, "Backoff.fixed() needs seconds")
    delay = _number(node, bound["seconds"], "Backoff.fixed(seconds)")
    return BackoffValue(pb.BackoffKind.FIXED, delay, 1.0, delay, bool(bound.get("jitter", False)))


def _backoff_exponential(node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> BackoffValue:
    bound = _bind(node, "Backoff.exponential", args, kwargs, ["initial", "factor", "max", "jitter"], 0)
    first = _number(node, bound.get("initial", 1.0), "Backoff.exponential(initial=)")
    ceiling = _number(node, bound.get("max", 60.0), "Backoff.exponential(max=)")
    factor = bound.get("factor", 2.0)
    if not isinstance(factor, (int, float)) or isinstance(factor, bool) or factor < 1:
        raise NotStatic(node, f"Backoff.exponential(factor=) must be a number of at least 1, got {factor!r}")
    if ceiling < first:
        raise NotStatic(node, f"Backoff.exponential(max=) ({ceiling}s) must not be below initial= ({first}s)")
    return BackoffValue(pb.BackoffKind.EXPONENTIAL, first, float(factor), ceiling, bool(bound.get("jitter", False)))


def _backoff_none(node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> BackoffValue:
    _bind(node, "Backoff.none", args, kwargs, [], 0)
    return BackoffValue()


def _backoff(node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> BackoffValue:
    bound = _bind(node, "Backoff", args, kwargs, ["kind", "initial", "factor", "max", "jitter"], 5)
    kinds = {
        "none": pb.BackoffKind.UNSPECIFIED,
        "fixed": pb.BackoffKind.FIXED,
        "exponential": pb.BackoffKind.EXPONENTIAL,
    }
    kind = bound.get("kind", "none")
    if kind not in kinds:
        raise NotStatic(node, f"Backoff(kind=) must be one of {sorted(kinds)}, got {kind!r}")
    return BackoffValue(
        kinds[kind],
        _number(node, bound.get("initial", 0.0), "Backoff(initial=)"),
        float(bound.get("factor", 1.0)),
        _number(node, bound.get("max", 0.0), "Backoff(max=)"),
        bool(bound.get("jitter", False)),
    )


def _retry_policy(node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> RetryValue:
    bound = _bind(node, "RetryPolicy", args, kwargs, ["attempts", "backoff", "on"], 3)
    attempts = bound.get("attempts", 1)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
        raise NotStatic(node, f"RetryPolicy(attempts=) counts attempts and must be an int >= 1, got {attempts!r}")
    backoff = bound.get("backoff", BackoffValue())
    if not isinstance(backoff, BackoffValue):
        raise NotStatic(
            node, "RetryPolicy(backoff=) takes Backoff.fixed(...), Backoff.exponential(...) or Backoff.none()"
        )
    on = bound.get("on", ())
    if isinstance(on, ClassToken):
        on = [on]
    if not isinstance(on, (list, tuple)) or not all(
        isinstance(c, ClassToken) and c.kind == pb.ClassKind.EXCEPTION for c in on
    ):
        raise NotStatic(node, "RetryPolicy(on=) takes a list of exception classes")
    return RetryValue(attempts, backoff, tuple(c.qualname for c in on))


_BUILDERS: dict[str, Callable[[ast.AST, list[Any], dict[str, Any]], Any]] = {
    "waymark.RetryPolicy": _retry_policy,
    "waymark.Backoff": _backoff,
    "waymark.Backoff.fixed": _backoff_fixed,
    "waymark.Backoff.exponential": _backoff_exponential,
    "waymark.Backoff.none": _backoff_none,
}


def module_assignments(tree: ast.Module | None) -> dict[str, ast.expr]:
    """Module-level names bound exactly once, by `NAME = value` / `NAME: T = value` at the top of the module, and
    never rebound (no other binding anywhere at module level, no `global NAME` in a function): importing the module
    gave that name the value of that expression."""
    if tree is None:
        return {}
    values: dict[str, ast.expr] = {}
    bindings: dict[str, int] = {}
    declared: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                values[target.id] = statement.value
        elif (
            isinstance(statement, ast.AnnAssign)
            and statement.value is not None
            and isinstance(statement.target, ast.Name)
        ):
            values[statement.target.id] = statement.value
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Global):
            declared.update(node.names)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bindings[node.name] = bindings.get(node.name, 0) + 1
            pending.extend(sub for sub in ast.walk(node) if isinstance(sub, ast.Global))
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bindings[node.id] = bindings.get(node.id, 0) + 1
        elif isinstance(node, ast.alias):
            bound = node.asname or node.name.split(".")[0]
            bindings[bound] = bindings.get(bound, 0) + 1
        pending.extend(ast.iter_child_nodes(node))
    return {name: value for name, value in values.items() if bindings.get(name) == 1 and name not in declared}


# ---- local policy variables ------------------------------------------------------------------------------------

#: the calls that build a policy object
POLICY_BUILDERS = frozenset(_BUILDERS)
LOCAL_POLICY_HELP = (
    "assign it once, at the top of the method and before its use, from RetryPolicy(...) / Backoff.<kind>(...) with "
    "literal arguments (`policy = RetryPolicy(attempts=3, backoff=Backoff.exponential(initial=1))`), and use it only "
    "as self.run_action(call, retry=policy); or share it at module level: POLICY = RetryPolicy(...)"
)


@dataclass
class PolicyLocal:
    """`policy = RetryPolicy(...)` in a compiled method: folded into each `self.run_action(..., retry=policy)` when
    it is assigned once, before its uses, and used only there (`problem` is None), else refused once, where it is
    assigned (WM140 with `problem`)."""

    name: str
    statement: ast.Assign | ast.AnnAssign
    value: ast.expr
    problem: str | None = None
    #: the problem comes from another policy variable it uses, reported there
    silent: bool = False


def policy_locals(
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    self_name: str,
    is_builder: Callable[[ast.expr], bool],
    evaluator: Callable[[Callable[[ast.Name], ast.expr | None]], StaticEvaluator],
) -> dict[str, PolicyLocal]:
    """The local variables of `func` assigned a policy object (`RetryPolicy(...)`, `Backoff.fixed(...)`), with
    whether each can be folded. `is_builder` says whether a call's callee is a policy constructor; `evaluator` makes
    a StaticEvaluator that reads locals through the callback it is given."""
    own = _own_nodes(func)
    found: dict[str, PolicyLocal] = {}
    for node in own:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and isinstance(value, ast.Call) and is_builder(value.func):
            if target.id in found:
                found[target.id].problem = f"`{target.id}` is assigned more than once"
                continue
            found[target.id] = PolicyLocal(target.id, node, value)
    if not found:
        return found
    # only variables that reach a `retry=`/`timeout=` (directly, or through another such variable) are policies:
    # `p = RetryPolicy(...)` used only as data is a frozen dataclass like any other
    in_arguments = _policy_argument_nodes(own, self_name)
    policies: dict[str, PolicyLocal] = {}
    grown = True
    while grown:
        grown = False
        reached = in_arguments | {id(sub) for item in policies.values() for sub in ast.walk(item.value)}
        for name, item in found.items():
            if name not in policies and any(
                isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and id(n) in reached
                for n in own
            ):
                policies[name] = item
                grown = True
    found = policies
    if not found:
        return found
    params = {a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)}
    params |= {a.arg for a in (func.args.vararg, func.args.kwarg) if a is not None}
    allowed = in_arguments | {id(sub) for item in found.values() for sub in ast.walk(item.value)}
    top_level = {id(statement) for statement in func.body}
    for item in found.values():
        if item.problem is not None:
            continue
        stores = [n for n in own if isinstance(n, ast.Name) and n.id == item.name and not isinstance(n.ctx, ast.Load)]
        loads = [n for n in own if isinstance(n, ast.Name) and n.id == item.name and isinstance(n.ctx, ast.Load)]
        where = (item.statement.lineno, item.statement.col_offset)
        if item.name in params or len(stores) > 1 or _other_bindings(own, item.name):
            item.problem = f"`{item.name}` is assigned more than once"
        elif id(item.statement) not in top_level:
            item.problem = f"`{item.name}` is assigned inside a block (the compiler cannot tell whether it is set)"
        elif other := next((n for n in loads if id(n) not in allowed), None):
            item.problem = (
                f"`{item.name}` is used on line {other.lineno} other than as self.run_action(..., retry={item.name})"
            )
        elif early := next((n for n in loads if (n.lineno, n.col_offset) < where), None):
            item.problem = f"`{item.name}` is used on line {early.lineno}, before it is assigned"

    def local_value(node: ast.Name) -> ast.expr | None:
        item = found.get(node.id)
        if item is None:
            return None
        if item.problem is not None:
            raise AlreadyReported(node, item.problem)
        return item.value

    for item in found.values():
        if item.problem is not None:
            continue
        try:
            evaluator(local_value).eval(item.value)
        except AlreadyReported as problem:
            item.problem, item.silent = problem.why, True
        except NotStatic as problem:
            item.problem = f"`{item.name}` cannot be evaluated at registration: {problem.why}"
    return found


def _policy_argument_nodes(own: list[ast.AST], self_name: str) -> set[int]:
    """The nodes inside `retry=` / `timeout=` of `self.run_action(...)` calls."""
    out: set[int] = set()
    for node in own:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "run_action"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == self_name
        ):
            for keyword in node.keywords:
                if keyword.arg in ("retry", "timeout"):
                    out |= {id(sub) for sub in ast.walk(keyword.value)}
    return out


def _other_bindings(own: list[ast.AST], name: str) -> bool:
    """Bindings that are not a plain `name = ...`: `for name in`, `except ... as name`, `import name`, a walrus."""
    for node in own:
        if isinstance(node, ast.ExceptHandler) and node.name == name:
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (alias.asname or alias.name).split(".")[0] == name for alias in node.names
        ):
            return True
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
    return False


def _own_nodes(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The function's nodes in source order, not those of nested functions, classes or lambdas."""
    out: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        out.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in func.body:
        visit(statement)
    return out
