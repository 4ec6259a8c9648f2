"""WM116 threading: threads, process pools and their locks in a workflow.

What: `threading.Thread`, `threading.Lock`, `threading.Event`, `threading.Timer`, `concurrent.futures` executors,
`multiprocessing` pools and processes, `queue.Queue`, `asyncio.to_thread` ... inside `run()` or a helper it calls.

Why: a workflow is suspended between steps (often for hours, in no process at all) and resumed from its snapshot
by whichever scheduler picks it up: a thread, a lock or a pool cannot be part of that snapshot, and the VM runs one
step of a run at a time, so there is nothing to synchronise.

Example:

    worker = threading.Thread(target=self.poll)
    with ThreadPoolExecutor() as pool: ...

Use instead: `await asyncio.gather(...)` of actions for concurrency; blocking work goes in an `@action` (a plain
`def` action runs in the worker's thread pool).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches

PREFIXES = (
    "threading.",
    "_thread.",
    "concurrent.futures.",
    "multiprocessing.",
    "queue.",
    "sched.",
    "asyncio.to_thread",
)


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    if matches(call_names(node, ctx), frozenset(), PREFIXES):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM116",
    name="threading",
    message="{call}() uses threads or processes, which a workflow cannot hold",
    help="use asyncio.gather of actions for concurrency; run blocking work inside an @action",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
