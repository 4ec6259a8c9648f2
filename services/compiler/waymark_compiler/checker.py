"""Runs the pattern rules over a compiled function, tracking which names are local at each point."""

from __future__ import annotations

import ast
from collections.abc import Callable

from waymark_compiler.manifest import Manifest, Ref, dotted
from waymark_compiler.report import Reporter
from waymark_compiler.rules import PATTERN_RULES, Rule
from waymark_compiler.scope import COMPREHENSIONS, FunctionNode, target_names

_BY_TYPE: dict[type[ast.AST], list[Rule]] = {}
for _rule in PATTERN_RULES:
    for _node_type in _rule.nodes:
        _BY_TYPE.setdefault(_node_type, []).append(_rule)

_SKIP = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class FunctionChecker:
    """One function's walk; also the `RuleContext` the rules see."""

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

    # ---- RuleContext ----
    def resolve(self, node: ast.expr) -> Ref | None:
        parts = dotted(node)
        if parts is None:
            return None
        if parts[0] in self.locals or any(parts[0] in scope for scope in self.scopes):
            return Ref("local", parts)
        return self.manifest.resolve_global(parts, record=False)

    def is_helper(self, name: str) -> bool:
        return self.helper_kind(name) is not None

    def is_async_helper(self, name: str) -> bool:
        return self.helper_kind(name) == "async"

    def segment(self, node: ast.AST) -> str:
        try:
            return ast.unparse(node)
        except Exception:  # noqa: BLE001 - a synthetic span node
            return "<expression>"

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
                self.reporter.add(rule, finding, claim=node)
            if findings:
                break
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
