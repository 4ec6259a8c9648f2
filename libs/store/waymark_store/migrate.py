"""Numbered SQL migrations, applied idempotently and safely when several processes start at once.

Every service calls `apply_migrations` at start-up and `waymark migrate` calls it explicitly. Concurrent callers
serialise on a transaction-scoped advisory lock (released at commit, so it never leaks on a pooled connection);
each migration runs in that same transaction with its bookkeeping row, so a crash applies it fully or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

from waymark_store.db import Executor

MIGRATION_LOCK_ID = 0x5741_594D_4152_4B31  # "WAYMARK1": any constant shared by every Waymark process
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("waymark_store.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"waymark_store migrations must be numbered 0001, 0002, ... without gaps: {numbers}")
    return found


async def apply_migrations(conn: Executor) -> list[str]:
    """Apply every migration not applied yet; return the names applied by this call."""
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as acquired:
            return await apply_migrations(acquired)
    applied: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _signed(MIGRATION_LOCK_ID))
        await conn.execute("CREATE SCHEMA IF NOT EXISTS waymark")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS waymark.schema_migrations ("
            " number integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
        done = {row["number"] for row in await conn.fetch("SELECT number FROM waymark.schema_migrations")}
        for migration in bundled_migrations():
            if migration.number in done:
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO waymark.schema_migrations (number, name) VALUES ($1, $2)", migration.number, migration.name
            )
            applied.append(migration.name)
    return applied


def _signed(value: int) -> int:
    """Advisory lock ids are signed bigints."""
    return value - (1 << 64) if value >= (1 << 63) else value
