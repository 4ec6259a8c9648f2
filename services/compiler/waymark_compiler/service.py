"""`waymark compiler` (and the compiler task of `waymark dev`): the gRPC API on `WAYMARK_COMPILER_URL`."""

from __future__ import annotations

from waymark_store.service import ServiceSpec
from waymark_store.settings import Settings

from waymark_compiler.server import serve


async def run(settings: Settings) -> None:
    from waymark_store.db import create_pool, wait_for_database
    from waymark_store.migrate import apply_migrations

    url = settings.require_database_url()
    await wait_for_database(url)
    pool = await create_pool(url, min_size=1, max_size=4)
    try:
        await apply_migrations(pool)
        await serve(settings.compiler_url, pool)
    finally:
        await pool.close()


SERVICE = ServiceSpec(
    name="compiler",
    help="the compiler's gRPC API: compile, verify and store workflow versions (WAYMARK_COMPILER_URL)",
    run=run,
    order=10,
)
