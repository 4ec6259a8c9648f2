"""Module-level lists, dicts and sets that a workflow only reads: frozen into the version, like module constants.

The worker sends the value its import computed (`OpaqueEntry.data`, plain data only). Such a table is
configuration: a workflow that reads `RATES[country]` gets the value `RATES` had when the worker registered, in
every run of that version, on every scheduler. That is only what the user means when nothing changes the table after
the import, so the module's own source is searched for code that changes it after the import: inside any function
(an `@action`, a plain function, a method of another class), a subscript or attribute assignment or `del` through it,
an augmented assignment, a mutating method call (`RATES.update(...)`, `RATES["x"].append(...)`), a rebinding through
`global RATES`, or passing it to a function that changes its argument (`random.shuffle(RATES)`). Statements at the
top level of the module (and class bodies) run during the import, before registration: building the table there
(`RATES = {}` then `RATES["US"] = 7`) is part of the value that is frozen.

Changes inside the workflow classes themselves are not searched here: those methods are compiled, and WM136 reports
a change there where it is written.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from waymark_ir import pb

from waymark_compiler.manifest import Manifest

#: Methods that change a list, dict or set in place.
MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "sort",
        "reverse",
        "update",
        "setdefault",
        "popitem",
        "add",
        "discard",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
        "__setitem__",
        "__delitem__",
        "__iadd__",
        "__ior__",
    }
)
#: Functions that change their first argument in place (by the last part of their name, however imported).
MUTATING_FUNCTIONS = frozenset(
    {
        "shuffle",
        "heappush",
        "heappop",
        "heapify",
        "heapreplace",
        "heappushpop",
        "insort",
        "insort_left",
        "insort_right",
        "setitem",
        "delitem",
        "setattr",
        "delattr",
    }
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class DataChange:
    """Where the module changes a table after its import: line, and what is written there."""

    line: int
    code: str  # the statement or call, shortened
    where: str  # "refresh()", "module level"

    def describe(self) -> str:
        return f"line {self.line}, `{self.code}` in {self.where}"


def freeze_module_data(manifest: Manifest, tree: ast.Module, workflow_classes: set[str]) -> None:
    """Turn each module-level table the module never changes into a constant entry of the manifest (recorded in
    `manifest.frozen_data`); record where the others are changed (`manifest.data_changes`) or that they are not
    defined in this module (`manifest.foreign_data`)."""
    candidates = [
        path
        for path, entry in manifest.entries.items()
        if entry.opaque is not None and entry.opaque.data is not None and "." not in path
    ]
    if not candidates:
        return
    defined = _defined_at_top_level(tree)
    skip = _workflow_class_nodes(tree, workflow_classes)
    for path in candidates:
        entry = manifest.entries[path]
        assert entry.opaque is not None and entry.opaque.data is not None
        if path not in defined:
            manifest.foreign_data.add(path)
            continue
        changes = list(_changes(tree, path, skip))
        if changes:
            manifest.data_changes[path] = changes[0]
            continue
        manifest.entries[path] = pb.ManifestEntry(path=path, constant=entry.opaque.data)
        manifest.frozen_data[path] = entry.opaque.type_qualname


def short_type(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


# ---- the search ------------------------------------------------------------------------------------------------


def _defined_at_top_level(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for statement in _top_level(tree.body):
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    found.add(sub.id)
    return found


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run by the import itself (through `if`/`try`/`for`/`with` blocks, not into defs or classes)."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _top_level(getattr(statement, field, []) or [])
        for handler in getattr(statement, "handlers", []) or []:
            yield from _top_level(handler.body)


def _workflow_class_nodes(tree: ast.Module, qualnames: set[str]) -> set[int]:
    """The class statements of the workflows (by name) and of the classes they derive from in this module."""
    classes = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    pending = [q.split(".")[-1] for q in qualnames]
    found: set[int] = set()
    while pending:
        node = classes.get(pending.pop())
        if node is None or id(node) in found:
            continue
        found.add(id(node))
        pending += [base.id for base in node.bases if isinstance(base, ast.Name)]
    return found


def _changes(tree: ast.Module, name: str, skip: set[int]) -> Iterator[DataChange]:
    yield from _scan(tree.body, name, None, skip)


def _scan(body: list[ast.stmt] | list[ast.AST], name: str, where: str | None, skip: set[int]) -> Iterator[DataChange]:
    """`where` is None at import time (module level, class bodies), else the function's description."""
    for node in body:
        yield from _visit(node, name, where, skip)


