"""infra/ cannot be run here (no Docker engine); check that it stays consistent with what the repository ships."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_every_service_traced_to_jaeger() -> None:
    compose = yaml.safe_load((ROOT / "infra" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "jaeger", "migrate", "compiler", "scheduler", "timer", "gateway", "workers"} <= set(services)
    for name in ("compiler", "scheduler", "timer", "gateway", "workers", "migrate"):
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


def test_compose_gateway_listens_beyond_loopback_only_with_a_token() -> None:
    gateway = yaml.safe_load((ROOT / "infra" / "compose.yaml").read_text())["services"]["gateway"]
    assert gateway["environment"]["WAYMARK_GATEWAY_ADDR"].startswith("0.0.0.0:")
    assert gateway["environment"]["WAYMARK_GATEWAY_TOKEN"].startswith(
        "${WAYMARK_GATEWAY_TOKEN:?"
    )  # compose refuses without


def test_dockerfile_builds_the_dashboard_into_the_gateway_package() -> None:
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text()
    assert "npm ci" in dockerfile and "npm run build" in dockerfile
    static = "services/gateway/waymark_gateway/static"
    assert f"COPY --from=web /src/{static} /src/{static}" in dockerfile
    assert static in (ROOT / "web" / "vite.config.ts").read_text()  # where vite writes it
    assert "waymark_gateway/static" in (ROOT / "services" / "gateway" / "pyproject.toml").read_text()  # in the wheel
