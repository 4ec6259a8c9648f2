"""One compiled function: `run()` or a workflow method."""

from __future__ import annotations

import ast

from waymark_ir import pb

from waymark_compiler import constants
from waymark_compiler.lower.base import LowererBase
from waymark_compiler.lower.calls import CallsMixin
from waymark_compiler.lower.expressions import ExpressionsMixin
from waymark_compiler.lower.statements import StatementsMixin
from waymark_compiler.rules import non_constant_default

LITERAL_DEFAULTS = (str, bytes, int, float, bool, type(None))


class FunctionLowerer(StatementsMixin, ExpressionsMixin, CallsMixin, LowererBase):
    def params(self) -> list[pb.Param]:
        return params_of(self.func, self)

    def lower(self) -> pb.Function:
        func = self.func
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


def params_of(func: ast.FunctionDef | ast.AsyncFunctionDef, report: LowererBase | None) -> list[pb.Param]:
    """The parameters after `self`, with constant defaults (slot = position + 1, as `local_names` orders them)."""
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
            value = constant_default(default)
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
