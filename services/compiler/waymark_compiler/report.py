"""Collects the diagnostics of one workflow; each AST node gets at most one (the first rule that claims it)."""

from __future__ import annotations

import ast
from typing import Any

from waymark_compiler.diagnostics import Diagnostic
from waymark_compiler.rules import Finding, Rule
from waymark_compiler.source import SourceFile

#: Singleton nodes (`ast.Load()`, `ast.Add()` ...) shared by the whole tree: claiming one would claim every use.
_SHARED = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


class Reporter:
    def __init__(self, source: SourceFile, workflow: str = "", module: str = "") -> None:
        self.source = source
        self.workflow = workflow
        self.module = module
        self.diagnostics: list[Diagnostic] = []
        self._claimed: set[int] = set()
        self._seen: set[tuple[str, int, int, int, int]] = set()

    def claimed(self, node: ast.AST) -> bool:
        return id(node) in self._claimed

    def add(self, rule: Rule, finding: Finding, claim: ast.AST | None = None) -> None:
        for node in (finding.node, claim, *finding.claims):
            if node is not None and not isinstance(node, _SHARED):
                self._claimed.add(id(node))
        span = self.source.span(finding.node)
        key = (rule.code, span.line, span.col, span.end_line, span.end_col)
        if key in self._seen:  # a helper compiled once but reached twice, or two nodes with one span
            return
        self._seen.add(key)
        self.diagnostics.append(
            Diagnostic.at(self.source, span, rule.code, finding.message, finding.help, self.workflow)
        )

    def report(self, rule: Rule, node: ast.AST, **fmt: Any) -> None:
        if not self.claimed(node):
            self.add(rule, rule.finding(node, **fmt))
