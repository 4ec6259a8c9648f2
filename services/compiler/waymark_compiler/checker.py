"""Runs the pattern rules over a compiled function, tracking which names are local at each point."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace

from waymark_compiler.manifest import Manifest, Ref, canonical, dotted
from waymark_compiler.report import Reporter
from waymark_compiler.rules import PATTERN_RULES, Rule
from waymark_compiler.scope import COMPREHENSIONS, FunctionNode, parameters, target_names

_BY_TYPE: dict[type[ast.AST], list[Rule]] = {}
for _rule in PATTERN_RULES:
    for _node_type in _rule.nodes:
        _BY_TYPE.setdefault(_node_type, []).append(_rule)

_SKIP = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class FunctionChecker:
    """One function's walk; also the `RuleContext` the rules see."""

    #: the function is an exception's `__init__`/`__str__` (lower/exception_methods.py): `super()` is allowed
    exception_method: bool = False

    def __init__(
        self,
        func: FunctionNode,
        local_names: set[str],
        manifest: Manifest,
        helper_kind: Callable[[str], str | None],
        reporter: Reporter,
    ) -> None:
        self.func = func
        self.locals = local_names
        self.manifest = manifest
        self.helper_kind = helper_kind  # "sync" | "async" | None
        self.reporter = reporter
        self.scopes: list[set[str]] = []
        self._bindings: dict[str, list[tuple[int, int]]] | None = None
        self._globals: set[str] | None = None

    # ---- RuleContext ----
    def resolve(self, node: ast.expr) -> Ref | None:
        parts = dotted(node)
        if parts is None:
            return None
        if self.is_local(parts[0]):
            return Ref("local", parts)
        return self.manifest.resolve_global(parts, record=False)

    def is_helper(self, name: str) -> bool:
        return self.helper_kind(name) is not None

    def is_async_helper(self, name: str) -> bool:
        return self.helper_kind(name) == "async"

    def segment(self, node: ast.AST) -> str:
        try:
            text = ast.unparse(node)
        except Exception:  # noqa: BLE001 - a synthetic span node
            return "<expression>"
        return text if len(text) <= 60 else text[:57] + "..."

    def module_path(self, node: ast.expr) -> str | None:
        parts = dotted(node)
        if parts is None or self.is_local(parts[0]):
            return None
        for count in range(len(parts), 0, -1):
            entry = self.manifest.entries.get(".".join(parts[:count]))
            if entry is not None and entry.module is not None:
                return canonical(".".join((entry.module.name, *parts[count:])))
        return None

    def global_ref(self, name: str) -> Ref | None:
        ref = self.manifest.resolve_global((name,), record=False)
        return ref if ref.kind == "global" else None

    def bound_before(self, name: str, node: ast.AST) -> bool:
        if self._bindings is None:
            self._bindings = _binding_positions(self.func)
        where = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        return any(position < where for position in self._bindings.get(name, ()))

    def declared_global(self, name: str) -> bool:
        if self._globals is None:
            self._globals = {n for node in _own_nodes(self.func) if isinstance(node, ast.Global) for n in node.names}
        return name in self._globals

    @property
    def module(self) -> str:
        return self.reporter.module

    def is_local(self, name: str) -> bool:
        return name in self.locals or any(name in scope for scope in self.scopes)

    # ---- walk ----
    def run(self) -> None:
        for statement in self.func.body:
            self.visit(statement)

    def visit(self, node: ast.AST) -> None:
        rules = () if self.reporter.claimed(node) else _BY_TYPE.get(type(node), ())
        for rule in rules:
            assert rule.check is not None
            findings = list(rule.check(node, self))
            for finding in findings:
                if isinstance(node, ast.Call):
                    # a call is flagged for what it calls: the callee's parts are not reported again
                    finding = replace(finding, claims=(*finding.claims, *ast.walk(node.func)))
                self.reporter.add(rule, finding, claim=node)
            if findings:
                break
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # a nested function is refused (WM125) and not compiled, but a `nonlocal`/`global` in it is the
            # mutation the user meant: report it where it is written
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Global, ast.Nonlocal)):
                    self.visit(sub)
        if isinstance(node, _SKIP):
            return
        if isinstance(node, COMPREHENSIONS):
            self.visit_comprehension(node)
            return
        if isinstance(node, ast.AnnAssign):  # a local annotation is never evaluated
            self.visit(node.target)
            if node.value is not None:
                self.visit(node.value)
            return
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    def visit_comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        scope: set[str] = set()
        for index, gen in enumerate(node.generators):
            if index == 0:
                self.visit(gen.iter)  # evaluated in the enclosing scope
            self.scopes.append(scope)
            if index > 0:
                self.visit(gen.iter)
            scope.update(target_names(gen.target))
            self.visit(gen.target)
            for cond in gen.ifs:
                self.visit(cond)
            self.scopes.pop()
        self.scopes.append(scope)
        for element in [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]:
            self.visit(element)
        self.scopes.pop()


def _own_nodes(func: FunctionNode) -> list[ast.AST]:
    """The nodes of the function's body, not those of functions, classes or lambdas nested in it."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        out.append(node)
        if not isinstance(node, _SKIP):
            stack.extend(ast.iter_child_nodes(node))
    return out


def _binding_positions(func: FunctionNode) -> dict[str, list[tuple[int, int]]]:
    """Where each name is bound in the function: parameters at (0, 0), then every store, import, `except ... as`,
    and nested definition (comprehension variables are their own scope and not included)."""
    found: dict[str, list[tuple[int, int]]] = {p.arg: [(0, 0)] for p in parameters(func)}

    def bind(name: str, node: ast.AST) -> None:
        found.setdefault(name, []).append((getattr(node, "lineno", 0), getattr(node, "col_offset", 0)))

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bind(node.id, node)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name, node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind((alias.asname or alias.name).split(".")[0], node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name, node)
            return
        elif isinstance(node, ast.Lambda):
            return
        elif isinstance(node, COMPREHENSIONS):
            for gen in node.generators:
                visit(gen.iter)
                for cond in gen.ifs:
                    visit(cond)
            for element in [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]:
                visit(element)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in func.body:
        visit(statement)
    return found
