"""WM113 io-call: input/output inside a workflow.

What: `print`, `open`, `input`, and calls into I/O modules (`socket`, `subprocess`, `requests`, `httpx`, `aiohttp`,
`urllib.request`, `shutil`, `os.system`, file functions of `os` ...) inside `run()` or a helper.

Why: a workflow's code runs again whenever the run resumes; I/O there would be repeated (or skipped) and its
results would not be recorded. Actions run exactly where Waymark records them, with retries and timeouts.

Example:

    print("charging", order_id)
    body = requests.get(url).text

Use instead: do I/O inside an `@action` and await it. For logs, log inside actions (workflow steps are visible in
the dashboard).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_target

BUILTINS = frozenset({"builtins.print", "builtins.open", "builtins.input", "builtins.breakpoint"})
MODULES = (
    "socket.",
    "ssl.",
    "subprocess.",
    "requests.",
    "httpx.",
    "aiohttp.",
    "urllib.request.",
    "http.client.",
    "shutil.",
    "smtplib.",
    "ftplib.",
    "sqlite3.",
    "asyncpg.",
    "psycopg.",
    "psycopg2.",
    "logging.",
    "io.open",
    "pathlib.",
)
OS_IO = frozenset(
    {
        "os.system",
        "os.popen",
        "os.remove",
        "os.unlink",
        "os.rename",
        "os.replace",
        "os.mkdir",
        "os.makedirs",
        "os.rmdir",
        "os.listdir",
        "os.scandir",
        "os.walk",
        "os.open",
        "os.read",
        "os.write",
        "os.stat",
        "os.chdir",
        "os.getcwd",
        "os.getpid",
        "os.kill",
        "os.path.exists",
        "os.path.isfile",
        "os.path.isdir",
        "os.path.getsize",
        "os.path.getmtime",
    }
)


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    target = call_target(node, ctx)
    if target is None:
        return
    if target in BUILTINS or target in OS_IO or target.startswith(MODULES):
        yield RULE.finding(node, call=ctx.segment(node.func))


RULE = Rule(
    code="WM113",
    name="io-call",
    message="{call}() does I/O",
    help="do I/O inside an @action and await it",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
