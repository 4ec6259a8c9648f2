"""The compiler accepts exactly what the VM implements: its table of methods by receiver type and its builtins
must match the VM's own lists (`waymark_scheduler._vm.METHODS` / `BUILTINS`)."""

from __future__ import annotations

import pytest
from waymark_compiler import builtins_table as table

vm = pytest.importorskip("waymark_scheduler._vm")


def test_methods_match_the_vm() -> None:
    assert {t: sorted(names) for t, names in table.METHODS_BY_TYPE.items()} == {
        t: sorted(names) for t, names in vm.METHODS.items()
    }


def test_every_accepted_builtin_is_implemented() -> None:
    accepted = (
        table.PURE_FUNCTIONS | table.CONVERSIONS | table.CLASS_METHODS | table.MODULE_FUNCTIONS | table.CLASS_CONSTANTS
    )
    accepted |= {f"pydantic.{name}" for name in table.MODEL_CLASS_METHODS}
    assert accepted <= set(vm.BUILTINS), sorted(accepted - set(vm.BUILTINS))


def test_language_doc_is_generated() -> None:
    from waymark_compiler import language_doc

    text = language_doc.DOC.read_text()
    assert language_doc.splice(text) == text, (
        "docs/language.md is stale: python -m waymark_compiler.language_doc --write"
    )
