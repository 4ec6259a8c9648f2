"""WM133 unsupported-method: calling a method the VM does not provide on plain data.

What: `value.method(...)` where `method` is not a method of str, bytes, list, dict, set, tuple, int, float,
datetime/date/timedelta, pydantic models (`model_dump`, `model_copy`) or exceptions. The check goes by the method's
name, and by the receiver's type where that is known without running the code (a literal, an f-string, the result
of `.encode()`/`.decode()`, `str(...)`, `bytes(...)`): `s.encode().zfill(3)` is refused because the VM's `bytes`
has no `zfill` (the methods of each type: docs/language.md). Where the type is not known, a method that exists on
some other type passes the check, and calling it on a value whose type lacks it raises CPython's
`AttributeError: 'bytes' object has no attribute 'zfill'` at run time.

Why: inside a workflow, values are plain data held by the VM; it implements the methods of those types and nothing
else. An unknown method name would fail at run time, possibly deep into a run.

Example:

    rows = cursor.fetchall()

Use instead: do the work inside an `@action`, which runs real Python on a worker.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(
    code="WM133",
    name="unsupported-method",
    message="`.{method}()` is not a method of {receiver}",
    help="{fix}",
    doc=__doc__ or "",
    defaults={
        "receiver": "plain data",
        "fix": "call methods of str, list, dict, set, tuple, numbers, datetime and models; do the rest in an @action",
    },
)
