"""Every Waymark setting: one typed definition, one default, read from `WAYMARK_*` environment variables.

The README's settings table is generated from this class (`waymark settings`), so the two cannot drift.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str | None = Field(
        None, description="Postgres URL. Unset: `waymark dev` starts an embedded Postgres under .waymark/"
    )
    compiler_url: str = Field("127.0.0.1:24117", description="host:port of the compiler's gRPC API")
    compiler_wait_seconds: float = Field(
        60.0, gt=0, description="how long a starting worker waits for the compiler to answer before it gives up"
    )
    gateway_addr: str = Field("127.0.0.1:24119", description="host:port the gateway and dashboard listen on")
    gateway_token: str | None = Field(
        None, description="bearer token the gateway requires (required when it listens beyond loopback)"
    )
    worker_concurrency: int = Field(64, ge=1, description="actions one worker process runs at once")
    user_modules: str = Field("", description="comma-separated modules `waymark-start-workers` imports")
    lease_seconds: float = Field(
        15.0, gt=0, description="an action's lease; a worker that misses heartbeats this long loses the call"
    )
    max_redeliveries: int = Field(5, ge=0, description="lease expiries a call survives before failing with ActionLost")
    shutdown_grace_seconds: float = Field(
        30.0,
        ge=0,
        description="how long a worker stopping on SIGTERM lets running actions finish before handing them back",
    )
    poll_seconds: float = Field(2.0, gt=0, description="fallback polling interval when no NOTIFY arrives")
    scheduler_batch: int = Field(256, ge=1, description="runs one scheduler transaction advances at most")
    scheduler_concurrency: int = Field(2, ge=1, description="advance transactions one scheduler runs at once")
    max_payload_bytes: int = Field(
        2_000_000, ge=1024, description="largest encoded input, argument, result or signal value"
    )
    data_dir: str = Field(".waymark", description="where `waymark dev` keeps its embedded Postgres")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Read `WAYMARK_<FIELD>` variables; a bad value is a clear error naming the variable."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env.get(f"WAYMARK_{name.upper()}")
            if raw is not None and raw != "":
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(f"WAYMARK_{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors())
            raise SystemExit(f"waymark: invalid setting: {problems}") from None

    def require_database_url(self) -> str:
        if not self.database_url:
            raise SystemExit(
                "waymark: WAYMARK_DATABASE_URL is not set; point it at your Postgres "
                "(e.g. postgresql://user@host:5432/db), or use `waymark dev`, which embeds one"
            )
        return self.database_url


def settings_table() -> str:
    """The README's settings table (Markdown)."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = "unset" if field.default is None else f"`{field.default}`"
        rows.append(f"| `WAYMARK_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(rows)
