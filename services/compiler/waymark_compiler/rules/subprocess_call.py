"""WM115 subprocess: running another program from a workflow.

What: `subprocess.run/call/check_output/Popen ...`, `os.system`, `os.popen`, `os.exec*`, `os.spawn*`, `os.fork`,
`os.kill`, `asyncio.create_subprocess_exec/shell` inside `run()` or a helper it calls.

Why: a workflow's steps run in the scheduler's VM, which starts no processes; and a step that does not commit runs
again from the run's last snapshot, so a command there could run twice with nothing recorded. Actions run on your
workers, where a command's exit status and output become a recorded result, with retries and timeouts.

Example:

    subprocess.run(["convert", src, dst], check=True)

Use instead: run the command inside an `@action` and await it.

    @action(timeout=timedelta(minutes=5))
    async def convert(src: str, dst: str) -> None:
        process = await asyncio.create_subprocess_exec("convert", src, dst)
        if await process.wait():
            raise RuntimeError("convert failed")
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches

CALLS = frozenset(
    {
        "os.system",
        "os.popen",
        "os.fork",
        "os.forkpty",
        "os.kill",
        "os.killpg",
        "os.abort",
        "os.posix_spawn",
        "os.posix_spawnp",
        "os.startfile",
    }
)
PREFIXES = ("subprocess.", "os.exec", "os.spawn", "asyncio.create_subprocess_", "asyncio.subprocess.", "pty.", "sh.")


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    if matches(call_names(node, ctx), CALLS, PREFIXES):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM115",
    name="subprocess",
    message="{call}() runs another program from a workflow",
    help="run the command inside an @action and await it",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
