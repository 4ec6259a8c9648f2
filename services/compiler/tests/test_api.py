"""check_bundle / compile_bundle on hand-made bundles: syntax errors, missing classes, version ids."""

from __future__ import annotations

from compiler_support import FIXTURES, bundle_of
from waymark_compiler import check_bundle, compile_bundle
from waymark_ir import pb

SOURCE = """
from waymark import Workflow, workflow

class Flow(Workflow):
    async def run(self, n: int) -> int:
        return await step(n)
"""


def action_entry(signature_hash: str = "abc") -> pb.ManifestEntry:
    return pb.ManifestEntry(
        path="step",
        action=pb.ActionRef(
            name="step",
            module="m",
            qualname="step",
            signature_hash=signature_hash,
            params=[pb.Param(name="n", kind=pb.ParamKind.POSITIONAL_OR_KEYWORD)],
        ),
    )


def bundle(source: str = SOURCE, *entries: pb.ManifestEntry, qualname: str = "Flow") -> pb.Bundle:
    return pb.Bundle(
        module="m",
        filename="m.py",
        source=source,
        workflows=[pb.WorkflowEntry(name="flow", qualname=qualname)],
        manifest=list(entries) or [action_entry()],
    )


def test_compiles_from_the_bundle_alone() -> None:
    response = check_bundle(bundle())
    assert not response.diagnostics
    [compiled] = response.workflows
    assert compiled.workflow_name == "flow"
    assert compiled.program is not None
    assert compiled.program.actions[0].name == "step"
    assert (compiled.program.module, compiled.program.qualname, compiled.program.filename) == ("m", "Flow", "m.py")


def test_syntax_error() -> None:
    [diagnostic] = check_bundle(bundle("class Flow(:\n  pass\n")).diagnostics
    assert diagnostic.code == "WM001"
    assert diagnostic.line == 1
    assert diagnostic.message.startswith("SyntaxError")


def test_class_not_found_and_run_missing() -> None:
    [missing] = check_bundle(bundle(qualname="Nope")).diagnostics
    assert missing.code == "WM002"
    assert "Nope" in missing.message
    [no_run] = check_bundle(bundle("class Flow:\n    def run(self):\n        pass\n")).diagnostics
    assert no_run.code == "WM002"
    assert "async def run" in no_run.message


def test_version_depends_on_program_and_manifest() -> None:
    first = check_bundle(bundle()).workflows[0].version_id
    assert check_bundle(bundle()).workflows[0].version_id == first
    other_signature = check_bundle(bundle(SOURCE, action_entry("def"))).workflows[0].version_id
    assert other_signature != first
    edited = check_bundle(bundle(SOURCE.replace("return await step(n)", "return await step(n + 1)")))
    assert edited.workflows[0].version_id != first
    unused = pb.ManifestEntry(path="UNUSED", constant=pb.Value(json="1"))
    assert check_bundle(bundle(SOURCE, action_entry(), unused)).workflows[0].version_id == first


def test_all_or_nothing() -> None:
    source = (
        SOURCE
        + """
class Bad(Workflow):
    async def run(self) -> int:
        return undefined_thing
"""
    )
    request = bundle(source)
    request.workflows.append(pb.WorkflowEntry(name="bad", qualname="Bad"))
    response = check_bundle(request)
    assert [d.code for d in response.diagnostics] == ["WM130"]
    assert response.diagnostics[0].workflow == "bad"
    assert not response.workflows
    assert len(compile_bundle(request).diagnostics) == 1


def test_every_problem_is_reported() -> None:
    codes = [d.code for d in check_bundle(bundle_of("WM101")).diagnostics]
    marked = (FIXTURES / "WM101.py").read_text().count("# WM101")
    assert marked >= 5
    assert codes == ["WM101"] * marked
