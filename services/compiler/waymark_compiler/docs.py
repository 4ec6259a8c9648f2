"""The rules reference (`services/compiler/RULES.md`), generated from the rule modules' docstrings.

python -m waymark_compiler.docs           # print it
python -m waymark_compiler.docs --write   # rewrite services/compiler/RULES.md
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

from waymark_compiler.rules import ALL

RULES_MD = Path(__file__).resolve().parents[1] / "RULES.md"
SECTIONS = re.compile(r"^(What|Why|Example|Use instead):", re.MULTILINE)


def rules_markdown() -> str:
    out = [
        "# Workflow diagnostics",
        "",
        "Generated from `waymark_compiler/rules/*.py` by `python -m waymark_compiler.docs --write`; do not edit.",
        "Every diagnostic has a stable code, the span of the offending code, and a `help:` line. "
        "`waymark check` shows them locally; registration refuses a workflow with any of them.",
        "",
        "| code | name | summary |",
        "| --- | --- | --- |",
    ]
    for rule in ALL:
        title = rule.doc.strip().splitlines()[0].split(":", 1)[-1].strip().rstrip(".")
        out.append(f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | `{rule.name}` | {title} |")
    for rule in ALL:
        lines = textwrap.dedent(rule.doc).strip().splitlines()
        title = lines[0].split(":", 1)[-1].strip()
        body = SECTIONS.sub(lambda m: f"**{m.group(1)}:**", "\n".join(lines[1:]).strip())
        out += ["", f"## {rule.code} {rule.name}", "", title, "", body]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    text = rules_markdown()
    if "--write" in argv:
        RULES_MD.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