def _visit(node: ast.AST, name: str, where: str | None, skip: set[int]) -> Iterator[DataChange]:
    if isinstance(node, ast.ClassDef):
        if id(node) in skip:
            return
        for decorator in node.decorator_list:
            yield from _visit(decorator, name, where, skip)
        yield from _scan(node.body, name, where, skip)
        return
    if isinstance(node, _FUNCTIONS):
        yield from _function(node, name, skip)
        return
    if where is not None:
        change = _change_at(node, name, where)
        if change is not None:
            yield change
    for child in ast.iter_child_nodes(node):
        yield from _visit(child, name, where, skip)


def _function(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, name: str, skip: set[int]
) -> Iterator[DataChange]:
    if not isinstance(node, ast.Lambda):
        for decorator in node.decorator_list:
            yield from _visit(decorator, name, None, skip)
    where = "a lambda" if isinstance(node, ast.Lambda) else f"{node.name}()"
    declared_global = any(isinstance(sub, ast.Global) and name in sub.names for sub in _own_nodes(node))
    if not declared_global and name in _local_names(node):
        return  # a local (or a closure variable of nested functions) of the same name, not the table
    body: list[ast.AST] = [node.body] if isinstance(node, ast.Lambda) else list(node.body)
    if declared_global:
        for sub in _own_nodes(node):
            if isinstance(sub, ast.Name) and sub.id == name and isinstance(sub.ctx, (ast.Store, ast.Del)):
                yield DataChange(sub.lineno, f"global {name}; {_segment(_statement_of(node, sub))}", where)
                return
    yield from _scan(body, name, where, skip)


def _change_at(node: ast.AST, name: str, where: str) -> DataChange | None:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        for target in node.targets:
            targets += target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = list(node.targets)
    for target in targets:
        if isinstance(target, (ast.Subscript, ast.Attribute)) and _base_is(target, name):
            return DataChange(node.lineno, _segment(node), where)  # type: ignore[attr-defined]
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in MUTATORS and _base_is(func.value, name):
            return DataChange(node.lineno, _segment(node), where)
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else None
        mutating = last in MUTATING_FUNCTIONS or (owner in ("dict", "list", "set") and last in MUTATORS)
        if mutating and node.args and _base_is(node.args[0], name):
            return DataChange(node.lineno, _segment(node), where)
    return None


def _base_is(node: ast.expr, name: str) -> bool:
    """Whether `node` is `name`, or a container reached from it (`name["a"]`, `name.get("a")`)."""
    while True:
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            node = node.func.value
        else:
            return isinstance(node, ast.Name) and node.id == name


def _own_nodes(func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[ast.AST]:
    out: list[ast.AST] = []
    stack: list[ast.AST] = [func.body] if isinstance(func, ast.Lambda) else list(func.body)
    while stack:
        node = stack.pop()
        out.append(node)
        if not isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return out


def _local_names(func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    args = func.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    for sub in _own_nodes(func):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in sub.names}
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            names.add(sub.name)
        elif isinstance(sub, ast.Nonlocal):
            names |= set(sub.names)
    return names


def _statement_of(func: ast.AST, node: ast.AST) -> ast.AST:
    found = node
    for sub in ast.walk(func):
        if (
            isinstance(sub, ast.stmt)
            and not isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef))
            and any(child is node for child in ast.walk(sub))
        ):
            found = sub  # breadth first: the innermost statement that holds it comes last
    return found


def _segment(node: ast.AST) -> str:
    try:
        text = ast.unparse(node).splitlines()[0]
    except Exception:  # noqa: BLE001 - a synthetic node
        return "..."
    return text if len(text) <= 50 else text[:47] + "..."
