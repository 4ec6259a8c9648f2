"""Limits of the compiler and of the VM's program decoder, checked before they are hit.

A workflow nested deeper than these would otherwise fail far from the user: the compiler's recursive passes would
overflow Python's stack, and the VM decodes programs with prost, which refuses messages nested more than 100 deep
(a sum of 60 terms is an `Expr` 120 messages deep). Both are reported as WM126 at the offending statement instead,
so a workflow that compiles always loads in the VM.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import sys
from collections.abc import Iterator
from typing import Any, cast

import betterproto2
from waymark_ir import pb

#: Deepest AST (statements and expressions) the compiler's recursive passes take, well inside Python's default
#: recursion limit. Deeper code is refused before those passes run.
AST_MAX_DEPTH = 200
#: prost's default recursion limit (`DecodeContext`): the VM cannot decode a program whose messages nest deeper.
VM_MAX_NESTING = 100

_SHARED = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


def deepest_statement(node: ast.AST, limit: int = AST_MAX_DEPTH) -> tuple[ast.stmt, int] | None:
    """The innermost statement on a path deeper than `limit` below `node` (iteratively: the tree may be deeper than
    the Python stack), with that path's depth; None when everything is within the limit."""
    stack: list[tuple[ast.AST, int, ast.stmt | None]] = [(node, 0, node if isinstance(node, ast.stmt) else None)]
    while stack:
        current, depth, statement = stack.pop()
        if depth > limit:
            return (statement if statement is not None else _as_statement(current)), depth
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, _SHARED):
                stack.append((child, depth + 1, child if isinstance(child, ast.stmt) else statement))
    return None


def _as_statement(node: ast.AST) -> ast.stmt:
    stmt = ast.Pass()
    ast.copy_location(stmt, node)
    return stmt


def too_large_int(value: object) -> bool:
    """An int Python cannot turn into decimal text (the value encoding writes big ints as text)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return bool(limit) and abs(value).bit_length() * math.log10(2) >= limit - 1


def program_nesting(program: pb.Program) -> Iterator[tuple[pb.Instr, int]]:
    """Each instruction with the nesting depth of its deepest message, counted like the VM's decoder: the Program
    message is depth 1, each message inside another one level deeper."""
    for function in program.functions:
        for instr in function.code:
            yield instr, 2 + _message_depth(instr)


def _message_depth(root: betterproto2.Message) -> int:
    deepest = 1
    stack: list[tuple[betterproto2.Message, int]] = [(root, 1)]
    while stack:
        message, depth = stack.pop()
        deepest = max(deepest, depth)
        for field in dataclasses.fields(cast(Any, message)):  # betterproto2 messages are dataclasses
            value = getattr(message, field.name, None)
            if isinstance(value, betterproto2.Message):
                stack.append((value, depth + 1))
            elif isinstance(value, list):
                stack.extend((item, depth + 1) for item in value if isinstance(item, betterproto2.Message))
    return deepest
