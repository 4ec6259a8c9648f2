"""Small helpers shared by rule modules."""

from __future__ import annotations

import ast
import sys

from waymark_compiler.rules._base import RuleContext

#: Workflow primitives the compiler lowers itself (not plain functions, even though they are functions).
PRIMITIVES = frozenset({"asyncio.sleep", "asyncio.gather", "waymark.wait_for_signal"})

#: C modules whose functions are re-exported by a public module (`_socket.gethostname` is `socket.gethostname`).
_C_MODULES = {"_thread": "threading", "_posixsubprocess": "subprocess", "_io": "io"}


def call_target(node: ast.Call, ctx: RuleContext) -> str | None:
    """The qualified name a call's callee resolves to (`datetime.datetime.now`), when it is a global or builtin."""
    ref = ctx.resolve(node.func)
    if ref is None or ref.kind not in ("global", "builtin"):
        return None
    return ref.qualname


def public_name(qualname: str) -> str:
    """`_socket.gethostname` -> `socket.gethostname`, `_asyncio.get_event_loop` -> `asyncio.get_event_loop`."""
    head, dot, rest = qualname.partition(".")
    if head in _C_MODULES:
        return _C_MODULES[head] + dot + rest
    if head.startswith("_") and head[1:] in sys.stdlib_module_names:
        return head[1:] + dot + rest
    return qualname


def names_of(func: ast.expr, ctx: RuleContext) -> frozenset[str]:
    """Every qualified name a callee (or an object) goes by: what the worker resolved it to, that name's public
    spelling, the chain spelled from the module it was reached through, and for an attribute of a module-level
    object, the attribute on the object's class (`client.get` -> `requests.sessions.Session.get`)."""
    ref = ctx.resolve(func)
    if ref is None or ref.kind not in ("global", "builtin"):
        return frozenset()
    names: set[str] = set()
    if ref.qualname:
        names |= {ref.qualname, public_name(ref.qualname)}
    written = ctx.module_path(func)
    if written:
        names |= {written, public_name(written)}
    opaque = ref.entry.opaque if ref.entry is not None else None
    if opaque is not None:
        typed = ".".join((opaque.type_qualname, *ref.attrs))
        names |= {typed, public_name(typed)}
    return frozenset(names)


def call_names(node: ast.Call, ctx: RuleContext) -> frozenset[str]:
    return names_of(node.func, ctx)


def matches(names: frozenset[str], exact: frozenset[str], prefixes: tuple[str, ...] = ()) -> str | None:
    """The first name that is in `exact` or starts with one of `prefixes` (a prefix `x.` also matches `x`)."""
    for name in sorted(names):
        if name in exact or name.startswith(prefixes) or any(name == p.rstrip(".") for p in prefixes):
            return name
    return None


def referenced(node: ast.AST, ctx: RuleContext, exact: frozenset[str], prefixes: tuple[str, ...] = ()) -> bool:
    """A name or attribute read without being called (`now = datetime.now`, `key=random.random`) that is one of
    these functions: calling it later is the same problem. (A call claims its callee first, so only references are
    left for this.)"""
    if not isinstance(node, (ast.Name, ast.Attribute)) or not isinstance(node.ctx, ast.Load):
        return False
    ref = ctx.resolve(node)
    if ref is None or ref.kind != "global" or ref.entry_kind == "module":
        return False
    return matches(names_of(node, ctx), exact, prefixes) is not None


def span_node(start: ast.AST, end: ast.AST) -> ast.stmt:
    """A position-only node from the start of `start` to the end of `end` (for spans that are not one node)."""
    node = ast.Pass()
    node.lineno, node.col_offset = getattr(start, "lineno", 1), getattr(start, "col_offset", 0)
    node.end_lineno, node.end_col_offset = getattr(end, "end_lineno", None), getattr(end, "end_col_offset", None)
    return node
