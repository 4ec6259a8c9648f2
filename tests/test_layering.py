"""The layering rules of ARCHITECTURE.md, checked from the imports themselves.

- libs/* never import services/*; services never import each other (they share only libs/ and Postgres);
- vm-core has no PyO3 and no I/O crates; the SDK reaches the compiler only through gRPC (or the entry-point plugin).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "waymark_ir": ROOT / "libs/ir/waymark_ir",
    "waymark_store": ROOT / "libs/store/waymark_store",
    "waymark": ROOT / "libs/sdk/waymark",
    "waymark_compiler": ROOT / "services/compiler/waymark_compiler",
    "waymark_scheduler": ROOT / "services/scheduler/python/waymark_scheduler",
    "waymark_timer": ROOT / "services/timer/waymark_timer",
}
LIBS = {"waymark_ir", "waymark_store", "waymark"}
SERVICES = set(PACKAGES) - LIBS
ALLOWED: dict[str, set[str]] = {
    "waymark_ir": set(),
    "waymark_store": set(),
    "waymark": {"waymark_ir", "waymark_store"},
    **{service: {"waymark_ir", "waymark_store", "waymark"} for service in SERVICES},
}


def imported_packages(folder: Path) -> dict[str, set[str]]:
    """Top-level project packages imported by each file of a package (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        if "_proto" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names & set(PACKAGES)
    return found


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_package_imports_only_what_its_layer_allows(package: str) -> None:
    allowed = ALLOWED[package] | {package}
    bad = {
        file: sorted(names - allowed) for file, names in imported_packages(PACKAGES[package]).items() if names - allowed
    }
    assert bad == {}, f"{package} imports across layers: {bad}"


def test_vm_core_has_no_pyo3_and_no_io_crates() -> None:
    manifest = tomllib.loads((ROOT / "services/scheduler/crates/vm-core/Cargo.toml").read_text())
    deps = set(manifest.get("dependencies", {}))
    forbidden = {"pyo3", "tokio", "reqwest", "sqlx", "postgres", "tokio-postgres", "hyper", "mio", "async-std"}
    assert not deps & forbidden, f"vm-core must stay pure: {sorted(deps & forbidden)}"
    sources = "\n".join(p.read_text() for p in (ROOT / "services/scheduler/crates/vm-core/src").rglob("*.rs"))
    for needle in ("std::fs", "std::net", "std::process", "std::time::SystemTime", "std::thread"):
        assert needle not in sources, f"vm-core must not do I/O or read clocks: found {needle}"
