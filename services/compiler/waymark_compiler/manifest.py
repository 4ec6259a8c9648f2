"""The bundle's manifest: what the names a workflow uses referred to when the worker imported its module.

A reference `a.b.c` whose head is not a local resolves through the longest manifest path among `a`, `a.b`, `a.b.c`;
the remaining attributes are appended to that entry's qualified name, so `datetime.now` (`from datetime import
datetime`) and `datetime.datetime.now` (`import datetime`) both resolve to `datetime.datetime.now`.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import betterproto2
from waymark_ir import pb

if TYPE_CHECKING:
    from waymark_compiler.module_data import DataChange

#: Public spellings of objects whose defining module is private or an implementation detail.
ALIASES: dict[str, str] = {
    "asyncio.tasks.sleep": "asyncio.sleep",
    "asyncio.tasks.gather": "asyncio.gather",
    "waymark._signals.wait_for_signal": "waymark.wait_for_signal",
    "waymark._policy.RetryPolicy": "waymark.RetryPolicy",
    "waymark._policy.Backoff": "waymark.Backoff",
    # the os module's functions live in its platform module
    "posix": "os",
    "nt": "os",
    "posixpath": "os.path",
    "ntpath": "os.path",
}

#: SDK policy objects: opaque in the manifest; a module-level one is folded from its assignment in the source
#: (`lower.policy.StaticEvaluator.module_policy`)
POLICY_TYPES = frozenset({"waymark.RetryPolicy", "waymark.Backoff"})

EntryKind = Literal["action", "class_ref", "module", "constant", "function", "workflow", "opaque"]
RefKind = Literal["local", "global", "builtin", "undefined"]


def entry_kind(entry: pb.ManifestEntry) -> EntryKind | None:
    which = betterproto2.which_one_of(entry, "kind")[0]
    return which or None  # type: ignore[return-value]


def canonical(qualname: str) -> str:
    for prefix, public in ALIASES.items():
        if qualname == prefix or qualname.startswith(prefix + "."):
            return public + qualname[len(prefix) :]
    return qualname


def entry_qualname(entry: pb.ManifestEntry) -> str | None:
    kind = entry_kind(entry)
    if kind == "module" and entry.module is not None:
        return entry.module.name
    if kind == "class_ref" and entry.class_ref is not None:
        return entry.class_ref.qualname
    if kind == "function" and entry.function is not None:
        return entry.function.qualname
    if kind == "action" and entry.action is not None:
        return f"{entry.action.module}.{entry.action.qualname}"
    return None


def dotted(node: ast.expr) -> tuple[str, ...] | None:
    """`a.b.c` as ("a", "b", "c"); None for anything that is not a plain name/attribute chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return tuple(reversed(parts))


@dataclass(frozen=True)
class Ref:
    """What a name or dotted chain refers to."""

    kind: RefKind
    parts: tuple[str, ...]
    entry: pb.ManifestEntry | None = None  # global: the manifest entry of the longest matching path
    consumed: int = 1  # how many of `parts` the entry's path covers
    qualname: str | None = None  # fully qualified name of the whole chain, when known

    @property
    def attrs(self) -> tuple[str, ...]:
        return self.parts[self.consumed :]

    @property
    def entry_kind(self) -> EntryKind | None:
        return None if self.entry is None else entry_kind(self.entry)


@dataclass
class Manifest:
    entries: dict[str, pb.ManifestEntry]
    used: dict[str, pb.ManifestEntry] = field(default_factory=dict)
    #: module-level tables only read, now constant entries (`module_data.freeze_module_data`): path -> type qualname
    frozen_data: dict[str, str] = field(default_factory=dict)
    #: module-level tables the module changes after its import: where (reading them stays WM131)
    data_changes: dict[str, DataChange] = field(default_factory=dict)
    #: module-level tables not assigned in the workflow's module (imported): the compiler cannot see their changes
    foreign_data: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, entries: Iterable[pb.ManifestEntry]) -> Manifest:
        return cls({e.path: e for e in entries})

    def lookup(self, parts: tuple[str, ...], *, record: bool = True) -> tuple[pb.ManifestEntry, int] | None:
        for count in range(len(parts), 0, -1):
            path = ".".join(parts[:count])
            entry = self.entries.get(path)
            if entry is not None:
                if record:
                    self.used[path] = entry
                return entry, count
        return None

    def _through_module(self, parts: tuple[str, ...], consumed: int) -> tuple[str | None, tuple[str, ...]]:
        for count in range(consumed - 1, 0, -1):
            entry = self.entries.get(".".join(parts[:count]))
            if entry is not None and entry.module is not None:
                return entry.module.name, parts[count:]
        return None, parts[consumed:]

    def resolve_global(self, parts: tuple[str, ...], *, record: bool = True) -> Ref:
        found = self.lookup(parts, record=record)
        if found is not None:
            entry, consumed = found
            base = entry_qualname(entry)
            rest = parts[consumed:]
            if base is None:  # a constant or object reached through a module: name it by that module
                base, rest = self._through_module(parts, consumed)
            qualname = None if base is None else canonical(".".join((base, *rest)))
            return Ref("global", parts, entry, consumed, qualname)
        if parts[0] in vars(builtins):
            return Ref("builtin", parts, None, 1, ".".join(("builtins", *parts)))
        return Ref("undefined", parts)
