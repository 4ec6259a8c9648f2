"""The generated part of docs/language.md: the builtins and the methods of data the compiler accepts (which are
exactly what the VM implements; tests/differential/test_language_tables.py checks both).

    python -m waymark_compiler.language_doc --write     # rewrite the generated block of docs/language.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from waymark_compiler.builtins_table import (
    CLASS_METHODS,
    CONVERSIONS,
    METHODS_BY_TYPE,
    MODEL_CLASS_METHODS,
    MODULE_FUNCTIONS,
    PURE_FUNCTIONS,
    VM_CONSTRUCTIBLE,
)

BEGIN = "<!-- BEGIN GENERATED: python -m waymark_compiler.language_doc --write -->"
END = "<!-- END GENERATED -->"
DOC = Path(__file__).resolve().parents[3] / "docs" / "language.md"

_TYPE_TITLES = {
    "model": "pydantic models",
    "exception": "exceptions",
}


def _names(names: frozenset[str] | set[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(names))


def render() -> str:
    lines = [
        BEGIN,
        "",
        "| what | names |",
        "| --- | --- |",
        f"| builtin functions | {_names(PURE_FUNCTIONS)} |",
        f"| conversions (also usable in `isinstance`) | {_names(CONVERSIONS)} |",
        f"| stdlib constructors from run-time values | {_names(VM_CONSTRUCTIBLE)} |",
        f"| class methods | {_names(CLASS_METHODS)} |",
        f"| module functions | {_names(MODULE_FUNCTIONS)} |",
        f"| class methods of pydantic models | {_names(MODEL_CLASS_METHODS)} |",
        "",
        "Methods of data, by the receiver's type:",
        "",
        "| type | methods |",
        "| --- | --- |",
    ]
    for type_name in sorted(METHODS_BY_TYPE, key=str.lower):
        title = _TYPE_TITLES.get(type_name, f"`{type_name}`")
        lines.append(f"| {title} | {_names(METHODS_BY_TYPE[type_name])} |")
    lines += ["", END]
    return "\n".join(lines)


def splice(text: str) -> str:
    """`text` with its generated block replaced by the current one."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + render() + text[end:]


def main(argv: list[str]) -> int:
    text = DOC.read_text()
    fresh = splice(text)
    if "--write" in argv:
        DOC.write_text(fresh)
        return 0
    if fresh != text:
        print(f"{DOC} is stale: run python -m waymark_compiler.language_doc --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
