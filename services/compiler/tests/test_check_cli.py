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
CLI = [str(Path(sys.executable).parent / "waymark"), "check"]  # the console script users run


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
    # a dotted target whose package is missing: said so, not located inside importlib
    status, out = waymark_check("no_such_package_here.flows", cwd=tmp_path)
    assert status == 1
    assert "no module named 'no_such_package_here'" in out
    assert "importlib" not in out


def test_usage_error() -> None:
    assert run_check([], stdout=io.StringIO()) == 2


# ---- options, colour, the JSON schema ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "json", "bad_now.py"),
        ("bad_now.py", "--format", "json"),
        ("--color", "never", "bad_now.py", "--format=json"),
        ("--format", "json", "bad_now.py", "--colour", "always"),
    ],
)
def test_options_in_any_position(args: tuple[str, ...]) -> None:
    status, out = waymark_check(*args)
    assert status == 1, out
    document = json.loads(out)
    assert [d["code"] for d in document["diagnostics"]] == ["WM101"]


def test_help_anywhere() -> None:
    for args in (("--help",), ("bad_now.py", "--help"), ("-h", "bad_now.py")):
        status, out = waymark_check(*args)
        assert status == 0, out
        assert "usage: waymark check" in out and "--format" in out


def test_colour_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    target = str(CONFORMANCE / "bad_uuid.py")

    def coloured(*args: str) -> bool:
        out = io.StringIO()
        run_check([target, *args], stdout=out)
        return "\x1b[" in out.getvalue()

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert not coloured()  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert coloured()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not coloured()
    assert coloured("--color", "always")
    monkeypatch.delenv("NO_COLOR")
    assert not coloured("--color", "never")


def test_json_schema_is_the_documented_one() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "check.md").read_text()
    example = json.loads(re.search(r"```json\n(.*?)\n```", doc, re.DOTALL).group(1))  # type: ignore[union-attr]
    out = io.StringIO()
    run_check([str(CONFORMANCE / "bad_now.py"), "no_such_module_here_at_all", "--format", "json"], stdout=out)
    document = json.loads(out.getvalue())
    assert set(document) == set(example)
    assert document["version"] == example["version"] == 1
    assert set(document["diagnostics"][0]) == set(example["diagnostics"][0])
    assert set(document["errors"][0]) == set(example["errors"][0])
    _, ok = waymark_check("--format", "json", "seedflows.py")  # another process: this one imports it as a package
    assert set(json.loads(ok)["workflows"][0]) == set(example["workflows"][0])


# ---- modules the way users have them ------------------------------------------------------------------------------

WORKFLOW_HEAD = "from waymark import Workflow, action, workflow\n\n\n"


def test_missing_libraries_are_stood_in(tmp_path: Path) -> None:
    (tmp_path / "wm_standin_flows.py").write_text(
        "import httpx\nimport numpy as np\nimport wm_surely_not_installed as lib\nfrom pandas import read_csv\n\n"
        + WORKFLOW_HEAD
        + "client = httpx.AsyncClient()\n\n\n"
        "@workflow\nclass StandIn(Workflow):\n    async def run(self, url: str) -> None:\n"
        "        page = await client.get(url)\n"  # line 15
        "        noise = np.random.rand()\n"  # 16
        "        frame = read_csv(url)\n"  # 17
        "        value = lib.compute(1)\n"  # 18
        "        direct = httpx.get(url)\n"  # 19
    )
    status, out = waymark_check("--format", "json", "wm_standin_flows.py", cwd=tmp_path)
    assert status == 1, out
    document = json.loads(out)
    assert document["errors"] == []
    found = {(d["line"], d["code"]) for d in document["diagnostics"]}
    assert found == {(15, "WM113"), (16, "WM117"), (17, "WM117"), (18, "WM117"), (19, "WM113")}
    assert any("wm_surely_not_installed" in note for note in document["notes"])


def test_a_missing_module_of_your_own_package_is_an_error(tmp_path: Path) -> None:
    package = tmp_path / "wm_own_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "flows.py").write_text("import wm_own_pkg.missing_part\n" + WORKFLOW_HEAD)
    status, out = waymark_check(str(package / "flows.py"), cwd=tmp_path)
    assert status == 1
    assert "No module named 'wm_own_pkg.missing_part'" in out
    assert "Traceback" not in out


def test_independent_modules_may_reuse_action_names(tmp_path: Path) -> None:
    for name in ("wm_dup_a", "wm_dup_b"):
        (tmp_path / f"{name}.py").write_text(
            WORKFLOW_HEAD + "@action\nasync def charge(x: int) -> int:\n    return x\n\n\n"
            f"@workflow\nclass {name.title().replace('_', '')}(Workflow):\n"
            "    async def run(self, x: int) -> int:\n        return await charge(x)\n"
        )
    status, out = waymark_check("wm_dup_a.py", "wm_dup_b.py", cwd=tmp_path)
    assert status == 0, out
    assert "note: action 'charge' is defined in wm_dup_a.charge and wm_dup_b.charge" in out
    assert out.rstrip().endswith("ok: 2 workflows")


