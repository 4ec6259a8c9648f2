"""`waymark check` on the conformance flows (copies in fixtures/conformance) and on broken modules."""

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

CONFORMANCE = FIXTURES / "conformance"
CLI = [sys.executable, "-c", "import sys; from waymark._cli import main; sys.exit(main())", "check"]


def expect_line(path: Path) -> int:
    match = re.search(r"# EXPECT-LINE (\d+)", path.read_text())
    assert match
    return int(match.group(1))


def waymark_check(*args: str, cwd: Path = CONFORMANCE) -> tuple[int, str]:
    proc = subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("stem", "code", "help_text"),
    [
        ("bad_now", "WM101", "move it into an @action"),
        ("bad_uuid", "WM104", "generate the id in an @action"),
        ("bad_plain_call", "WM110", "decorate it with @action"),
    ],
)
def test_rejected_flows(stem: str, code: str, help_text: str) -> None:
    path = CONFORMANCE / f"{stem}.py"
    status, out = waymark_check(str(path))
    assert status == 1, out
    line = expect_line(path)
    assert re.search(rf"{stem}\.py:{line}:\d+", out), out
    assert re.search(rf"^{code} ", out, re.MULTILINE), out
    assert re.search(rf"^\s*= help: {re.escape(help_text)}", out, re.MULTILINE), out
    assert out.rstrip().endswith("Found 1 problem."), out


def test_seedflows_pass() -> None:
    status, out = waymark_check(str(CONFORMANCE / "seedflows.py"))
    assert status == 0, out
    assert out.strip() == "ok: 3 workflows"


def test_several_targets_and_relative_paths() -> None:
    status, out = waymark_check("seedflows.py", "bad_now.py", "bad_uuid.py")
    assert status == 1
    assert "--> bad_now.py:16:22" in out
    assert "--> bad_uuid.py:16:15" in out
    assert "Found 2 problems." in out


def test_dotted_module_name() -> None:
    status, out = waymark_check("seedflows")
    assert status == 0, out


def test_json_format(tmp_path: Path) -> None:
    out = io.StringIO()
    status = run_check([str(CONFORMANCE / "bad_now.py"), "--format", "json"], stdout=out)
    assert status == 1
    document = json.loads(out.getvalue())
    assert document["ok"] is False
    [diagnostic] = document["diagnostics"]
    assert (diagnostic["code"], diagnostic["line"], diagnostic["col"]) == ("WM101", 16, 22)
    assert diagnostic["workflow"] == "CourierPickup"
    assert diagnostic["help"].startswith("move it")


def test_colour_only_when_asked() -> None:
    plain, coloured = io.StringIO(), io.StringIO()
    run_check([str(CONFORMANCE / "bad_uuid.py")], stdout=plain)
    run_check([str(CONFORMANCE / "bad_uuid.py"), "--color", "always"], stdout=coloured)
    assert "\x1b[" not in plain.getvalue()
    assert "\x1b[31mWM104" in coloured.getvalue()


def test_syntax_error_is_located(tmp_path: Path) -> None:
    (tmp_path / "wm_broken_syntax.py").write_text("x = 1\ndef f(:\n    pass\n")
    status, out = waymark_check(str(tmp_path / "wm_broken_syntax.py"), cwd=tmp_path)
    assert status == 1
    assert "Traceback" not in out
    assert "SyntaxError" in out
    assert "wm_broken_syntax.py:2:7" in out


def test_import_error_is_located(tmp_path: Path) -> None:
    (tmp_path / "wm_broken_import.py").write_text("import os\nraise RuntimeError('boom at import')\n")
    status, out = waymark_check(str(tmp_path / "wm_broken_import.py"), cwd=tmp_path)
    assert status == 1
    assert "Traceback" not in out
    assert "RuntimeError: boom at import" in out
    assert "wm_broken_import.py:2" in out


def test_missing_target(tmp_path: Path) -> None:
    status, out = waymark_check("no_such_module_here", cwd=tmp_path)
    assert status == 1
    assert "no module named 'no_such_module_here'" in out


def test_usage_error() -> None:
    assert run_check([], stdout=io.StringIO()) == 2
