"""WM144 exception-method: an exception class constructed in a workflow whose `__init__` or `__str__` cannot run there.

What: a workflow constructs (`OutOfStock("A", left=2)`, `raise OutOfStock`) an exception class that defines
`__init__` or `__str__` in Python, and that method does something a workflow method cannot: it calls other methods
of the exception (`self._format()`), uses `super()` for anything but `super().__init__(...)` /
`super().__str__()`, reads a class attribute that is not a constant, awaits, calls library code; or the compiler
cannot see the method's source (a class defined in a module the worker could not read, or in C).

Why: CPython runs `__init__` when the exception is constructed and `__str__` whenever it is printed, and their
effects (attributes, args, message) are part of the exception. The VM cannot run arbitrary Python, so it runs these
methods compiled from their source, in the language of workflow methods: assignments to `self` attributes,
`super().__init__(...)` or `Exception.__init__(self, ...)`, f-strings, pure builtins and operators.

Example:

    class OutOfStock(Exception):
        def __init__(self, sku: str, left: int = 0):
            super().__init__(self.describe(sku, left))  # a method call: not compiled
            self.sku = sku

    raise OutOfStock("A", left=2)  # in run()

Use instead: keep `__init__`/`__str__` to assignments and `super().__init__(...)` (inline the helper: `super().__init__(
f"{sku} is out of stock ({left} left)")`), or raise the exception in an `@action`, where it is plain Python.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM144", name="exception-method", message="{what}", help="{fix}", doc=__doc__ or "")
