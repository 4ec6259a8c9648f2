"""The shape of a rule. Each rule lives in its own module under `waymark_compiler.rules`, whose docstring says
What / Why / Example / Use instead (the docs page is generated from it), and which defines `RULE`.

Two flavours:
- pattern rules have `nodes` and `check`: the walker calls `check(node, ctx)` for every node of those types inside a
  compiled function and reports what it yields;
- lowering rules have no `check`: the lowering reports them when it meets something it cannot compile
  (`reporter.report(RULE, node, ...)`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from waymark_compiler.manifest import Manifest, Ref


@dataclass(frozen=True)
class Finding:
    node: ast.AST
    message: str
    help: str
    claims: tuple[ast.AST, ...] = ()  # more nodes this finding covers, so no rule reports them again


class RuleContext(Protocol):
    #: what the names used refer to, with the module-level tables frozen into the version or not (module_data.py)
    manifest: Manifest

    def resolve(self, node: ast.expr) -> Ref | None:
        """What a name or dotted chain refers to (None for other expressions)."""

    def is_helper(self, name: str) -> bool:
        """Whether `self.<name>` is a method of the workflow class (compiled too)."""

    def is_async_helper(self, name: str) -> bool:
        """Whether `self.<name>` is an `async def` method of the workflow class."""

    def segment(self, node: ast.AST) -> str:
        """The node's source text, on one line."""

    def module_path(self, node: ast.expr) -> str | None:
        """A global dotted chain spelled from the module it starts in: `t.monotonic` (`import time as t`) ->
        `time.monotonic`, `secrets.choice` -> `secrets.choice` (whose function is `random.Random.choice`)."""

    def global_ref(self, name: str) -> Ref | None:
        """What a module-level name refers to, even where a local shadows it (None when it is not one)."""

    def bound_before(self, name: str, node: ast.AST) -> bool:
        """Whether the function binds `name` (a parameter, or an assignment) at a position before `node`."""

    def declared_global(self, name: str) -> bool:
        """Whether the function declares `global name` (so assigning `name` assigns the module's)."""

    @property
    def module(self) -> str:
        """The module the workflow is defined in."""


Check = Callable[[Any, RuleContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # kebab-case, what the pattern is: "datetime-now"
    message: str  # str.format template of the one-line message
    help: str  # str.format template of the fix
    doc: str  # the module docstring
    nodes: tuple[type[ast.AST], ...] = ()
    check: Check | None = None
    fallback: bool = False  # runs after every specific rule, so those claim their nodes first
    defaults: dict[str, str] = field(default_factory=dict)  # template values a caller may leave out

    def finding(self, node: ast.AST, *, claims: tuple[ast.AST, ...] = (), **fmt: Any) -> Finding:
        values = {**self.defaults, **fmt}
        return Finding(node, self.message.format(**values), self.help.format(**values), claims)
