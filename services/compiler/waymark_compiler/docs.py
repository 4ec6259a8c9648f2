"""The diagnostics reference (`docs/diagnostics/`), generated from the rule modules' docstrings: one page per code
(`WM101.md` ...) and an index (`README.md`). The docstrings are the single source of truth.

    python -m waymark_compiler.docs --write   # rewrite docs/diagnostics (`make gen` runs this)
    python -m waymark_compiler.docs --check   # exit 1 when a page is stale or missing (`make lint`, the tests)
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

from waymark_compiler.rules import ALL, MODULE_OF, Rule

REPO = Path(__file__).resolve().parents[3]
DOCS = REPO / "docs" / "diagnostics"
SECTIONS = re.compile(r"^(What|Why|Example|Use instead):[ \t]*", re.MULTILINE)
GENERATED = "<!-- Generated from services/compiler/waymark_compiler/rules/{module}.py by `make gen`. DO NOT EDIT. -->"
GROUPS = (
    ("WM0", "The module itself"),
    ("WM10", "Nondeterminism: clocks, randomness, the environment"),
    ("WM11", "Calls: I/O, output, processes, libraries and plain functions"),
    ("WM12", "Syntax a workflow cannot use"),
    ("WM13", "Names, module-level state and data"),
    ("WM14", "Arguments and policies"),
    ("WM15", "Awaiting"),
)


def summary(rule: Rule) -> str:
    return textwrap.dedent(rule.doc).strip().splitlines()[0].split(":", 1)[-1].strip().rstrip(".")


def sections(rule: Rule) -> dict[str, str]:
    """What / Why / Example / Use instead, each as Markdown (indented code blocks kept as they are)."""
    body = "\n".join(textwrap.dedent(rule.doc).strip().splitlines()[1:]).strip()
    parts = SECTIONS.split(body)
    found: dict[str, str] = {}
    for name, text in zip(parts[1::2], parts[2::2], strict=True):
        text = text.strip("\n")
        found[name] = text[:1].upper() + text[1:]
    return found


def page(rule: Rule) -> str:
    parts = sections(rule)
    out = [
        GENERATED.format(module=MODULE_OF[rule.code]),
        "",
        f"# {rule.code} `{rule.name}`",
        "",
        f"{summary(rule)[:1].upper()}{summary(rule)[1:]}.",
        "",
        f"Message: {_code(f'{rule.code} {rule.message}')}  ",
        f"Help: {_code(rule.help)}" if rule.help != "{fix}" else "Help: says how to fix the particular case.",
    ]
    for name, title in (
        ("What", "What it flags"),
        ("Why", "Why"),
        ("Example", "Example"),
        ("Use instead", "Use instead"),
    ):
        if name in parts:
            out += ["", f"## {title}", "", _code_blocks(parts[name])]
    out += ["", "---", "", "[All diagnostics](README.md) · [`waymark check`](../check.md)"]
    return "\n".join(out) + "\n"


def _code(text: str) -> str:
    """An inline code span that may itself contain backticks."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _code_blocks(text: str) -> str:
    """Indented blocks (4 spaces, as written in docstrings) become fenced Python blocks."""
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        while block and not block[-1].strip():
            block.pop()
        if block:
            out.extend(["```python", *textwrap.dedent("\n".join(block)).splitlines(), "```"])
            block.clear()

    for line in text.splitlines():
        if line.startswith("    ") or (block and not line.strip()):
            block.append(line)
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out).strip("\n")


def index() -> str:
    out = [
        "<!-- Generated from services/compiler/waymark_compiler/rules/*.py by `make gen`. DO NOT EDIT. -->",
        "",
        "# Workflow diagnostics",
        "",
        "Waymark compiles `run()` when a workflow is registered and refuses anything that could not run as written.",
        "Every refusal is a diagnostic with a stable code (never renumbered), the `file:line:col` of the offending",
        "code, a caret frame, and a `help:` line; every problem of every workflow is reported at once.",
        "`waymark check` shows them at your desk ([usage and JSON schema](../check.md)); workers refuse to start",
        "with any of them.",
        "",
        "`print` and logging inside a workflow are refused on purpose ([WM114](WM114.md)): the workflow's code runs in",
        "the scheduler, not in your process, so output would land in another service's log; print and log inside",
        "actions, where it runs on your worker with the run's ids at hand.",
        "",
        "```text",
        "WM101 datetime.now() is nondeterministic",
        "  --> shop/checkout.py:16:22",
        "   |",
        '16 |         pickup_day = datetime.now().strftime("%A")',
        "   |                      ^^^^^^^^^^^^^^",
        "   |",
        "   = help: move it into an @action and await the result",
        "```",
    ]
    for prefix, title in GROUPS:
        rules = [rule for rule in ALL if rule.code.startswith(prefix)]
        if not rules:
            continue
        out += ["", f"## {title}", "", "| code | name | what it flags |", "| --- | --- | --- |"]
        out += [f"| [{r.code}]({r.code}.md) | `{r.name}` | {summary(r)} |" for r in rules]
    return "\n".join(out) + "\n"


def expected() -> dict[Path, str]:
    files = {DOCS / "README.md": index()}
    files.update({DOCS / f"{rule.code}.md": page(rule) for rule in ALL})
    return files


def stale() -> list[Path]:
    """Pages whose content differs from what the rules generate, and generated pages no rule has any more."""
    wanted = expected()
    out = [path for path, text in wanted.items() if not path.exists() or path.read_text() != text]
    if DOCS.exists():
        out += [p for p in sorted(DOCS.glob("WM*.md")) if p not in wanted]
    return out


def write() -> list[Path]:
    DOCS.mkdir(parents=True, exist_ok=True)
    wanted = expected()
    changed = stale()
    for path in changed:
        if path in wanted:
            path.write_text(wanted[path])
        else:
            path.unlink()
    return changed


def main(argv: list[str]) -> int:
    if "--write" in argv:
        for path in write():
            print(f"wrote {path.relative_to(REPO)}")
        return 0
    if "--check" in argv:
        problems = stale()
        for path in problems:
            print(f"stale: {path.relative_to(REPO)} (run `make gen`)", file=sys.stderr)
        return 1 if problems else 0
    sys.stdout.write(index())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
