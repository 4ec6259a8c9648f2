"""Each `fixtures/WMxxx.py` marks lines with `# WMxxx` (must be flagged with that code) or `# OK` (must not be
flagged). Every diagnostic must land on a line marked with its code; the rendering is a snapshot
(`fixtures/WMxxx.snap`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from compiler_support import FIXTURES, UPDATE, assert_snapshot, bundle_of
from waymark_compiler import check_bundle, compile_bundle
from waymark_compiler.rules import ALL

MARK = re.compile(r"#\s*((?:WM\d{3}\s*)+|OK)\s*$")
RULE_FIXTURES = sorted(p.stem for p in FIXTURES.glob("WM*.py"))


def expected_marks(stem: str) -> dict[int, set[str]]:
    marks: dict[int, set[str]] = {}
    for number, line in enumerate((FIXTURES / f"{stem}.py").read_text().splitlines(), start=1):
        found = MARK.search(line)
        if found:
            marks[number] = set() if found.group(1) == "OK" else set(found.group(1).split())
    return marks


@pytest.mark.parametrize("stem", RULE_FIXTURES)
def test_marked_lines(stem: str) -> None:
    marks = expected_marks(stem)
    assert any(marks.values()), f"{stem}.py marks no line with its code"
    assert stem in {code for codes in marks.values() for code in codes}, f"{stem}.py never expects {stem}"
    compiled = compile_bundle(bundle_of(stem))
    found: dict[int, set[str]] = {}
    for diagnostic in compiled.diagnostics:
        found.setdefault(diagnostic.span.line, set()).add(diagnostic.code)
    for line, codes in marks.items():
        assert found.get(line, set()) == codes, (
            f"{stem}.py:{line}: expected {sorted(codes)}, got {sorted(found.get(line, set()))}"
        )
    unexpected = {line: codes for line, codes in found.items() if line not in marks}
    assert not unexpected, f"{stem}.py: diagnostics on unmarked lines: {unexpected}"


@pytest.mark.parametrize("stem", RULE_FIXTURES)
def test_rendered_snapshot(stem: str) -> None:
    response = check_bundle(bundle_of(stem))
    assert not response.workflows, "a bundle with diagnostics compiles no workflow"
    rendered = "\n\n".join(d.rendered for d in response.diagnostics) + "\n"
    assert_snapshot(FIXTURES / f"{stem}.snap", rendered)


def test_every_pattern_rule_has_a_fixture() -> None:
    pattern_codes = {rule.code for rule in ALL if rule.check is not None}
    assert pattern_codes <= set(RULE_FIXTURES)


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.code)
def test_rule_documentation(rule: object) -> None:
    from waymark_compiler.rules import Rule

    assert isinstance(rule, Rule)
    assert re.fullmatch(r"WM\d{3}", rule.code)
    assert rule.doc.lstrip().startswith(f"{rule.code} {rule.name}:"), "docstring starts with `CODE name: ...`"
    for section in ("What:", "Why:", "Example:", "Use instead:"):
        assert section in rule.doc, f"{rule.code} docstring lacks {section}"
    assert rule.help or "{fix}" in rule.help


def test_diagnostics_docs_are_generated() -> None:
    """docs/diagnostics is generated from the rule docstrings; a stale or missing page fails CI (`make gen`)."""
    from waymark_compiler import docs

    if UPDATE:
        docs.write()
    assert docs.stale() == [], "docs/diagnostics is stale: run `make gen`"
    pages = {p.stem for p in docs.DOCS.glob("WM*.md")}
    assert pages == {rule.code for rule in ALL}
    index = (docs.DOCS / "README.md").read_text()
    for rule in ALL:
        assert f"[{rule.code}]({rule.code}.md)" in index
        page = (docs.DOCS / f"{rule.code}.md").read_text()
        for heading in ("## What it flags", "## Why", "## Example", "## Use instead"):
            assert heading in page, f"{rule.code}.md lacks {heading}"


def test_internal_error_is_a_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    from waymark_compiler.lower import program

    def explode(self: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(program.WorkflowCompiler, "compile", explode)
    response = check_bundle(bundle_of("WM130"))
    assert [(d.code, d.message) for d in response.diagnostics] == [
        ("WM000", "internal compiler error: RuntimeError: kaboom")
    ]


def test_module_level_policy_and_constant_defaults_compile_like_literals() -> None:
    """`retry=POLICY` (a RetryPolicy assigned once at module level) and defaults naming module constants or enum
    members compile to what the literals would."""
    from compiler_support import load
    from waymark._bundle import bundles_for_workflows, workflows_in_module

    (bundle,) = bundles_for_workflows(workflows_in_module(load("policy_constants")))
    compiled = compile_bundle(bundle)
    assert not compiled.diagnostics, [d.render() for d in compiled.diagnostics]
    programs = {w.workflow_name: w.program for w in compiled.workflows}

    def policies(program: Any) -> list[Any]:
        found = [i.to_dict() for f in program.functions for i in f.code if "policy" in str(i.to_dict())]
        return [{k: v for k, v in i.items() if k not in ("line", "col")} for i in found]

    def params(program: Any) -> list[Any]:
        return [p.to_dict() for p in program.functions[0].params]

    shared, literal = programs["SharedPolicy"], programs["LiteralPolicy"]
    assert policies(shared) and policies(shared) == policies(literal)
    assert params(shared) == params(literal)
