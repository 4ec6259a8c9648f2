"""Workflow versions: immutable compiled programs, and which version a workflow name starts new runs on."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from waymark_store.db import Executor


@dataclass(frozen=True)
class VersionRow:
    version_id: str
    workflow_name: str
    module: str
    qualname: str
    ir_version: int
    program: bytes


INSERT_VERSIONS = """
INSERT INTO waymark.versions (version_id, workflow_name, module, qualname, ir_version, program)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bytea[])
ON CONFLICT (version_id) DO NOTHING
RETURNING version_id
"""

POINT_NAMES_AT_VERSIONS = """
INSERT INTO waymark.workflows (name, current_version_id)
SELECT * FROM unnest($1::text[], $2::text[])
ON CONFLICT (name) DO UPDATE SET current_version_id = EXCLUDED.current_version_id, updated_at = clock_timestamp()
WHERE waymark.workflows.current_version_id IS DISTINCT FROM EXCLUDED.current_version_id
"""

SELECT_PROGRAM = "SELECT program FROM waymark.versions WHERE version_id = $1"
SELECT_CURRENT_VERSION = "SELECT current_version_id FROM waymark.workflows WHERE name = $1"


async def register_versions(conn: Executor, rows: list[VersionRow]) -> list[bool]:
    """Store each version (idempotent) and make it the current version of its workflow name, in one transaction.
    Returns, per row, whether this call created the version."""
    if isinstance(conn, asyncpg.Pool):  # take one connection for the transaction
        async with conn.acquire() as acquired:
            return await register_versions(acquired, rows)
    async with conn.transaction():
        created = {
            record["version_id"]
            for record in await conn.fetch(
                INSERT_VERSIONS,
                [r.version_id for r in rows],
                [r.workflow_name for r in rows],
                [r.module for r in rows],
                [r.qualname for r in rows],
                [r.ir_version for r in rows],
                [r.program for r in rows],
            )
        }
        await conn.execute(POINT_NAMES_AT_VERSIONS, [r.workflow_name for r in rows], [r.version_id for r in rows])
    return [r.version_id in created for r in rows]


async def load_program(conn: Executor, version_id: str) -> bytes | None:
    program: bytes | None = await conn.fetchval(SELECT_PROGRAM, version_id)
    return program


async def current_version(conn: Executor, workflow_name: str) -> str | None:
    version: str | None = await conn.fetchval(SELECT_CURRENT_VERSION, workflow_name)
    return version
