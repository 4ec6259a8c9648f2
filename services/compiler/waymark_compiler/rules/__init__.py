"""Every diagnostic the compiler can emit, one module per rule (adding a rule = adding a module here).

`ALL` lists them by code; `PATTERN_RULES` are the ones the walker runs, specific rules first.
"""

from __future__ import annotations

import importlib
import pkgutil

from waymark_compiler.rules._base import Finding, Rule, RuleContext

#: The module that defines each code (`WM101` -> `datetime_now`), for the generated docs.
MODULE_OF: dict[str, str] = {}


def _discover() -> tuple[Rule, ...]:
    found: dict[str, Rule] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise TypeError(f"{module.__name__} must define RULE = Rule(...)")
        if rule.code in found:
            raise ValueError(f"two rules use {rule.code}: {found[rule.code].name} and {rule.name}")
        if not (rule.doc or "").strip():
            raise ValueError(f"{module.__name__} needs a docstring (What / Why / Example / Use instead)")
        found[rule.code] = rule
        MODULE_OF[rule.code] = info.name
    return tuple(found[code] for code in sorted(found))


ALL: tuple[Rule, ...] = _discover()
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL}
PATTERN_RULES: tuple[Rule, ...] = tuple(
    sorted((r for r in ALL if r.check is not None), key=lambda r: (r.fallback, r.code))
)

__all__ = ["ALL", "BY_CODE", "MODULE_OF", "PATTERN_RULES", "Finding", "Rule", "RuleContext"]
