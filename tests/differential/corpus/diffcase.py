"""What one differential case is: a workflow, its input, and what the test supplies (overrides, signals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    label: str
    workflow: type
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: the qualified class name the run must raise (checked on the in-process side, so that a case cannot pass by
    #: failing the same way twice for an unrelated reason); None: it must return
    raises: str | None = None
    overrides: dict[str, Any] | None = None
    signals: Any = None
    cancel_at: float | None = None
    #: compare the action calls as a multiset, not a sequence (where the order legitimately differs)
    unordered: bool = False
    #: set only when the compiler or the VM genuinely does not support the case yet (xfail_strict is on)
    xfail: str | None = None


def case(
    label: str,
    workflow: type,
    *args: Any,
    raises: str | None = None,
    overrides: dict[str, Any] | None = None,
    signals: Any = None,
    cancel_at: float | None = None,
    unordered: bool = False,
    xfail: str | None = None,
    **kwargs: Any,
) -> Case:
    return Case(label, workflow, args, kwargs, raises, overrides, signals, cancel_at, unordered, xfail)
