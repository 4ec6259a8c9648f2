"""`Workflow.parameters`: run()'s parameters as the compiler recorded them, annotations as written."""

from __future__ import annotations

import sys
from pathlib import Path

from waymark._bundle import bundles_for_workflows
from waymark_compiler import check_bundle
from waymark_gateway.inputs import run_parameters
from waymark_ir import pb


def test_parameter_annotations_are_the_source_text(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "gw_param_flows.py").write_text(
        "from __future__ import annotations\n"
        "from decimal import Decimal\n"
        "from pydantic import BaseModel\n"
        "from waymark import Workflow, workflow\n\n"
        "class Order(BaseModel):\n"
        "    id: int\n\n"
        "@workflow(name='gw_param_annotations')\n"
        "class Annotated(Workflow):\n"
        "    async def run(self, n: int, orders: list[Order], amount: Decimal | None = None, plain=1, *rest: str,\n"
        "                  flag: 'bool' = False, **extra: dict[str, int]) -> int:\n"
        "        return n\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import gw_param_flows  # type: ignore[import-not-found]

        (bundle,) = bundles_for_workflows([gw_param_flows.Annotated])
        response = check_bundle(bundle)
    finally:
        sys.modules.pop("gw_param_flows", None)
    assert not response.diagnostics, [d.rendered for d in response.diagnostics]
    (compiled,) = response.workflows
    assert compiled.program is not None
    params = run_parameters(bytes(compiled.program))
    assert [(p.name, p.required, p.annotation) for p in params] == [
        ("n", True, "int"),
        ("orders", True, "list[Order]"),
        ("amount", False, "Decimal | None"),
        ("plain", False, None),
        ("rest", False, "str"),
        ("flag", False, "'bool'"),
        ("extra", False, "dict[str, int]"),
    ]


def test_a_program_without_annotations_gives_none() -> None:
    """A program compiled before annotations were recorded (IR v1 without the field) still decodes."""
    program = pb.Program(functions=[pb.Function(name="run", params=[pb.Param(name="x", slot=1)])])
    (param,) = run_parameters(bytes(program))
    assert (param.name, param.required, param.annotation) == ("x", True, None)
