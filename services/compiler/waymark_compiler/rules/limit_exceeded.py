"""WM126 limit-exceeded: code nested too deeply for the compiler and the VM.

What: an expression or block nested deeper than the VM can load: a sum of more than about 50 terms written as one
expression, a long chain of conditional expressions, deeply nested literals or calls, or statements nested more
than 200 levels (counting each `elif` as one level).

Why: the compiled program is a tree of messages that the VM decodes with a fixed nesting limit (100 levels), and
the compiler's own passes are recursive. A workflow that compiled but could not be loaded would fail only when a run
starts, so the compiler refuses it up front and points at the statement.

Example:

    total = a1 + a2 + a3 + ... + a60

Use instead: split the expression into several assignments (`total = a1 + ... + a20`, then `total += a21 + ...`),
or loop over a list (`total = sum([a1, a2, ...])`); turn long `elif` chains into a dict lookup.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM126", name="limit-exceeded", message="{what}", help="{fix}", doc=__doc__ or "")
