"""`waymark check` on a corpus of small modules, one rejected pattern each (fixtures/corpus/bad_<category>__<name>.py,
offending lines marked `# WMxxx`), the way a user (or a reviewer with their own bad modules) runs it: every module is
refused with the offending line, a code that belongs to its category alone, a caret frame and a `help:` line; the
module of realistic valid workflows passes."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from compiler_support import FIXTURES
from waymark._check import run_check

CORPUS = FIXTURES / "corpus"
BAD = sorted(CORPUS.glob("bad_*.py"))
MARK = re.compile(r"#\s*((?:WM\d{3}\s*)+)$")
CLI = [str(Path(sys.executable).parent / "waymark"), "check"]  # the console script users run


def category(path: Path) -> str:
    return path.stem.removeprefix("bad_").split("__")[0]


def marks(path: Path) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = MARK.search(line)
        if match:
            found[number] = match.group(1).split()
    return found


def test_the_corpus_covers_every_category_of_the_issue() -> None:
    categories = {category(p) for p in BAD}
    assert {
        "clock", "time", "random", "uuid", "urandom", "secrets", "environment", "io", "print", "subprocess",
        "threading", "mutation", "non_action_await", "asyncio", "lambda", "yield", "with", "global", "import",
        "builtin", "method", "module_call", "plain_function", "global_state", "syntax", "not_awaited",
    } <= categories  # fmt: skip
    assert all(marks(p) for p in BAD), "every corpus module marks its offending lines"


def test_each_category_has_its_own_codes() -> None:
    """The codes every module of a category gets are that category's; no two categories share one."""
    common: dict[str, set[str]] = {}
    for path in BAD:
        codes = {code for line in marks(path).values() for code in line}
        common[category(path)] = common.get(category(path), codes) & codes
    owners: dict[str, str] = {}
    for name, codes in sorted(common.items()):
        assert codes, f"the modules of category {name} share no code"
        for code in codes:
            assert owners.setdefault(code, name) == name, f"{code} is used by both {owners[code]} and {name}"


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem.removeprefix("bad_"))
def test_bad_module_is_refused_at_the_marked_lines(path: Path) -> None:
    out = io.StringIO()
    status = run_check([str(path), "--color", "never"], stdout=out)
    text = out.getvalue()
    assert status == 1, text
    expected = marks(path)
    found: dict[int, list[str]] = {}
    for match in re.finditer(r"^(WM\d{3}) .*\n\s*--> (.+?):(\d+):(\d+)$", text, re.MULTILINE):
        code, file, line, col = match.group(1), match.group(2), int(match.group(3)), int(match.group(4))
        assert Path(file).name == path.name
        assert col >= 1
        found.setdefault(line, []).append(code)
    assert {line: sorted(codes) for line, codes in found.items()} == {
        line: sorted(codes) for line, codes in expected.items()
    }, text
    assert text.count("= help: ") == sum(len(codes) for codes in expected.values()), text
    assert re.search(r"^\s*\d+ \| .*\n\s*\| +\^+$", text, re.MULTILINE), "a caret frame"
    count = sum(len(codes) for codes in expected.values())
    assert text.rstrip().endswith("problem." if count == 1 else "problems."), text


def test_the_whole_corpus_through_the_command_in_one_run() -> None:
    """The real `waymark check` command (options before the targets), every module at once, as JSON."""
    proc = subprocess.run(
        [*CLI, "--format", "json", *[p.name for p in BAD], "good_workflows.py"],
        cwd=CORPUS,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    assert document["errors"] == []
    by_file: dict[str, dict[int, list[str]]] = {}
    for d in document["diagnostics"]:
        assert d["help"] and d["rendered"].startswith(f"{d['code']} {d['message']}")
        by_file.setdefault(d["file"], {}).setdefault(d["line"], []).append(d["code"])
    assert "good_workflows.py" not in by_file
    for path in BAD:
        got = {line: sorted(codes) for line, codes in by_file.get(path.name, {}).items()}
        assert got == {line: sorted(codes) for line, codes in marks(path).items()}, path.name


def test_the_valid_workflows_pass() -> None:
    proc = subprocess.run(
        [*CLI, "good_workflows.py"], cwd=CORPUS, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "ok: 3 workflows"
