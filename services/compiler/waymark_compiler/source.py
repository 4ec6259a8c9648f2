"""The module source a bundle carries, with the position arithmetic diagnostics need.

`ast` reports columns as UTF-8 byte offsets; people (and editors) count characters. Everything outside this module
speaks 1-based character columns.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """1-based lines and character columns; `end_col` is exclusive (the column just after the last character)."""

    line: int
    col: int
    end_line: int
    end_col: int


class SourceFile:
    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.text = text
        self.lines = text.splitlines()

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def char_col(self, line: int, byte_offset: int) -> int:
        """1-based character column of a 0-based UTF-8 byte offset on `line`."""
        raw = self.line_text(line).encode("utf-8")
        return len(raw[:byte_offset].decode("utf-8", errors="replace")) + 1

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1) or 1
        col = self.char_col(line, getattr(node, "col_offset", 0) or 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_offset = getattr(node, "end_col_offset", None)
        end_col = self.char_col(end_line, end_offset) if end_offset is not None else col + 1
        if end_line == line and end_col <= col:
            end_col = col + 1
        return Span(line, col, end_line, end_col)


def find_class(tree: ast.Module, qualname: str) -> ast.ClassDef | None:
    """The class statement named by a `__qualname__`, including classes defined inside functions
    (`test_x.<locals>.Flow`), like `inspect.getsource` does. With several definitions of one qualname, the last."""
    parts = qualname.split(".")
    scopes: list[list[ast.stmt]] = [tree.body]
    found: ast.ClassDef | None = None
    for index, part in enumerate(parts):
        if part == "<locals>":
            continue
        last = index == len(parts) - 1
        next_scopes: list[list[ast.stmt]] = []
        for body in scopes:
            for node in _statements(body):
                if last and isinstance(node, ast.ClassDef) and node.name == part:
                    found = node
                elif (
                    not last
                    and isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                    and node.name == part
                ):
                    next_scopes.append(node.body)
        if last:
            return found
        scopes = next_scopes
    return None


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements of a body, looking through compound statements (a class defined under `if` or `try`)."""
    out: list[ast.stmt] = []
    for node in body:
        out.append(node)
        if isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.AsyncWith, ast.AsyncFor)):
            out += _statements(node.body) + _statements(node.orelse if hasattr(node, "orelse") else [])
        elif isinstance(node, ast.Try):
            out += _statements(node.body) + _statements(node.orelse) + _statements(node.finalbody)
            for handler in node.handlers:
                out += _statements(handler.body)
    return out
