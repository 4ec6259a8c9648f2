"""infra/ cannot be run here (no Docker engine); check that it stays consistent with what the repository ships."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_every_service_traced_to_jaeger() -> None:
    compose = yaml.safe_load((ROOT / "infra" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "jaeger", "migrate", "compiler", "scheduler", "timer", "workers"} <= set(services)
    for name in ("compiler", "scheduler", "timer", "workers", "migrate"):
        env = services[name]["environment"]
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318", name
        assert env["WAYMARK_DATABASE_URL"].startswith("postgresql://"), name
    assert services["compiler"]["environment"]["WAYMARK_COMPILER_URL"].startswith("0.0.0.0:")
    assert services["scheduler"]["environment"]["WAYMARK_COMPILER_URL"] == "compiler:24117"


def test_dockerfile_installs_the_locked_workspace() -> None:
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text()
    assert "uv sync --all-packages --frozen" in dockerfile  # the lock file, every member, the Rust extension
    assert (ROOT / "uv.lock").exists()
    assert 'ENTRYPOINT ["waymark"]' in dockerfile
