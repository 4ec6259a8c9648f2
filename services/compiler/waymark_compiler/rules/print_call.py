"""WM114 print: printing or logging from a workflow.

What: `print(...)`, `pprint.pprint(...)`, `sys.stdout.write(...)` / `sys.stderr.write(...)`, `warnings.warn(...)`,
and logging calls (`logging.info(...)`, or `log.info(...)` on a module-level logger, structlog or loguru) inside
`run()` or a helper it calls.

Why: this is a deliberate decision, not a missing feature. A workflow's code does not run in your process: its
steps run in the scheduler's VM, on whichever scheduler replica advances the run, possibly hours later. A `print`
there would land in another service's log, interleaved with every other run's (and repeated when a step that did not
commit runs again), and quietly turning it into a no-op would hide output you asked for. So Waymark refuses it up
front, and records what you usually print anyway: every action call with its arguments, result, attempts and timing,
and the run's input and result, shown in the dashboard and in traces.

Example:

    print("charging", order_id)
    log.info("charged %s", order_id)

Use instead: print or log inside an `@action` (it runs on your worker, where `waymark.current_call()` gives the
workflow id, run id and attempt to put in the log line), or return the value so it is recorded with the run.

    @action
    async def charge(order_id: int) -> bool:
        log.info("charging %s (run %s)", order_id, waymark.current_call().run_id)
        ...
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches

PRINTS = frozenset({"builtins.print", "pprint.pprint", "pprint.pp", "rich.print", "warnings.warn"})
OUTPUT = ("sys.stdout.", "sys.stderr.", "sys.__stdout__.", "sys.__stderr__.", "rich.console.")
LOGGING = ("logging.", "structlog.", "loguru.")


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    names = call_names(node, ctx)
    if matches(names, PRINTS, OUTPUT):
        streams = tuple(sub for k in node.keywords if k.arg == "file" for sub in ast.walk(k.value))
        yield RULE.finding(node, call=ctx.segment(node.func), what="prints", claims=streams)
    elif matches(names, frozenset(), LOGGING):
        yield RULE.finding(node, call=ctx.segment(node.func), what="logs")


RULE = Rule(
    code="WM114",
    name="print",
    message="{call}() {what} from a workflow, which runs in the scheduler, not in your process",
    help="print or log inside an @action (its output carries the run id), or return the value so the run records it",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
