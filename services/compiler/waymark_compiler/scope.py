"""Which names a function binds (its locals), following Python's rule: a name bound anywhere in the function is
local everywhere in it. Comprehension targets belong to the comprehension's own scope; a walrus inside a
comprehension binds in the function."""

from __future__ import annotations

import ast

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def parameters(func: FunctionNode) -> list[ast.arg]:
    a = func.args
    out = [*a.posonlyargs, *a.args]
    if a.vararg is not None:
        out.append(a.vararg)
    out += a.kwonlyargs
    if a.kwarg is not None:
        out.append(a.kwarg)
    return out


def target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for item in target.elts for n in target_names(item)]
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return []


def local_names(func: FunctionNode) -> list[str]:
    """Parameters first (in order), then every other bound name in order of first appearance."""
    names: dict[str, None] = {p.arg: None for p in parameters(func)}

    def bind(name: str) -> None:
        names.setdefault(name, None)

    def visit(node: ast.AST, in_comprehension: bool) -> None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) and not in_comprehension:
            bind(node.id)
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            bind(node.target.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name)
            return  # their bodies are other scopes
        elif isinstance(node, ast.Lambda):
            return
        elif isinstance(node, COMPREHENSIONS):
            for index, gen in enumerate(node.generators):
                # the first iterable is evaluated in the enclosing scope
                visit(gen.iter, in_comprehension if index == 0 else True)
                visit(gen.target, True)
                for cond in gen.ifs:
                    visit(cond, True)
            elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for element in elements:
                visit(element, True)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, in_comprehension)

    for statement in func.body:
        visit(statement, False)
    return list(names)
