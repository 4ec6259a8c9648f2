"""A run whose own data breaks its advance fails alone, with a clear error; its batch neighbours advance."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
import pytest
from waymark_scheduler import service
from waymark_store import runs, versions
from waymark_store.db import Database
from waymark_store.settings import Settings


class _ExplodingProgram:
    """Stands in for a VM program whose effects the scheduler cannot understand (a bug, not a database error)."""

    def advance(self, snapshot: bytes | None, events: bytes) -> tuple[bytes, bytes]:
        return b"{}", b'{"status": "running", "actions": [{"seq": 1}]}'  # an action without its fields


async def test_malformed_effects_fail_only_that_run(
    database_url: str, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await versions.register_versions(
        pool,
        [
            versions.VersionRow("bad", "Bad", "m", "Bad", 1, b"x"),
            versions.VersionRow("good", "Good", "m", "Good", 1, b"y"),
        ],
    )
    bad = await runs.start_run(pool, workflow_name="Bad", input_json="{}")
    good = await runs.start_run(pool, workflow_name="Good", input_json="{}")

    class _Finishing:
        def advance(self, snapshot: bytes | None, events: bytes) -> tuple[bytes, bytes]:
            return b"{}", b'{"status": "completed", "result": "1"}'

    def load(data: bytes) -> Any:
        return _ExplodingProgram() if data == b"x" else _Finishing()

    monkeypatch.setattr(service, "load_program", load)
    db = await Database.open(database_url, pool_size=2)
    try:
        assert await service.Scheduler(Settings(database_url=database_url), db).advance_batch() == 2
    finally:
        await db.close()
    bad_outcome = await runs.get_outcome(pool, bad.run_id)
    good_outcome = await runs.get_outcome(pool, good.run_id)
    assert bad_outcome is not None and good_outcome is not None
    assert (good_outcome.status, good_outcome.result) == ("completed", "1")
    assert bad_outcome.status == "failed"
    error = orjson.loads(bad_outcome.error or "null")["$exception"]
    assert "could not be advanced: KeyError" in error["message"]
