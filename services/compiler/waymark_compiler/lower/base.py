"""State shared by the statement, expression and call lowerings of one function (they are mixins of
`FunctionLowerer`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import betterproto2
from waymark_ir import pb

from waymark_compiler import constants
from waymark_compiler.lower.emitter import Emitter
from waymark_compiler.manifest import Ref, dotted
from waymark_compiler.rules import Rule
from waymark_compiler.scope import COMPREHENSIONS, FunctionNode, local_names, parameters

if TYPE_CHECKING:
    from waymark_compiler.lower.exception_methods import ExceptionOwner, ModuleContext
    from waymark_compiler.lower.policy import PolicyLocal
    from waymark_compiler.lower.program import WorkflowCompiler

HIDDEN = "$"  # prefix of compiler-made locals; never a Python identifier


def kind_of(expr: pb.Expr) -> str:
    return betterproto2.which_one_of(expr, "kind")[0]


def local(slot: int) -> pb.Expr:
    return pb.Expr(local=slot)


def slot_target(slot: int) -> pb.Target:
    return pb.Target(slot=slot)


class LowererBase:
    def __init__(
        self,
        program: WorkflowCompiler,
        func: FunctionNode,
        *,
        owner: ExceptionOwner | None = None,
        context: ModuleContext | None = None,
    ) -> None:
        self.program = program  # the program's tables (actions, classes, functions)
        #: the class the function is a method of: the workflow, or an exception class (`__init__`, `__str__`)
        self.owner: WorkflowCompiler | ExceptionOwner = owner if owner is not None else program
        self.exception_owner = owner
        self.func = func
        self.source = context.source if context is not None else program.source
        self.reporter = context.reporter if context is not None else program.reporter
        self.manifest = context.manifest if context is not None else program.manifest
        self.em = Emitter()
        params = parameters(func)
        self.self_name = params[0].arg if params else "self"
        self.slot_names: list[str] = []
        self.slots: dict[str, int] = {}
        for name in local_names(func):
            self.slots[name] = self.new_slot(name)
        self.comp_scopes: list[dict[str, int]] = []
        #: `policy = RetryPolicy(...)` locals of this function (policy.policy_locals), filled by `lower()`
        self.policy_vars: dict[str, PolicyLocal] = {}
        self._free_temps: list[int] = []
        self._held_temps: list[list[int]] = [[]]
        self._emits_cache: dict[int, bool] = {}

    # ---- slots ----
    def new_slot(self, name: str) -> int:
        self.slot_names.append(name)
        return len(self.slot_names) - 1

    def temp(self) -> int:
        slot = self._free_temps.pop() if self._free_temps else self.new_slot(f"{HIDDEN}t{len(self.slot_names)}")
        self._held_temps[-1].append(slot)
        return slot

    @contextmanager
    def temp_scope(self) -> Iterator[None]:
        """Temporaries made inside are reusable once the statement that made them is done."""
        self._held_temps.append([])
        try:
            yield
        finally:
            self._free_temps.extend(reversed(self._held_temps.pop()))

    def lookup_local(self, name: str) -> int | None:
        for scope in reversed(self.comp_scopes):
            if name in scope:
                return scope[name]
        return self.slots.get(name)

    # ---- positions and diagnostics ----
    def at(self, node: ast.AST) -> None:
        line = getattr(node, "lineno", None)
        if line is not None:
            self.em.at(line, self.source.char_col(line, getattr(node, "col_offset", 0)))

    def emit(self, node: ast.AST | None, op: str, message: Any) -> pb.Instr:
        if node is not None:
            self.at(node)
        return self.em.emit(op, message)

    def report(self, rule: Rule, node: ast.AST, **fmt: Any) -> None:
        self.reporter.report(rule, node, **fmt)

    def claimed(self, node: ast.AST) -> bool:
        return self.reporter.claimed(node)

    @staticmethod
    def placeholder() -> pb.Expr:
        return constants.none()

    def segment(self, node: ast.AST) -> str:
        return ast.unparse(node)

    # ---- names ----
    def is_self(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id == self.self_name and self.lookup_local(node.id) == 0

    def resolve(self, node: ast.expr) -> Ref | None:
        """Globals and builtins only: None for locals and for expressions that are not name chains."""
        parts = dotted(node)
        if parts is None or self.lookup_local(parts[0]) is not None:
            return None
        return self.manifest.resolve_global(parts)

    def own_method(self, ref: Ref) -> str | None:
        """The method name when `ref` is `Workflow.method` of the workflow being compiled (`Checkout.norm`)."""
        entry = ref.entry
        if (
            ref.entry_kind == "workflow"
            and entry is not None
            and entry.workflow is not None
            and entry.workflow.name == self.program.workflow.name
            and len(ref.attrs) == 1
            and ref.attrs[0] in self.program.methods
        ):
            return ref.attrs[0]
        return None

    def helper_call(self, node: ast.AST) -> str | None:
        """ "sync" / "async" when `node` is a call `self.method(...)` of a workflow method."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and self.is_self(node.func.value):
            return self.owner.helper_kind(node.func.attr)
        return None

    def emits(self, node: ast.AST) -> bool:
        """Whether lowering `node` emits instructions (awaits, helper calls, comprehensions, walrus): evaluation
        order then requires earlier operands to be saved in temporaries first."""
        cached = self._emits_cache.get(id(node))
        if cached is None:
            cached = any(
                isinstance(sub, (ast.Await, ast.NamedExpr, *COMPREHENSIONS)) or self.helper_call(sub) == "sync"
                for sub in ast.walk(node)
            )
            self._emits_cache[id(node)] = cached
        return cached

    @staticmethod
    def has_walrus(nodes: list[ast.expr]) -> bool:
        return any(isinstance(sub, ast.NamedExpr) for node in nodes for sub in ast.walk(node))

    # ---- implemented by the mixins ----
    def expr(self, node: ast.expr) -> pb.Expr:
        raise NotImplementedError

    def operands(self, nodes: list[ast.expr]) -> list[pb.Expr]:
        raise NotImplementedError

    def stable(self, value: pb.Expr, later: list[ast.expr]) -> bool:
        raise NotImplementedError

    def spill(self, value: pb.Expr, node: ast.AST | None) -> pb.Expr:
        raise NotImplementedError

    def body(self, statements: list[ast.stmt]) -> None:
        raise NotImplementedError

    def target(self, node: ast.expr) -> pb.Target:
        raise NotImplementedError

    def call(self, node: ast.Call) -> pb.Expr:
        raise NotImplementedError

    def awaitable(self, node: ast.expr) -> pb.Expr:
        raise NotImplementedError

    def call_args(self, node: ast.Call, skip_keywords: frozenset[str] = frozenset()) -> list[pb.Arg]:
        raise NotImplementedError
