"""Migrations: idempotent, and safe when several processes apply them at the same moment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import asyncpg
from waymark_store.migrate import apply_migrations, bundled_migrations


async def test_concurrent_in_process_callers_apply_each_migration_once(empty_database_url: str) -> None:
    conns = [await asyncpg.connect(empty_database_url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(apply_migrations(c) for c in conns))
        applied = [name for result in results for name in result]
        assert sorted(applied) == sorted(m.name for m in bundled_migrations())
        rows = await conns[0].fetch("SELECT number FROM waymark.schema_migrations ORDER BY number")
        assert [r["number"] for r in rows] == [m.number for m in bundled_migrations()]
        assert await apply_migrations(conns[0]) == []
    finally:
        for conn in conns:
            await conn.close()


def test_two_waymark_migrate_processes_at_once_both_succeed(empty_database_url: str) -> None:
    env = {**os.environ, "WAYMARK_DATABASE_URL": empty_database_url}
    waymark = os.path.join(os.path.dirname(sys.executable), "waymark")
    procs = [
        subprocess.Popen([waymark, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert sum("applied" in out for out in outputs) == 1, outputs
    assert sum("up to date" in out for out in outputs) == 1, outputs


def test_migrations_are_numbered_without_gaps() -> None:
    numbers = [m.number for m in bundled_migrations()]
    assert numbers == list(range(1, len(numbers) + 1))
