"""One compiled function: `run()` or a workflow method."""

from __future__ import annotations

import ast
import datetime
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from waymark_ir import pb

from waymark_compiler import constants
from waymark_compiler.lower.base import LowererBase
from waymark_compiler.lower.calls import CallsMixin
from waymark_compiler.lower.expressions import ExpressionsMixin, enum_member_json
from waymark_compiler.lower.policy import NotStatic, StaticEvaluator, policy_locals
from waymark_compiler.lower.statements import StatementsMixin
from waymark_compiler.manifest import Manifest, Ref, dotted
from waymark_compiler.rules import non_constant_default

LITERAL_DEFAULTS = (str, bytes, int, float, bool, type(None))


class FunctionLowerer(StatementsMixin, ExpressionsMixin, CallsMixin, LowererBase):
    def params(self) -> list[pb.Param]:
        return params_of(self.func, self, lambda node: default_constant(node, self.manifest))

    def lower(self) -> pb.Function:
        func = self.func
        self.policy_vars = policy_locals(func, self.self_name, self.is_policy_builder, self.policy_evaluator)
        params = self.params()
        self.body(func.body)
        last = func.body[-1]
        self.em.at(last.end_lineno or last.lineno, 1)
        self.em.emit("return", pb.Return())  # falling off the end returns None
        code, handlers = self.em.finish()
        return pb.Function(
            name=func.name,
            is_async=isinstance(func, ast.AsyncFunctionDef),
            params=params,
            locals=list(self.slot_names),
            code=code,
            handlers=handlers,
            line=func.lineno,
        )


def params_of(
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    report: LowererBase | None,
    constant: Callable[[ast.expr], pb.Value | None] | None = None,
) -> list[pb.Param]:
    """The parameters after `self`, with constant defaults (slot = position + 1, as `local_names` orders them).
    `constant` folds a default (`default_constant` with the module's manifest); literals only without it."""
    a = func.args
    kinds: list[tuple[ast.arg, pb.ParamKind, ast.expr | None]] = []
    positional = [*a.posonlyargs, *a.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = pb.ParamKind.POSITIONAL_ONLY if index < len(a.posonlyargs) else pb.ParamKind.POSITIONAL_OR_KEYWORD
        kinds.append((arg, kind, default))
    if a.vararg is not None:
        kinds.append((a.vararg, pb.ParamKind.VAR_POSITIONAL, None))
    for arg, kw_default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        kinds.append((arg, pb.ParamKind.KEYWORD_ONLY, kw_default))
    if a.kwarg is not None:
        kinds.append((a.kwarg, pb.ParamKind.VAR_KEYWORD, None))
    out: list[pb.Param] = []
    for slot, (arg, kind, default) in enumerate(kinds):
        if slot == 0:
            continue  # self
        value = None
        if default is not None:
            value = (constant or constant_default)(default)
            if value is None:
                value = pb.Value(json=constants.NONE_JSON)
                if report is not None:
                    report.report(non_constant_default.RULE, default, name=arg.arg)
        out.append(pb.Param(name=arg.arg, slot=slot, kind=kind, default=value))
    return out


def constant_default(node: ast.expr) -> pb.Value | None:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, (list, dict, set)):
        return None  # mutable: shared between calls in Python
    try:
        return constants.value(value)
    except TypeError:
        return None


#: what a folded default may be made of: immutable values (a list, dict or set would be shared between calls)
_IMMUTABLE = (
    str,
    bytes,
    int,
    float,
    bool,
    type(None),
    decimal.Decimal,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    datetime.timezone,
    uuid.UUID,
)


def _immutable(value: Any) -> bool:
    if isinstance(value, (tuple, frozenset)):
        return all(_immutable(item) for item in value)
    return isinstance(value, _IMMUTABLE)


def default_constant(node: ast.expr, manifest: Manifest) -> pb.Value | None:
    """A parameter default the compiler can store as a constant: a literal, a module-level constant (`n=MAX`), an enum
    member (`mode=Mode.FAST`), or an immutable value folded from those and stdlib constructors with literal arguments
    (`-MAX`, `timedelta(hours=1)`, `Decimal("1.5")`); None for anything else (mutable or computed at import)."""
    value = constant_default(node)
    if value is not None:
        return value

    def resolve(n: ast.expr) -> Ref | None:
        parts = dotted(n)
        return None if parts is None else manifest.resolve_global(parts)

    ref = resolve(node)
    if ref is not None and ref.kind == "global" and ref.entry is not None:
        if ref.entry.constant is not None and not ref.attrs and ref.parts[0] not in manifest.frozen_data:
            return ref.entry.constant  # as the worker encoded it (enum members keep their class)
        cls = ref.entry.class_ref
        if cls is not None and cls.kind == pb.ClassKind.ENUM and len(ref.attrs) == 1:
            member = next((m for m in cls.members if m.name == ref.attrs[0]), None)
            if member is not None:
                return pb.Value(json=enum_member_json(cls.qualname, member))
    try:
        folded = StaticEvaluator(resolve).eval(node)
    except (NotStatic, TypeError, ValueError, ArithmeticError):
        return None
    if not _immutable(folded):
        return None
    try:
        return constants.value(folded)
    except TypeError:
        return None
