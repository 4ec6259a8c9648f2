"""Shared pytest fixtures: a real Postgres for every integration test, one fresh database per test.

Where Postgres comes from (DESIGN §2.1, CONVENTIONS "Real Postgres, never a mock"):
1. `WAYMARK_TEST_DATABASE_URL` (an admin URL; CI points it at the server on 127.0.0.1:5432), else
2. a throwaway container via testcontainers (needs a Docker engine), else
3. the embedded `pgserver` package in a temporary folder.
Each test gets its own database (NOTIFY channels and advisory locks are per database), created from a template that
already has the schema, and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

# pgserver's platformdirs warns (an error under filterwarnings=error) without a private runtime dir
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="waymark-xdg-"))


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def _from_testcontainers() -> tuple[str, object] | None:
    try:
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:15", driver=None)
        container.start()
    except Exception:  # noqa: BLE001 - no Docker engine here: fall through to pgserver
        return None
    return container.get_connection_url(), container


def _from_pgserver() -> tuple[str, object]:
    import pgserver

    folder = tempfile.mkdtemp(prefix="waymark-test-pg-")
    server = pgserver.get_server(folder, cleanup_mode="delete")
    return server.get_uri(), server


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    url = os.environ.get("WAYMARK_TEST_DATABASE_URL")
    if url:
        yield url
        return
    found = _from_testcontainers() or _from_pgserver()
    try:
        yield found[0]
    finally:
        stop = getattr(found[1], "stop", None) or getattr(found[1], "cleanup", None)
        if stop is not None:
            with contextlib.suppress(Exception):
                stop()


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def template_database(pg_admin_url: str) -> Iterator[str]:
    """A database with the schema applied, copied for each test (much faster than migrating each one)."""
    from waymark_store.migrate import apply_migrations

    name = f"waymark_tpl_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        await _admin(pg_admin_url, f'CREATE DATABASE "{name}"')
        conn = await asyncpg.connect(with_database(pg_admin_url, name))
        try:
            await apply_migrations(conn)
        finally:
            await conn.close()

    asyncio.run(create())
    try:
        yield name
    finally:
        asyncio.run(_admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def fresh_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """A new database (a copy of `template`, else empty) for as long as the block runs; dropped afterwards."""
    name = f"waymark_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield with_database(admin_url, name)
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def empty_database_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh database WITHOUT the schema (for migration tests)."""
    with fresh_database(pg_admin_url) as url:
        yield url


@pytest.fixture
def database_url(pg_admin_url: str, template_database: str) -> Iterator[str]:
    """A fresh database with the schema, for one test."""
    with fresh_database(pg_admin_url, template_database) as url:
        yield url


@pytest.fixture(scope="module")
def module_database_url(pg_admin_url: str, template_database: str) -> Iterator[str]:
    """A fresh database with the schema, shared by the tests of one module (for modules that share one cluster)."""
    with fresh_database(pg_admin_url, template_database) as url:
        yield url


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    from waymark_store.db import create_pool

    created = await create_pool(database_url, max_size=8)
    try:
        yield created
    finally:
        await created.close()
