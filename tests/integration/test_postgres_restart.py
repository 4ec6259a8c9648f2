"""A Postgres restart at any moment loses no workflow, result or timer (DESIGN §4.3), and every service reconnects on
its own: pools, the LISTEN connection, the workers' heartbeat thread, and a client waiting for a result.

Postgres here is a private embedded server (the `pgserver` binaries, Unix socket only) that the test kills and
restarts; the machine's shared server is never touched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
import waymark._client
from harness import (
    EmbeddedPostgres,
    at_least_once_problems,
    consistency_problems,
    eventually,
    fetchval,
    private_folder,
    timed,
)
from it_chain import Chain, expected_chain
from it_timers import Sleeper


@pytest.fixture
async def private_postgres(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[EmbeddedPostgres, str]]:
    server = EmbeddedPostgres(private_folder("waymark-it-pg-") / "pg")
    try:
        admin = await asyncpg.connect(server.url)
        try:
            await admin.execute("CREATE DATABASE waymark_it")
        finally:
            await admin.close()
        url = server.url.replace("/postgres?", "/waymark_it?")
        monkeypatch.setenv("WAYMARK_DATABASE_URL", url)  # the in-process client
        yield server, url
    finally:
        await waymark._client.close()
        server.close()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["kill -9", "restart -m fast"])
async def test_postgres_restart_mid_flight_loses_nothing(make_cluster, private_postgres, how: str) -> None:
    server, url = private_postgres
    # polling fallback out of reach: progress after the restart needs every LISTEN connection back
    env = {"WAYMARK_LEASE_SECONDS": "3", "WAYMARK_POLL_SECONDS": "300"}
    cluster = make_cluster(["it_chain", "it_timers"], env=env, url=url)
    cluster.start_all(workers=2)
    chains = await asyncio.gather(*(Chain.start(seed=i, workflow_id=f"chain-{i}") for i in range(20)))
    sleepers = await asyncio.gather(*(Sleeper.start(naps=3, seconds=1.0, workflow_id=f"nap-{i}") for i in range(10)))
    # clients already waiting when Postgres goes away must get their results all the same
    waiting = [asyncio.create_task(h.result(timeout=180)) for h in (*chains, *sleepers)]

    async def mid_flight() -> bool:
        done = await fetchval(url, "SELECT count(*) FROM waymark.actions WHERE status = 'succeeded'")
        running = await fetchval(url, "SELECT count(*) FROM waymark.actions WHERE status = 'running'")
        return done >= 20 and running > 0

    await eventually(mid_flight, timeout=120, what="the runs to be mid-flight")
    if how == "kill -9":
        server.crash()
    else:
        server.stop("fast")
    await asyncio.sleep(2)  # an outage, not a blip: every service notices it (the sleep is the outage, not a wait)
    server.start()
    with timed() as elapsed:
        results = await asyncio.wait_for(asyncio.gather(*waiting), 120)
        print(f"\n{how}: every run finished {elapsed():.1f}s after Postgres came back")
    assert results == [expected_chain(i) for i in range(20)] + [3] * 10
    cluster.assert_alive()  # nobody gave up: every service reconnected on its own

    problems, figures = await at_least_once_problems(url, cluster.executions())
    assert not problems, problems
    print(f"executions: {figures}")
    assert not await consistency_problems(url)
