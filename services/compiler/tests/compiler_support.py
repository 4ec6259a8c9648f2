"""Helpers for the compiler tests: fixture modules are imported for real (the SDK builds their bundles, as a worker
would), then compiled from the bundle only.

Snapshots (`fixtures/*.snap`, `fixtures/*.ir`) are rewritten with `WAYMARK_UPDATE_SNAPSHOTS=1`.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

from waymark_ir import pb

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
UPDATE = os.environ.get("WAYMARK_UPDATE_SNAPSHOTS", "") not in ("", "0")


def load(stem: str) -> ModuleType:
    return importlib.import_module(stem)


def bundle_of(stem: str) -> pb.Bundle:
    from waymark._bundle import bundles_for_workflows, workflows_in_module

    module = load(stem)
    bundles = bundles_for_workflows(workflows_in_module(module))
    assert len(bundles) == 1, f"{stem} defines no workflow"
    bundle = bundles[0]
    bundle.filename = f"fixtures/{stem}.py"
    return bundle


def assert_snapshot(path: Path, actual: str) -> None:
    if UPDATE or not path.exists():
        path.write_text(actual)
        if not UPDATE:
            raise AssertionError(f"snapshot {path.name} did not exist and was written; check it and re-run")
        return
    expected = path.read_text()
    assert actual == expected, f"{path.name} differs (WAYMARK_UPDATE_SNAPSHOTS=1 rewrites it)"
