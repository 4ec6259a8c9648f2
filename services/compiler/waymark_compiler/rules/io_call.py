"""WM113 io-call: file, network or database I/O inside a workflow.

What: `open()`, `input()`, and calls into I/O libraries inside `run()` or a helper it calls: files (`pathlib`,
`shutil`, `tempfile`, `io.open`, the file functions of `os` and `os.path`), networks (`socket`, `ssl`, `requests`,
`httpx`, `aiohttp`, `urllib.request`, `http.client`, `smtplib`, `asyncio.open_connection` ...), databases (`sqlite3`,
`asyncpg`, `psycopg`, `redis`, `sqlalchemy` ...), including methods of clients created at module level
(`session.get(url)` on a `requests.Session`). `print` and logging are WM114, subprocesses WM115.

Why: a workflow's steps run in the scheduler's VM, not in your process (the VM has no files or sockets), and a step
that does not commit runs again from the run's last snapshot: its I/O would be repeated, unrecorded, with no retry
policy or timeout. Actions run on your workers, where Waymark records each call's arguments and result and applies
retries and timeouts.

Example:

    body = requests.get(url).text
    with open("report.txt") as fh: ...

Use instead: do the I/O inside an `@action` and await it.

    @action(retry=RetryPolicy(attempts=3))
    async def fetch(url: str) -> str:
        async with httpx.AsyncClient() as client:
            return (await client.get(url)).text

    body = await fetch(url)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from waymark_compiler.rules._base import Finding, Rule, RuleContext
from waymark_compiler.rules._helpers import call_names, matches

TERMINAL = frozenset({"builtins.input", "builtins.breakpoint", "pdb.set_trace", "getpass.getpass"})
PROCESS = frozenset(
    {"os.getpid", "os.getppid", "os.getlogin", "os.getuid", "os.cpu_count", "platform.node", "getpass.getuser"}
)
FILES = frozenset(
    {
        "builtins.open",
        "io.open",
        "os.open",
        "os.read",
        "os.write",
        "os.remove",
        "os.unlink",
        "os.rename",
        "os.replace",
        "os.mkdir",
        "os.makedirs",
        "os.rmdir",
        "os.removedirs",
        "os.listdir",
        "os.scandir",
        "os.walk",
        "os.stat",
        "os.lstat",
        "os.chmod",
        "os.chown",
        "os.chdir",
        "os.getcwd",
        "os.truncate",
        "os.symlink",
        "os.link",
        "os.path.exists",
        "os.path.lexists",
        "os.path.isfile",
        "os.path.isdir",
        "os.path.islink",
        "os.path.getsize",
        "os.path.getmtime",
        "os.path.getatime",
        "os.path.getctime",
        "os.path.realpath",
        "os.path.abspath",
        "os.path.expanduser",
    }
)
FILE_MODULES = (
    "io.open",
    "io.FileIO",
    "pathlib.",
    "shutil.",
    "tempfile.",
    "glob.",
    "fileinput.",
    "aiofiles.",
)
NETWORK_MODULES = (
    "socket.",
    "ssl.",
    "select.",
    "selectors.",
    "requests.",
    "httpx.",
    "aiohttp.",
    "urllib.request.",
    "urllib3.",
    "http.client.",
    "http.server.",
    "smtplib.",
    "ftplib.",
    "imaplib.",
    "poplib.",
    "xmlrpc.client.",
    "webbrowser.",
    "websockets.",
    "grpc.",
    "grpclib.",
    "boto3.",
    "botocore.",
    "aiobotocore.",
    "paramiko.",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.start_unix_server",
)
DATABASE_MODULES = (
    "sqlite3.",
    "dbm.",
    "shelve.",
    "asyncpg.",
    "psycopg.",
    "psycopg2.",
    "pymysql.",
    "aiomysql.",
    "aiosqlite.",
    "redis.",
    "aioredis.",
    "pymongo.",
    "motor.",
    "sqlalchemy.",
    "elasticsearch.",
    "kafka.",
    "aiokafka.",
    "pika.",
    "aio_pika.",
)


def check(node: ast.Call, ctx: RuleContext) -> Iterator[Finding]:
    names = call_names(node, ctx)
    if not names:
        return
    kind = None
    if matches(names, TERMINAL):
        kind = "reads the terminal"
    elif matches(names, PROCESS):
        kind = "reads the state of the process it runs in"
    elif matches(names, FILES, FILE_MODULES):
        kind = "does file I/O"
    elif matches(names, frozenset(), NETWORK_MODULES):
        kind = "does network I/O"
    elif matches(names, frozenset(), DATABASE_MODULES):
        kind = "talks to a database"
    if kind is not None:
        yield RULE.finding(node, call=ctx.segment(node.func), kind=kind)


RULE = Rule(
    code="WM113",
    name="io-call",
    message="{call}() {kind}",
    help="do I/O inside an @action and await it",
    doc=__doc__ or "",
    nodes=(ast.Call,),
    check=check,
)