def test_a_module_without_workflows(tmp_path: Path) -> None:
    (tmp_path / "wm_no_flows.py").write_text("X = 1\n")
    status, out = waymark_check("wm_no_flows.py", cwd=tmp_path)
    assert status == 0
    assert "note: wm_no_flows.py defines no workflow" in out


def test_every_problem_of_a_module_at_once() -> None:
    status, out = waymark_check("--format", "json", str(FIXTURES / "parity_bad.py"))
    assert status == 1
    codes = [d["code"] for d in json.loads(out)["diagnostics"]]
    assert len(codes) >= 11 and len(set(codes)) >= 11


def test_files_named_like_standard_modules(tmp_path: Path) -> None:
    """`secrets.py` or `json.py` is checked as the file it is, not confused with the standard module."""
    (tmp_path / "secrets.py").write_text(
        "import secrets\n\n" + WORKFLOW_HEAD + "@workflow\nclass Token(Workflow):\n"
        "    async def run(self) -> str:\n        return secrets.token_hex()\n"
    )
    (tmp_path / "json.py").write_text(
        WORKFLOW_HEAD + "@workflow\nclass Fine(Workflow):\n    async def run(self, x: int) -> int:\n        return x\n"
    )
    status, out = waymark_check("secrets.py", "json.py", cwd=tmp_path)
    assert status == 1, out
    assert "--> secrets.py:9:16" in out and "WM106" in out
    assert "Found 1 problem." in out
    status, out = waymark_check("json.py", cwd=tmp_path)
    assert (status, out.strip()) == (0, "ok: 1 workflow")


def test_a_workflow_class_without_the_decorator_is_pointed_out(tmp_path: Path) -> None:
    (tmp_path / "wm_undecorated.py").write_text(
        "from waymark import Workflow\n\n\nclass Forgot(Workflow):\n    async def run(self) -> int:\n        return 1\n"
    )
    status, out = waymark_check("wm_undecorated.py", cwd=tmp_path)
    assert status == 0
    assert "note: class Forgot subclasses Workflow and defines run() but is not decorated with @workflow" in out


def test_colour_by_default_on_a_terminal_only() -> None:
    import os
    import pty

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [*CLI, "bad_uuid.py"], cwd=CONFORMANCE, stdout=follower, stderr=follower, env=env, timeout=120, check=False
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    on_terminal = b"".join(chunks).decode()
    assert proc.returncode == 1
    assert "\x1b[31mWM104" in on_terminal
    status, piped = waymark_check("bad_uuid.py")
    assert status == 1 and "\x1b[" not in piped


def _package_with_modules(root: Path) -> Path:
    """wm_pkg_walk/: an empty __init__, a good module, a subpackage with a bad workflow, and a __main__ script."""
    package = root / "wm_pkg_walk"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text(
        WORKFLOW_HEAD + "@workflow\nclass Good(Workflow):\n    async def run(self, x: int) -> int:\n        return x\n"
    )
    (package / "inner" / "__init__.py").write_text("")
    (package / "inner" / "bad.py").write_text(
        "import time\n\n" + WORKFLOW_HEAD + "@workflow\nclass Bad(Workflow):\n"
        "    async def run(self) -> float:\n        return time.time()\n"
    )
    (package / "__main__.py").write_text("raise SystemExit('__main__ must not run')\n")
    return package


@pytest.mark.parametrize("spelling", ["wm_pkg_walk/", "wm_pkg_walk", "wm_pkg_walk/__init__.py"])
def test_a_package_is_checked_with_all_its_modules(tmp_path: Path, spelling: str) -> None:
    """A package (directory or dotted name) is checked with every module and subpackage in it, not just __init__."""
    _package_with_modules(tmp_path)
    status, out = waymark_check("--format", "json", spelling, cwd=tmp_path)
    assert status == 1, out
    document = json.loads(out)
    assert [(d["code"], d["file"], d["workflow"]) for d in document["diagnostics"]] == [
        ("WM102", "wm_pkg_walk/inner/bad.py", "Bad")
    ]
    assert document["errors"] == []
    assert [w["module"] for w in document["workflows"]] == ["wm_pkg_walk.good"]
    assert not any("defines no workflow" in note for note in document["notes"]), document["notes"]


def test_a_package_module_that_fails_to_import_is_reported(tmp_path: Path) -> None:
    package = _package_with_modules(tmp_path)
    (package / "broken.py").write_text("import wm_pkg_walk.nowhere\n")
    status, out = waymark_check("wm_pkg_walk", cwd=tmp_path)
    assert status == 1
    assert "error: cannot import wm_pkg_walk.broken: ModuleNotFoundError" in out
    assert "WM102" in out and "Found 2 problems." in out


def test_a_package_without_workflows(tmp_path: Path) -> None:
    package = tmp_path / "wm_pkg_empty"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("X = 1\n")
    status, out = waymark_check("wm_pkg_empty", "wm_pkg_empty.models", cwd=tmp_path)
    assert status == 0, out
    assert out.count("defines no workflow") == 1 and "note: wm_pkg_empty defines no workflow" in out
